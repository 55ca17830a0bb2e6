#include <fmt/format.h>

#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

namespace {

#define TENANT_COLUMNS \
  "id, slug, name, plan, domain, settings, is_active, created_at, updated_at, deleted_at"

Tenant read_tenant(const PgResult& result, int row) {
  Tenant tenant;
  tenant.id = result.int64(row, 0);
  tenant.slug = result.string(row, 1);
  tenant.name = result.string(row, 2);
  tenant.plan = result.string(row, 3);
  tenant.domain = result.optional_string(row, 4);
  tenant.settings = result.string(row, 5);
  tenant.is_active = result.boolean(row, 6);
  tenant.created_at = result.int64(row, 7);
  tenant.updated_at = result.int64(row, 8);
  tenant.deleted_at = result.optional_int64(row, 9);
  return tenant;
}

// Every column but id, in TENANT_COLUMNS order, as $1…$9.
Params tenant_params(const Tenant& row) {
  return Params(row.slug, row.name, row.plan, row.domain, row.settings, row.is_active,
                row.created_at, row.updated_at, row.deleted_at);
}

Result<std::optional<Tenant>> find_one(Session& db, std::string_view sql, const Params& key) {
  QUIRE_TRY(auto result, db.read(sql, key));
  return first_row(result, read_tenant);
}

}  // namespace

Result<TenantId> PgTenantStore::insert(const Tenant& row) noexcept {
  return guarded([&]() -> Result<TenantId> {
    QUIRE_TRY(auto result,
              db_.write("INSERT INTO tenants (slug, name, plan, domain, settings, is_active,"
                        " created_at, updated_at, deleted_at)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                        tenant_params(row)));
    return result.int64(0, 0);
  });
}

Result<std::optional<Tenant>> PgTenantStore::find(TenantId id) noexcept {
  return guarded([&] {
    return find_one(db_, "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = $1", Params(id));
  });
}

Result<std::optional<Tenant>> PgTenantStore::find_by_slug(std::string_view slug) noexcept {
  return guarded([&] {
    return find_one(db_, "SELECT " TENANT_COLUMNS " FROM tenants WHERE slug = $1", Params(slug));
  });
}

Result<std::optional<Tenant>> PgTenantStore::find_by_domain(std::string_view domain) noexcept {
  return guarded([&] {
    return find_one(db_, "SELECT " TENANT_COLUMNS " FROM tenants WHERE domain = $1",
                    Params(domain));
  });
}

Result<std::vector<Tenant>> PgTenantStore::list(const TenantScan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<Tenant>> {
    QUIRE_TRY(auto result, db_.read("SELECT " TENANT_COLUMNS " FROM tenants WHERE id > $1"
                                    " AND ($2 OR is_active) AND ($3 OR deleted_at IS NULL)"
                                    " ORDER BY id LIMIT $4",
                                    Params(scan.after_id, scan.include_inactive,
                                           scan.include_deleted, scan.limit)));
    return collect(result, read_tenant);
  });
}

Result<void> PgTenantStore::update(const Tenant& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto params = tenant_params(row);
    params.add(row.id);
    QUIRE_TRY(auto result,
              db_.write("UPDATE tenants SET slug = $1, name = $2, plan = $3, domain = $4,"
                        " settings = $5, is_active = $6, created_at = $7, updated_at = $8,"
                        " deleted_at = $9 WHERE id = $10",
                        params));
    if (result.affected() == 0) {
      return fail(Errc::not_found, fmt::format("tenant {} not found", row.id));
    }
    return success();
  });
}

}  // namespace quire::storage::postgres
