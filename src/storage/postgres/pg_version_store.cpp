#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

namespace {

// post_versions and post_autosaves are tenant-owned, and go with their post (ON DELETE CASCADE).

#define VERSION_META "post_id, number, kind, author_id, created_at, size, summary"

Version read_version(const PgResult& r, int row) {
  Version version;
  version.post_id = r.int64(row, 0);
  version.number = r.int64(row, 1);
  version.kind = r.string(row, 2);
  version.author_id = r.int64(row, 3);
  version.created_at = r.int64(row, 4);
  version.size = r.int64(row, 5);
  version.summary = r.string(row, 6);
  return version;
}

VersionRow read_row(const PgResult& r, int row) {
  VersionRow stored;
  stored.version = read_version(r, row);
  stored.tenant_id = r.int64(row, 7);
  stored.title = r.string(row, 8);
  stored.snapshot = r.string(row, 9);
  stored.body = r.string(row, 10);
  return stored;
}

Autosave read_autosave(const PgResult& r, int row) {
  Autosave autosave;
  autosave.post_id = r.int64(row, 0);
  autosave.user_id = r.int64(row, 1);
  autosave.base_version = r.int64(row, 2);
  autosave.saved_at = r.int64(row, 3);
  autosave.title = r.string(row, 4);
  autosave.body = r.string(row, 5);
  return autosave;
}

}  // namespace

Result<void> PgVersionStore::insert(const VersionRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    const auto& v = row.version;
    QUIRE_TRY(db_.write_in(row.tenant_id,
                           "INSERT INTO post_versions (" VERSION_META
                           ", tenant_id, title, snapshot, body)"
                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                           Params(v.post_id, v.number, v.kind, v.author_id, v.created_at, v.size,
                                  v.summary, row.tenant_id, row.title, row.snapshot, row.body)));
    return success();
  });
}

Result<std::optional<VersionRow>> PgVersionStore::find(TenantId tenant, PostId post,
                                                       std::int64_t number) noexcept {
  return guarded([&]() -> Result<std::optional<VersionRow>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT " VERSION_META
                                       ", tenant_id, title, snapshot, body FROM post_versions"
                                       " WHERE tenant_id = $1 AND post_id = $2 AND number = $3",
                                       Params(tenant, post, number)));
    return first_row(result, read_row);
  });
}

Result<std::vector<Version>> PgVersionStore::list(TenantId tenant, PostId post) noexcept {
  return guarded([&]() -> Result<std::vector<Version>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT " VERSION_META " FROM post_versions"
                                       " WHERE tenant_id = $1 AND post_id = $2"
                                       " ORDER BY number DESC",
                                       Params(tenant, post)));
    return collect(result, read_version);
  });
}

Result<std::int64_t> PgVersionStore::prune(TenantId tenant, PostId post, std::int64_t keep,
                                           std::int64_t protect) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    QUIRE_TRY(auto result,
              db_.write_in(tenant,
                           "DELETE FROM post_versions WHERE tenant_id = $1 AND post_id = $2"
                           " AND number <> $4 AND number <= (SELECT max(number) FROM post_versions"
                           " WHERE tenant_id = $1 AND post_id = $2) - $3",
                           Params(tenant, post, keep, protect)));
    return result.affected();
  });
}

Result<void> PgVersionStore::purge(TenantId tenant, PostId post) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(tenant,
                           "DELETE FROM post_versions WHERE tenant_id = $1 AND post_id = $2",
                           Params(tenant, post)));
    return success();
  });
}

Result<void> PgVersionStore::save_autosave(TenantId tenant, const Autosave& autosave) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(
        db_.write_in(tenant,
                     "INSERT INTO post_autosaves (tenant_id, post_id, user_id, base_version,"
                     " saved_at, title, body) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                     " ON CONFLICT (tenant_id, post_id, user_id) DO UPDATE"
                     " SET base_version = excluded.base_version, saved_at = excluded.saved_at,"
                     " title = excluded.title, body = excluded.body",
                     Params(tenant, autosave.post_id, autosave.user_id, autosave.base_version,
                            autosave.saved_at, autosave.title, autosave.body)));
    return success();
  });
}

Result<std::optional<Autosave>> PgVersionStore::find_autosave(TenantId tenant, PostId post,
                                                              UserId user) noexcept {
  return guarded([&]() -> Result<std::optional<Autosave>> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT post_id, user_id, base_version, saved_at, title, body"
                          " FROM post_autosaves WHERE tenant_id = $1 AND post_id = $2"
                          " AND user_id = $3",
                          Params(tenant, post, user)));
    return first_row(result, read_autosave);
  });
}

Result<bool> PgVersionStore::delete_autosave(TenantId tenant, PostId post, UserId user) noexcept {
  return guarded([&]() -> Result<bool> {
    QUIRE_TRY(auto result, db_.write_in(tenant,
                                        "DELETE FROM post_autosaves WHERE tenant_id = $1"
                                        " AND post_id = $2 AND user_id = $3",
                                        Params(tenant, post, user)));
    return result.affected() > 0;
  });
}

}  // namespace quire::storage::postgres
