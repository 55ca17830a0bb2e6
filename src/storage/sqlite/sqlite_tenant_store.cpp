#include <fmt/format.h>

#include "storage/sqlite/sqlite_errors.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

#define TENANT_COLUMNS \
  "id, slug, name, plan, domain, settings, is_active, created_at, updated_at, deleted_at"

Tenant read_tenant(SQLite::Statement& row) {
  Tenant tenant;
  tenant.id = row.getColumn(0).getInt64();
  tenant.slug = row.getColumn(1).getString();
  tenant.name = row.getColumn(2).getString();
  tenant.plan = row.getColumn(3).getString();
  tenant.domain = optional_column<std::string>(row, 4);
  tenant.settings = row.getColumn(5).getString();
  tenant.is_active = row.getColumn(6).getInt() != 0;
  tenant.created_at = row.getColumn(7).getInt64();
  tenant.updated_at = row.getColumn(8).getInt64();
  tenant.deleted_at = optional_column<std::int64_t>(row, 9);
  return tenant;
}

// Binds every column but id, in TENANT_COLUMNS order, from parameter 1.
void bind_tenant(SQLite::Statement& statement, const Tenant& row) {
  statement.bind(1, row.slug);
  statement.bind(2, row.name);
  statement.bind(3, row.plan);
  bind_optional(statement, 4, row.domain);
  statement.bind(5, row.settings);
  statement.bind(6, row.is_active ? 1 : 0);
  statement.bind(7, static_cast<std::int64_t>(row.created_at));
  statement.bind(8, static_cast<std::int64_t>(row.updated_at));
  bind_optional(statement, 9, row.deleted_at);
}

}  // namespace

Result<TenantId> SqliteTenantStore::insert(const Tenant& row) noexcept {
  return insert_row(
      db_,
      "INSERT INTO tenants (slug, name, plan, domain, settings, is_active, created_at,"
      " updated_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      row, bind_tenant);
}

Result<std::optional<Tenant>> SqliteTenantStore::find(TenantId id) noexcept {
  return find_one(db_, "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = ?", read_tenant,
                  static_cast<std::int64_t>(id));
}

Result<std::optional<Tenant>> SqliteTenantStore::find_by_slug(std::string_view slug) noexcept {
  return find_one(db_, "SELECT " TENANT_COLUMNS " FROM tenants WHERE slug = ?", read_tenant,
                  std::string(slug));
}

Result<std::optional<Tenant>> SqliteTenantStore::find_by_domain(std::string_view domain) noexcept {
  return find_one(db_, "SELECT " TENANT_COLUMNS " FROM tenants WHERE domain = ?", read_tenant,
                  std::string(domain));
}

Result<std::vector<Tenant>> SqliteTenantStore::list(const TenantScan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<Tenant>> {
    auto query = db_.query("SELECT " TENANT_COLUMNS
                           " FROM tenants WHERE id > ?1"
                           " AND (?2 OR is_active = 1) AND (?3 OR deleted_at IS NULL)"
                           " ORDER BY id LIMIT ?4");
    bind_all(*query, static_cast<std::int64_t>(scan.after_id), scan.include_inactive ? 1 : 0,
             scan.include_deleted ? 1 : 0, static_cast<std::int64_t>(scan.limit));
    return collect(query, read_tenant);
  });
}

Result<void> SqliteTenantStore::update(const Tenant& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "UPDATE tenants SET slug = ?, name = ?, plan = ?, domain = ?, settings = ?, is_active = ?,"
        " created_at = ?, updated_at = ?, deleted_at = ? WHERE id = ?");
    bind_tenant(*query, row);
    query->bind(10, static_cast<std::int64_t>(row.id));
    if (query->exec() == 0)
      return fail(Errc::not_found, fmt::format("tenant {} not found", row.id));
    return success();
  });
}

}  // namespace quire::storage::sqlite
