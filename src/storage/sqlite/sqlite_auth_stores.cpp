// The SQLite stores of authentication: API keys, sessions, failed logins, the signing secret.

#include <fmt/format.h>

#include "core/json.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

std::int64_t as_int(std::int64_t value) {
  return value;
}

#define KEY_COLUMNS                                                                         \
  "id, tenant_id, public_id, name, scopes, created_by, created_at, expires_at, revoked_at," \
  " last_used_at, use_count, secret_hash, made_by_system"

KeyRow read_key(SQLite::Statement& row) {
  KeyRow stored;
  auto& key = stored.key;
  key.id = row.getColumn(0).getInt64();
  key.tenant_id = row.getColumn(1).getInt64();
  key.public_id = row.getColumn(2).getString();
  key.name = row.getColumn(3).getString();
  for (const auto& scope : detail::Json::parse(row.getColumn(4).getString())) {
    key.scopes.push_back(scope.get<std::string>());
  }
  key.created_by = row.getColumn(5).getInt64();
  key.created_at = row.getColumn(6).getInt64();
  key.expires_at = optional_column<std::int64_t>(row, 7);
  key.revoked_at = optional_column<std::int64_t>(row, 8);
  key.last_used_at = optional_column<std::int64_t>(row, 9);
  key.use_count = row.getColumn(10).getInt64();
  const auto hash = row.getColumn(11);
  stored.secret_hash.assign(static_cast<const char*>(hash.getBlob()), hash.getBytes());
  stored.made_by_system = row.getColumn(12).getInt() != 0;
  return stored;
}

// Binds every column of KEY_COLUMNS but id, from parameter 1.
void bind_key(SQLite::Statement& s, const KeyRow& row) {
  const auto& key = row.key;
  bind_all(s, as_int(key.tenant_id), key.public_id, key.name, detail::dump_json(key.scopes),
           as_int(key.created_by), static_cast<std::int64_t>(key.created_at));
  bind_optional(s, 7, key.expires_at);
  bind_optional(s, 8, key.revoked_at);
  bind_optional(s, 9, key.last_used_at);
  s.bind(10, key.use_count);
  s.bind(11, row.secret_hash.data(), static_cast<int>(row.secret_hash.size()));
  s.bind(12, row.made_by_system ? 1 : 0);
}

SessionRow read_session(SQLite::Statement& row) {
  return SessionRow{row.getColumn(0).getString(), row.getColumn(1).getInt64(),
                    row.getColumn(2).getInt64(),  row.getColumn(3).getInt64(),
                    row.getColumn(4).getInt64(),  optional_column<std::int64_t>(row, 5)};
}

}  // namespace

Result<std::int64_t> SqliteKeyStore::insert(const KeyRow& row) noexcept {
  return insert_row(db_,
                    "INSERT INTO api_keys (tenant_id, public_id, name, scopes, created_by,"
                    " created_at, expires_at, revoked_at, last_used_at, use_count, secret_hash,"
                    " made_by_system) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row, bind_key);
}

Result<std::optional<KeyRow>> SqliteKeyStore::find_by_public_id(
    std::string_view public_id) noexcept {
  return find_one(db_, "SELECT " KEY_COLUMNS " FROM api_keys WHERE public_id = ?", read_key,
                  std::string(public_id));
}

Result<std::optional<KeyRow>> SqliteKeyStore::find(TenantId tenant, std::int64_t id) noexcept {
  return find_one(db_, "SELECT " KEY_COLUMNS " FROM api_keys WHERE id = ? AND tenant_id = ?",
                  read_key, id, as_int(tenant));
}

Result<std::optional<KeyStanding>> SqliteKeyStore::find_with_standing(TenantId tenant,
                                                                      std::int64_t id) noexcept {
  return find_one(
      db_,
      "SELECT " KEY_COLUMNS
      ", (SELECT is_active AND deleted_at IS NULL FROM tenants"
      " WHERE id = api_keys.tenant_id),"
      " NOT made_by_system AND coalesce((SELECT is_active FROM users"
      " WHERE id = api_keys.created_by), 0),"
      " (SELECT role FROM members WHERE tenant_id = api_keys.tenant_id"
      " AND user_id = api_keys.created_by AND NOT api_keys.made_by_system)"
      " FROM api_keys WHERE id = ? AND tenant_id = ?",
      [](SQLite::Statement& row) {
        return KeyStanding{read_key(row), row.getColumn(13).getInt() != 0,
                           row.getColumn(14).getInt() != 0, optional_column<std::string>(row, 15)};
      },
      id, as_int(tenant));
}

Result<std::vector<ApiKey>> SqliteKeyStore::list(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<ApiKey>> {
    auto query = db_.query("SELECT " KEY_COLUMNS " FROM api_keys WHERE tenant_id = ? ORDER BY id");
    query->bind(1, as_int(tenant));
    return collect(query, [](SQLite::Statement& row) { return read_key(row).key; });
  });
}

Result<void> SqliteKeyStore::update(const KeyRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "UPDATE api_keys SET tenant_id = ?, public_id = ?, name = ?, scopes = ?, created_by = ?,"
        " created_at = ?, expires_at = ?, revoked_at = ?, last_used_at = ?, use_count = ?,"
        " secret_hash = ?, made_by_system = ? WHERE id = ? AND tenant_id = ?");
    bind_key(*query, row);
    query->bind(13, row.key.id);
    query->bind(14, as_int(row.key.tenant_id));
    if (query->exec() == 0) {
      return fail(Errc::not_found, fmt::format("API key {} not found", row.key.id));
    }
    return success();
  });
}

Result<std::optional<std::string>> SqliteSessionStore::secret() noexcept {
  return find_one(db_, "SELECT value FROM quire_secrets WHERE name = 'token'",
                  [](SQLite::Statement& row) {
                    const auto value = row.getColumn(0);
                    return std::string(static_cast<const char*>(value.getBlob()), value.getBytes());
                  });
}

Result<void> SqliteSessionStore::set_secret(std::string_view secret) noexcept {
  return guarded([&]() -> Result<void> {
    auto query =
        db_.query("INSERT OR REPLACE INTO quire_secrets (name, value) VALUES ('token', ?)");
    query->bind(1, secret.data(), static_cast<int>(secret.size()));
    query->exec();
    return success();
  });
}

Result<void> SqliteSessionStore::insert(const SessionRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "INSERT INTO sessions (jti, tenant_id, user_id, issued_at, expires_at) VALUES"
        " (?, ?, ?, ?, ?)");
    bind_all(*query, row.jti, as_int(row.tenant_id), as_int(row.user_id),
             static_cast<std::int64_t>(row.issued_at), static_cast<std::int64_t>(row.expires_at));
    query->exec();
    return success();
  });
}

Result<std::optional<SessionRow>> SqliteSessionStore::find(std::string_view jti) noexcept {
  return find_one(db_,
                  "SELECT jti, tenant_id, user_id, issued_at, expires_at, revoked_at FROM sessions"
                  " WHERE jti = ?",
                  read_session, std::string(jti));
}

Result<void> SqliteSessionStore::revoke(std::string_view jti, Timestamp at) noexcept {
  return guarded([&]() -> Result<void> {
    auto query =
        db_.query("UPDATE sessions SET revoked_at = coalesce(revoked_at, ?) WHERE jti = ?");
    bind_all(*query, static_cast<std::int64_t>(at), std::string(jti));
    if (query->exec() == 0) return fail(Errc::not_found, "session not found");
    return success();
  });
}

Result<std::pair<std::int64_t, Timestamp>> SqliteSessionStore::failures(
    TenantId tenant, std::string_view login) noexcept {
  return guarded([&]() -> Result<std::pair<std::int64_t, Timestamp>> {
    auto query =
        db_.query("SELECT failures, last_at FROM login_failures WHERE tenant_id = ? AND login = ?");
    bind_all(*query, as_int(tenant), std::string(login));
    if (!query->executeStep()) return std::pair<std::int64_t, Timestamp>{0, 0};
    return std::pair<std::int64_t, Timestamp>{query->getColumn(0).getInt64(),
                                              query->getColumn(1).getInt64()};
  });
}

Result<void> SqliteSessionStore::record_failure(TenantId tenant, std::string_view login,
                                                Timestamp at) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "INSERT INTO login_failures (tenant_id, login, failures, last_at) VALUES (?, ?, 1, ?)"
        " ON CONFLICT (tenant_id, login) DO UPDATE SET failures = failures + 1,"
        " last_at = excluded.last_at");
    bind_all(*query, as_int(tenant), std::string(login), static_cast<std::int64_t>(at));
    query->exec();
    return success();
  });
}

Result<void> SqliteSessionStore::clear_failures(TenantId tenant, std::string_view login) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query("DELETE FROM login_failures WHERE tenant_id = ? AND login = ?");
    bind_all(*query, as_int(tenant), std::string(login));
    query->exec();
    return success();
  });
}

}  // namespace quire::storage::sqlite
