#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

std::int64_t as_int(std::int64_t value) {
  return value;
}

Version read_version(SQLite::Statement& row) {
  Version version;
  version.post_id = row.getColumn(0).getInt64();
  version.number = row.getColumn(1).getInt64();
  version.kind = row.getColumn(2).getString();
  version.author_id = row.getColumn(3).getInt64();
  version.created_at = row.getColumn(4).getInt64();
  version.size = row.getColumn(5).getInt64();
  version.summary = row.getColumn(6).getString();
  return version;
}

Autosave read_autosave(SQLite::Statement& row) {
  Autosave autosave;
  autosave.post_id = row.getColumn(0).getInt64();
  autosave.user_id = row.getColumn(1).getInt64();
  autosave.base_version = row.getColumn(2).getInt64();
  autosave.saved_at = row.getColumn(3).getInt64();
  autosave.title = row.getColumn(4).getString();
  autosave.body = row.getColumn(5).getString();
  return autosave;
}

VersionRow read_row(SQLite::Statement& row) {
  VersionRow stored;
  stored.version = read_version(row);
  stored.tenant_id = row.getColumn(7).getInt64();
  stored.title = row.getColumn(8).getString();
  stored.snapshot = row.getColumn(9).getString();
  stored.body = row.getColumn(10).getString();
  return stored;
}

}  // namespace

Result<void> SqliteVersionStore::insert(const VersionRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    // The metadata first, naming the body's row to be: when the number is taken, nothing has
    // been written. Bodies are only ever written here, inside the writer's transaction.
    std::int64_t body_id = 0;
    {
      auto next = db_.query("SELECT coalesce(max(id), 0) + 1 FROM post_version_bodies");
      next->executeStep();
      body_id = next->getColumn(0).getInt64();
    }
    {
      auto query = db_.query(
          "INSERT INTO post_versions (post_id, number, kind, author_id, created_at, size, summary,"
          " tenant_id, body_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      const auto& v = row.version;
      bind_all(*query, as_int(v.post_id), v.number, v.kind, as_int(v.author_id),
               static_cast<std::int64_t>(v.created_at), v.size, v.summary, as_int(row.tenant_id),
               body_id);
      query->exec();
    }
    auto body = db_.query(
        "INSERT INTO post_version_bodies (id, title, snapshot, body) VALUES (?, ?, ?, ?)");
    body->bind(1, body_id);
    body->bindNoCopy(2, row.title);
    body->bindNoCopy(3, row.snapshot);
    body->bindNoCopy(4, row.body);
    body->exec();
    return success();
  });
}

Result<std::optional<VersionRow>> SqliteVersionStore::find(TenantId tenant, PostId post,
                                                           std::int64_t number) noexcept {
  return find_one(db_,
                  "SELECT v.post_id, v.number, v.kind, v.author_id, v.created_at, v.size,"
                  " v.summary, v.tenant_id, b.title, b.snapshot, b.body FROM post_versions v"
                  " JOIN post_version_bodies b ON b.id = v.body_id"
                  " WHERE v.tenant_id = ? AND v.post_id = ? AND v.number = ?",
                  read_row, as_int(tenant), as_int(post), number);
}

Result<std::vector<Version>> SqliteVersionStore::list(TenantId tenant, PostId post) noexcept {
  return guarded([&]() -> Result<std::vector<Version>> {
    auto query = db_.query(
        "SELECT post_id, number, kind, author_id, created_at, size, summary FROM post_versions"
        " WHERE tenant_id = ? AND post_id = ? ORDER BY number DESC");
    bind_all(*query, as_int(tenant), as_int(post));
    return collect(query, read_version);
  });
}

Result<std::int64_t> SqliteVersionStore::prune(TenantId tenant, PostId post, std::int64_t keep,
                                               std::int64_t protect) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    auto query = db_.query(
        "DELETE FROM post_versions WHERE tenant_id = ?1 AND post_id = ?2 AND number != ?4"
        " AND number <= (SELECT max(number) FROM post_versions WHERE tenant_id = ?1"
        " AND post_id = ?2) - ?3");
    bind_all(*query, as_int(tenant), as_int(post), keep, protect);
    return static_cast<std::int64_t>(query->exec());
  });
}

Result<void> SqliteVersionStore::purge(TenantId tenant, PostId post) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query("DELETE FROM post_versions WHERE tenant_id = ? AND post_id = ?");
    bind_all(*query, as_int(tenant), as_int(post));
    query->exec();
    return success();
  });
}

Result<void> SqliteVersionStore::save_autosave(TenantId tenant, const Autosave& autosave) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "INSERT INTO post_autosaves (tenant_id, post_id, user_id, base_version, saved_at, title,"
        " body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, post_id, user_id) DO UPDATE"
        " SET base_version = excluded.base_version, saved_at = excluded.saved_at,"
        " title = excluded.title, body = excluded.body");
    bind_all(*query, as_int(tenant), as_int(autosave.post_id), as_int(autosave.user_id),
             autosave.base_version, static_cast<std::int64_t>(autosave.saved_at), autosave.title,
             autosave.body);
    query->exec();
    return success();
  });
}

Result<std::optional<Autosave>> SqliteVersionStore::find_autosave(TenantId tenant, PostId post,
                                                                  UserId user) noexcept {
  return find_one(db_,
                  "SELECT post_id, user_id, base_version, saved_at, title, body FROM post_autosaves"
                  " WHERE tenant_id = ? AND post_id = ? AND user_id = ?",
                  read_autosave, as_int(tenant), as_int(post), as_int(user));
}

Result<bool> SqliteVersionStore::delete_autosave(TenantId tenant, PostId post,
                                                 UserId user) noexcept {
  return guarded([&]() -> Result<bool> {
    auto query =
        db_.query("DELETE FROM post_autosaves WHERE tenant_id = ? AND post_id = ? AND user_id = ?");
    bind_all(*query, as_int(tenant), as_int(post), as_int(user));
    return query->exec() > 0;
  });
}

}  // namespace quire::storage::sqlite
