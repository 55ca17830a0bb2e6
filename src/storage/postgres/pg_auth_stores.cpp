// The PostgreSQL stores of authentication: API keys, sessions, failed logins, the signing secret.
//
// api_keys, sessions and login_failures are tenant-owned. A presented key or token names no
// tenant, only its public id or jti, so the global directories api_key_ids and session_ids map
// those to the tenant (and hold nothing else); the row itself is then read under row-level
// security like any other. quire_secrets is per database, as on SQLite.

#include <fmt/format.h>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

namespace {

#define KEY_COLUMNS                                                                         \
  "id, tenant_id, public_id, name, scopes, created_by, created_at, expires_at, revoked_at," \
  " last_used_at, use_count, secret_hash, made_by_system"

KeyRow read_key(const PgResult& r, int row) {
  KeyRow stored;
  auto& key = stored.key;
  key.id = r.int64(row, 0);
  key.tenant_id = r.int64(row, 1);
  key.public_id = r.string(row, 2);
  key.name = r.string(row, 3);
  for (const auto& scope : detail::Json::parse(r.text(row, 4))) {
    key.scopes.push_back(scope.get<std::string>());
  }
  key.created_by = r.int64(row, 5);
  key.created_at = r.int64(row, 6);
  key.expires_at = r.optional_int64(row, 7);
  key.revoked_at = r.optional_int64(row, 8);
  key.last_used_at = r.optional_int64(row, 9);
  key.use_count = r.int64(row, 10);
  stored.secret_hash = bytea_bytes(r, row, 11);
  stored.made_by_system = r.boolean(row, 12);
  return stored;
}

// Every column of KEY_COLUMNS but id: $1 … $12.
Params key_params(const KeyRow& row) {
  const auto& key = row.key;
  return Params(key.tenant_id, key.public_id, key.name, detail::dump_json(key.scopes),
                key.created_by, key.created_at, key.expires_at, key.revoked_at, key.last_used_at,
                key.use_count, bytea_param(row.secret_hash), row.made_by_system);
}

SessionRow read_session(const PgResult& r, int row) {
  return SessionRow{r.string(row, 0), r.int64(row, 1), r.int64(row, 2),
                    r.int64(row, 3),  r.int64(row, 4), r.optional_int64(row, 5)};
}

// The tenant a directory (api_key_ids, session_ids) files `id` under, if any.
Result<std::optional<TenantId>> directory_tenant(Session& db, std::string_view sql,
                                                 std::string_view id) {
  QUIRE_TRY(auto result, db.read(sql, Params(id)));
  return first_row(result, [](const PgResult& r, int row) { return TenantId{r.int64(row, 0)}; });
}

}  // namespace

std::string bytea_param(std::string_view bytes) {
  return "\\x" + detail::to_hex(bytes);
}

std::string bytea_bytes(const PgResult& result, int row, int column) {
  const auto text = result.text(row, column);
  auto bytes = text.starts_with("\\x") ? detail::from_hex(text.substr(2)) : std::nullopt;
  if (!bytes) throw BadValue("a bytea column is not in hex form");
  return std::move(*bytes);
}

Result<std::int64_t> PgKeyStore::insert(const KeyRow& row) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    QUIRE_TRY(auto result,
              db_.write_in(row.key.tenant_id,
                           "WITH d AS (INSERT INTO api_key_ids (public_id, tenant_id)"
                           " VALUES ($2, $1))"
                           " INSERT INTO api_keys (tenant_id, public_id, name, scopes, created_by,"
                           " created_at, expires_at, revoked_at, last_used_at, use_count,"
                           " secret_hash, made_by_system)"
                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                           " RETURNING id",
                           key_params(row)));
    return result.int64(0, 0);
  });
}

Result<std::optional<KeyRow>> PgKeyStore::find_by_public_id(std::string_view public_id) noexcept {
  return guarded([&]() -> Result<std::optional<KeyRow>> {
    QUIRE_TRY(
        auto tenant,
        directory_tenant(db_, "SELECT tenant_id FROM api_key_ids WHERE public_id = $1", public_id));
    if (!tenant) return std::optional<KeyRow>();
    QUIRE_TRY(auto result, db_.read_in(*tenant,
                                       "SELECT " KEY_COLUMNS " FROM api_keys"
                                       " WHERE tenant_id = $1 AND public_id = $2",
                                       Params(*tenant, public_id)));
    return first_row(result, read_key);
  });
}

Result<std::optional<KeyRow>> PgKeyStore::find(TenantId tenant, std::int64_t id) noexcept {
  return guarded([&]() -> Result<std::optional<KeyRow>> {
    QUIRE_TRY(
        auto result,
        db_.read_in(tenant, "SELECT " KEY_COLUMNS " FROM api_keys WHERE tenant_id = $1 AND id = $2",
                    Params(tenant, id)));
    return first_row(result, read_key);
  });
}

Result<std::optional<KeyStanding>> PgKeyStore::find_with_standing(TenantId tenant,
                                                                  std::int64_t id) noexcept {
  return guarded([&]() -> Result<std::optional<KeyStanding>> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT " KEY_COLUMNS ", (SELECT t.is_active AND t.deleted_at IS NULL"
                          " FROM tenants t WHERE t.id = api_keys.tenant_id),"
                          " NOT made_by_system AND coalesce((SELECT u.is_active FROM users u"
                          " WHERE u.id = api_keys.created_by), false),"
                          " (SELECT m.role FROM members m WHERE m.tenant_id = api_keys.tenant_id"
                          " AND m.user_id = api_keys.created_by AND NOT api_keys.made_by_system)"
                          " FROM api_keys WHERE tenant_id = $1 AND id = $2",
                          Params(tenant, id)));
    return first_row(result, [](const PgResult& r, int row) {
      return KeyStanding{read_key(r, row), r.boolean(row, 13), r.boolean(row, 14),
                         r.optional_string(row, 15)};
    });
  });
}

Result<std::vector<ApiKey>> PgKeyStore::list(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<ApiKey>> {
    QUIRE_TRY(
        auto result,
        db_.read_in(tenant, "SELECT " KEY_COLUMNS " FROM api_keys WHERE tenant_id = $1 ORDER BY id",
                    Params(tenant)));
    return collect(result, [](const PgResult& r, int row) { return read_key(r, row).key; });
  });
}

Result<void> PgKeyStore::update(const KeyRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto params = key_params(row);
    params.add(row.key.id);
    // The directory follows a changed public id.
    QUIRE_TRY(auto result,
              db_.write_in(row.key.tenant_id,
                           "WITH d AS (UPDATE api_key_ids SET public_id = $2 WHERE public_id ="
                           " (SELECT public_id FROM api_keys WHERE tenant_id = $1 AND id = $13)"
                           " AND public_id <> $2),"
                           " u AS (UPDATE api_keys SET public_id = $2, name = $3, scopes = $4,"
                           " created_by = $5, created_at = $6, expires_at = $7, revoked_at = $8,"
                           " last_used_at = $9, use_count = $10, secret_hash = $11,"
                           " made_by_system = $12 WHERE tenant_id = $1 AND id = $13 RETURNING id)"
                           " SELECT count(*) FROM u",
                           params));
    if (result.int64(0, 0) == 0) {
      return fail(Errc::not_found, fmt::format("API key {} not found", row.key.id));
    }
    return success();
  });
}

Result<std::optional<std::string>> PgSessionStore::secret() noexcept {
  return guarded([&]() -> Result<std::optional<std::string>> {
    QUIRE_TRY(auto result, db_.read("SELECT value FROM quire_secrets WHERE name = 'token'"));
    return first_row(result, [](const PgResult& r, int row) { return bytea_bytes(r, row, 0); });
  });
}

Result<void> PgSessionStore::set_secret(std::string_view secret) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(
        db_.write("INSERT INTO quire_secrets (name, value) VALUES ('token', $1)"
                  " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                  Params(bytea_param(secret))));
    return success();
  });
}

Result<void> PgSessionStore::insert(const SessionRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(
        db_.write_in(row.tenant_id,
                     "WITH d AS (INSERT INTO session_ids (jti, tenant_id) VALUES ($1, $2))"
                     " INSERT INTO sessions (jti, tenant_id, user_id, issued_at, expires_at)"
                     " VALUES ($1, $2, $3, $4, $5)",
                     Params(row.jti, row.tenant_id, row.user_id, row.issued_at, row.expires_at)));
    return success();
  });
}

Result<std::optional<SessionRow>> PgSessionStore::find(std::string_view jti) noexcept {
  return guarded([&]() -> Result<std::optional<SessionRow>> {
    QUIRE_TRY(auto tenant,
              directory_tenant(db_, "SELECT tenant_id FROM session_ids WHERE jti = $1", jti));
    if (!tenant) return std::optional<SessionRow>();
    QUIRE_TRY(auto result,
              db_.read_in(*tenant,
                          "SELECT jti, tenant_id, user_id, issued_at, expires_at, revoked_at"
                          " FROM sessions WHERE tenant_id = $1 AND jti = $2",
                          Params(*tenant, jti)));
    return first_row(result, read_session);
  });
}

Result<void> PgSessionStore::revoke(std::string_view jti, Timestamp at) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(auto tenant,
              directory_tenant(db_, "SELECT tenant_id FROM session_ids WHERE jti = $1", jti));
    if (!tenant) return fail(Errc::not_found, "session not found");
    QUIRE_TRY(auto result, db_.write_in(*tenant,
                                        "UPDATE sessions SET revoked_at = coalesce(revoked_at, $1)"
                                        " WHERE tenant_id = $2 AND jti = $3",
                                        Params(at, *tenant, jti)));
    if (result.affected() == 0) return fail(Errc::not_found, "session not found");
    return success();
  });
}

Result<std::pair<std::int64_t, Timestamp>> PgSessionStore::failures(
    TenantId tenant, std::string_view login) noexcept {
  return guarded([&]() -> Result<std::pair<std::int64_t, Timestamp>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT failures, last_at FROM login_failures"
                                       " WHERE tenant_id = $1 AND login = $2",
                                       Params(tenant, login)));
    if (result.empty()) return std::pair<std::int64_t, Timestamp>{0, 0};
    return std::pair<std::int64_t, Timestamp>{result.int64(0, 0), result.int64(0, 1)};
  });
}

Result<void> PgSessionStore::record_failure(TenantId tenant, std::string_view login,
                                            Timestamp at) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(tenant,
                           "INSERT INTO login_failures (tenant_id, login, failures, last_at)"
                           " VALUES ($1, $2, 1, $3) ON CONFLICT (tenant_id, login) DO UPDATE"
                           " SET failures = login_failures.failures + 1,"
                           " last_at = excluded.last_at",
                           Params(tenant, login, at)));
    return success();
  });
}

Result<void> PgSessionStore::clear_failures(TenantId tenant, std::string_view login) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(tenant, "DELETE FROM login_failures WHERE tenant_id = $1 AND login = $2",
                           Params(tenant, login)));
    return success();
  });
}

}  // namespace quire::storage::postgres
