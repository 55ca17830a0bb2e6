// The SQLite stores of permissions: custom roles and per-item grants.

#include <fmt/format.h>

#include "core/json.hpp"
#include "storage/rows/access_row.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

std::int64_t as_int(std::int64_t value) {
  return value;
}

const auto read_role = reading(rows::read_role);

}  // namespace

Result<std::optional<Role>> SqliteRoleStore::find(TenantId tenant, std::string_view name) noexcept {
  return find_one(db_, "SELECT name, permissions FROM roles WHERE tenant_id = ? AND name = ?",
                  read_role, as_int(tenant), std::string(name));
}

Result<std::vector<Role>> SqliteRoleStore::list(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<Role>> {
    auto query = db_.query("SELECT name, permissions FROM roles WHERE tenant_id = ? ORDER BY name");
    query->bind(1, as_int(tenant));
    return collect(query, read_role);
  });
}

Result<void> SqliteRoleStore::save(TenantId tenant, const Role& role) noexcept {
  return guarded([&]() -> Result<void> {
    auto query =
        db_.query("INSERT OR REPLACE INTO roles (tenant_id, name, permissions) VALUES (?, ?, ?)");
    bind_all(*query, as_int(tenant), role.name, detail::dump_json(role.permissions));
    query->exec();
    return success();
  });
}

Result<void> SqliteRoleStore::remove(TenantId tenant, std::string_view name) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query("DELETE FROM roles WHERE tenant_id = ? AND name = ?");
    bind_all(*query, as_int(tenant), std::string(name));
    if (query->exec() == 0) {
      return fail(Errc::not_found, fmt::format("role \"{}\" not found", name));
    }
    return success();
  });
}

Result<std::int64_t> SqliteRoleStore::holders(TenantId tenant, std::string_view name) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    auto query = db_.query("SELECT count(*) FROM members WHERE tenant_id = ? AND role = ?");
    bind_all(*query, as_int(tenant), std::string(name));
    query->executeStep();
    return query->getColumn(0).getInt64();
  });
}

Result<std::optional<GrantLevel>> SqliteGrantStore::find(TenantId tenant,
                                                         const ResourceRef& resource,
                                                         UserId user) noexcept {
  return guarded([&]() -> Result<std::optional<GrantLevel>> {
    GrantKey key{{as_int(tenant), as_int(user)}, resource.type};
    key.second.append(1, '\x1f').append(resource.id);
    return memoised(db_, db_.memos().grants, key, [&]() -> Result<std::optional<GrantLevel>> {
      auto query = db_.query(
          "SELECT level FROM grants WHERE tenant_id = ? AND resource_type = ? AND resource_id = ?"
          " AND user_id = ?");
      bind_all(*query, as_int(tenant), resource.type, resource.id, as_int(user));
      if (!query->executeStep()) return std::optional<GrantLevel>();
      return rows::grant_level_from(text_column(*query, 0));
    });
  });
}

Result<void> SqliteGrantStore::save(const Grant& grant) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "INSERT OR REPLACE INTO grants (tenant_id, resource_type, resource_id, user_id, level)"
        " VALUES (?, ?, ?, ?, ?)");
    bind_all(*query, as_int(grant.tenant_id), grant.resource.type, grant.resource.id,
             as_int(grant.user_id), std::string(grant_level_name(grant.level)));
    query->exec();
    return success();
  });
}

Result<void> SqliteGrantStore::remove(TenantId tenant, const ResourceRef& resource,
                                      UserId user) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "DELETE FROM grants WHERE tenant_id = ? AND resource_type = ? AND resource_id = ?"
        " AND user_id = ?");
    bind_all(*query, as_int(tenant), resource.type, resource.id, as_int(user));
    if (query->exec() == 0) {
      return fail(Errc::not_found,
                  fmt::format("user {} has no grant on {} {}", user, resource.type, resource.id));
    }
    return success();
  });
}

Result<void> SqliteGrantStore::remove_all(TenantId tenant, const ResourceRef& resource) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "DELETE FROM grants WHERE tenant_id = ? AND resource_type = ? AND resource_id = ?");
    bind_all(*query, as_int(tenant), resource.type, resource.id);
    query->exec();
    return success();
  });
}

}  // namespace quire::storage::sqlite
