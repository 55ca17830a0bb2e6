#include "storage/sqlite/sqlite_schema.hpp"

#include <fmt/format.h>

#include <array>
#include <quire/time.hpp>

#include "storage/sqlite/sqlite_errors.hpp"

namespace quire::storage::sqlite {

namespace {

// Append only: a released migration is never edited, so every database walks the same path.
constexpr std::array migrations = {
    // 1: tenants, users, memberships.
    R"sql(
CREATE TABLE tenants (
  id          INTEGER PRIMARY KEY,
  slug        TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  plan        TEXT    NOT NULL,
  domain      TEXT    UNIQUE,
  settings    TEXT    NOT NULL DEFAULT '{}',
  is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  deleted_at  INTEGER
) STRICT;

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE,
  email         TEXT    NOT NULL UNIQUE,
  display_name  TEXT    NOT NULL DEFAULT '',
  password_hash TEXT    NOT NULL,
  is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE members (
  tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
  user_id    INTEGER NOT NULL REFERENCES users (id),
  role       TEXT    NOT NULL,
  joined_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX members_by_user ON members (user_id, tenant_id);
)sql",
    // 2: the audit trail, append-only. A row is removed only while audit_purge holds a row, which
    // the retention purge inserts and deletes again in its own transaction.
    R"sql(
CREATE TABLE audit_log (
  tenant_id      INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  at             INTEGER NOT NULL,
  actor_type     TEXT    NOT NULL,
  actor_id       INTEGER NOT NULL,
  action         TEXT    NOT NULL,
  resource_type  TEXT    NOT NULL,
  resource_id    TEXT    NOT NULL,
  outcome        TEXT    NOT NULL CHECK (outcome IN ('ok', 'denied')),
  ip             TEXT    NOT NULL,
  user_agent     TEXT    NOT NULL,
  request_id     TEXT    NOT NULL,
  prev_hash      BLOB    NOT NULL,
  hash           BLOB    NOT NULL,
  old_values     TEXT,
  new_values     TEXT,
  PRIMARY KEY (tenant_id, seq)
) STRICT;

CREATE INDEX audit_by_type     ON audit_log (tenant_id, resource_type, seq);
CREATE INDEX audit_by_resource ON audit_log (tenant_id, resource_id, seq);
CREATE INDEX audit_by_actor    ON audit_log (tenant_id, actor_id, seq);
CREATE INDEX audit_by_action   ON audit_log (tenant_id, action, seq);

CREATE TABLE audit_purge (active INTEGER NOT NULL) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_purge)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: entries are removed only by the retention purge');
END;
)sql",
};

constexpr int quire_application_id = 0x51554952;  // "QUIR", so tools can tell the file apart

}  // namespace

int latest_schema_version() noexcept {
  return static_cast<int>(migrations.size());
}

Result<int> current_schema_version(Connection& connection) noexcept {
  return guarded([&]() -> Result<int> {
    if (!connection.db().tableExists("schema_version")) return 0;
    auto query = connection.query("SELECT coalesce(max(version), 0) FROM schema_version");
    query->executeStep();
    return query->getColumn(0).getInt();
  });
}

Result<void> migrate(Connection& writer) noexcept {
  return guarded([&]() -> Result<void> {
    const int latest = latest_schema_version();
    for (;;) {
      writer.exec("BEGIN IMMEDIATE");
      RollbackUnlessCommitted guard(writer);
      writer.exec(
          "CREATE TABLE IF NOT EXISTS schema_version ("
          " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT");
      QUIRE_TRY(const int current, current_schema_version(writer));
      if (current > latest) {
        return fail(Errc::not_supported,
                    fmt::format("the database is at schema version {}, newer than this quire "
                                "(schema version {}) can read; upgrade quire",
                                current, latest));
      }
      if (current == latest) {
        guard.commit();
        return success();
      }
      writer.exec(migrations[static_cast<std::size_t>(current)]);
      auto record = writer.query("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
      record->bind(1, current + 1);
      record->bind(2, static_cast<std::int64_t>(now_ms()));
      record->exec();
      writer.exec(fmt::format("PRAGMA application_id = {}", quire_application_id).c_str());
      guard.commit();
    }
  });
}

}  // namespace quire::storage::sqlite
