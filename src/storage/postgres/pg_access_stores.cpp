// The PostgreSQL stores of permissions: custom roles and per-item grants, both tenant-owned.

#include <fmt/format.h>

#include "core/json.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/pg_stores.hpp"
#include "storage/rows/access_row.hpp"

namespace quire::storage::postgres {

namespace {

const auto read_role = reading(rows::read_role);

}  // namespace

Result<std::optional<Role>> PgRoleStore::find(TenantId tenant, std::string_view name) noexcept {
  return guarded([&]() -> Result<std::optional<Role>> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT name, permissions FROM roles WHERE tenant_id = $1 AND name = $2",
                          Params(tenant, name)));
    return first_row(result, read_role);
  });
}

Result<std::vector<Role>> PgRoleStore::list(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<Role>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT name, permissions FROM roles WHERE tenant_id = $1"
                                       " ORDER BY name COLLATE \"C\"",
                                       Params(tenant)));
    return collect(result, read_role);
  });
}

Result<void> PgRoleStore::save(TenantId tenant, const Role& role) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(tenant,
                           "INSERT INTO roles (tenant_id, name, permissions) VALUES ($1, $2, $3)"
                           " ON CONFLICT (tenant_id, name) DO UPDATE"
                           " SET permissions = excluded.permissions",
                           Params(tenant, role.name, detail::dump_json(role.permissions))));
    return success();
  });
}

Result<void> PgRoleStore::remove(TenantId tenant, std::string_view name) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(auto result,
              db_.write_in(tenant, "DELETE FROM roles WHERE tenant_id = $1 AND name = $2",
                           Params(tenant, name)));
    if (result.affected() == 0) {
      return fail(Errc::not_found, fmt::format("role \"{}\" not found", name));
    }
    return success();
  });
}

Result<std::int64_t> PgRoleStore::holders(TenantId tenant, std::string_view name) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant, "SELECT count(*) FROM members WHERE tenant_id = $1 AND role = $2",
                          Params(tenant, name)));
    return result.int64(0, 0);
  });
}

Result<std::optional<GrantLevel>> PgGrantStore::find(TenantId tenant, const ResourceRef& resource,
                                                     UserId user) noexcept {
  return guarded([&]() -> Result<std::optional<GrantLevel>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT level FROM grants WHERE tenant_id = $1"
                                       " AND resource_type = $2 AND resource_id = $3"
                                       " AND user_id = $4",
                                       Params(tenant, resource.type, resource.id, user)));
    if (result.empty()) return std::optional<GrantLevel>();
    return rows::grant_level_from(result.text(0, 0));
  });
}

Result<void> PgGrantStore::save(const Grant& grant) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(grant.tenant_id,
                           "INSERT INTO grants (tenant_id, resource_type, resource_id, user_id,"
                           " level) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id,"
                           " resource_type, resource_id, user_id) DO UPDATE SET level ="
                           " excluded.level",
                           Params(grant.tenant_id, grant.resource.type, grant.resource.id,
                                  grant.user_id, grant_level_name(grant.level))));
    return success();
  });
}

Result<void> PgGrantStore::remove(TenantId tenant, const ResourceRef& resource,
                                  UserId user) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(auto result, db_.write_in(tenant,
                                        "DELETE FROM grants WHERE tenant_id = $1"
                                        " AND resource_type = $2 AND resource_id = $3"
                                        " AND user_id = $4",
                                        Params(tenant, resource.type, resource.id, user)));
    if (result.affected() == 0) {
      return fail(Errc::not_found,
                  fmt::format("user {} has no grant on {} {}", user, resource.type, resource.id));
    }
    return success();
  });
}

Result<void> PgGrantStore::remove_all(TenantId tenant, const ResourceRef& resource) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(tenant,
                           "DELETE FROM grants WHERE tenant_id = $1 AND resource_type = $2"
                           " AND resource_id = $3",
                           Params(tenant, resource.type, resource.id)));
    return success();
  });
}

}  // namespace quire::storage::postgres
