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
    // 3: posts, their tags, old slugs, versions and full-text index. The rowid is the post id, so
    // an id lookup is one seek; every statement also names the tenant. Large columns come last,
    // so listings never read into a body's overflow pages.
    R"sql(
CREATE TABLE posts (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id          INTEGER NOT NULL REFERENCES tenants (id),
  type               TEXT    NOT NULL,
  parent_id          INTEGER,
  slug               TEXT    NOT NULL,
  title              TEXT    NOT NULL,
  status             TEXT    NOT NULL
                     CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'archived')),
  author_id          INTEGER NOT NULL,
  category           TEXT,
  tags               TEXT    NOT NULL DEFAULT '[]',
  version            INTEGER NOT NULL,
  published_version  INTEGER,
  reading_time       INTEGER NOT NULL,
  view_count         INTEGER NOT NULL DEFAULT 0,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  published_at       INTEGER,
  scheduled_at       INTEGER,
  deleted_at         INTEGER,
  excerpt            TEXT    NOT NULL,
  seo                TEXT    NOT NULL DEFAULT '{}',
  fields             TEXT    NOT NULL DEFAULT '{}',
  body               TEXT    NOT NULL,
  UNIQUE (tenant_id, type, slug)
) STRICT;

CREATE UNIQUE INDEX posts_by_tenant    ON posts (tenant_id, id);
CREATE INDEX posts_by_published        ON posts (tenant_id, status, ifnull(published_at, 0), id);
CREATE INDEX posts_by_updated          ON posts (tenant_id, updated_at, id);
CREATE INDEX posts_by_created          ON posts (tenant_id, created_at, id);
CREATE INDEX posts_by_parent           ON posts (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX posts_by_category         ON posts (tenant_id, category) WHERE category IS NOT NULL;
CREATE INDEX posts_scheduled           ON posts (tenant_id, scheduled_at) WHERE status = 'scheduled';

CREATE TABLE post_tags (
  tenant_id  INTEGER NOT NULL,
  tag        TEXT    NOT NULL,
  post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, tag, post_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX post_tags_by_post ON post_tags (post_id);

CREATE TABLE post_slugs (
  tenant_id  INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  slug       TEXT    NOT NULL,
  post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, type, slug)
) STRICT, WITHOUT ROWID;
CREATE INDEX post_slugs_by_post ON post_slugs (post_id);

CREATE TABLE post_versions (
  tenant_id   INTEGER NOT NULL,
  post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  author_id   INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  size        INTEGER NOT NULL,
  summary     TEXT    NOT NULL,
  title       TEXT    NOT NULL,
  snapshot    TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  UNIQUE (tenant_id, post_id, number)
) STRICT;
-- Listing a post's versions reads this index alone, never a body.
CREATE INDEX post_versions_listing
  ON post_versions (tenant_id, post_id, number, kind, author_id, created_at, size, summary);

-- Tenant-first: quire_tenant files every term under its tenant ("12:word"), so each tenant's
-- terms have doclists of their own (src/storage/sqlite/sqlite_search.hpp).
CREATE VIRTUAL TABLE posts_fts USING fts5 (
  title, body, content = 'posts', content_rowid = 'id',
  tokenize = 'quire_tenant unicode61 remove_diacritics 2'
);
-- Each tenant's share of posts_fts, for quire_bm25: documents indexed and their total tokens.
CREATE TABLE post_search_stats (
  tenant_id  INTEGER PRIMARY KEY,
  documents  INTEGER NOT NULL,
  tokens     INTEGER NOT NULL
) STRICT;
)sql",
    // 4: autosaves, one slot per (post, user): an editor's unsaved title and body. Overwritten in
    // place, so a plain table; the index on post_id serves the cascade when a post is purged.
    R"sql(
CREATE TABLE post_autosaves (
  tenant_id     INTEGER NOT NULL,
  post_id       INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  user_id       INTEGER NOT NULL,
  base_version  INTEGER NOT NULL,
  saved_at      INTEGER NOT NULL,
  title         TEXT    NOT NULL,
  body          TEXT    NOT NULL,
  PRIMARY KEY (tenant_id, post_id, user_id)
) STRICT;
CREATE INDEX post_autosaves_by_post ON post_autosaves (post_id);
)sql",
    // 5: permissions and authentication: custom roles, per-item grants, API keys (their secrets
    // only as hashes), login sessions, failed-login counters and the token-signing secret.
    R"sql(
CREATE TABLE roles (
  tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
  name         TEXT    NOT NULL,
  permissions  TEXT    NOT NULL,
  PRIMARY KEY (tenant_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE grants (
  tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
  resource_type  TEXT    NOT NULL,
  resource_id    TEXT    NOT NULL,
  user_id        INTEGER NOT NULL REFERENCES users (id),
  level          TEXT    NOT NULL CHECK (level IN ('read', 'write', 'admin')),
  PRIMARY KEY (tenant_id, resource_type, resource_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE api_keys (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
  public_id     TEXT    NOT NULL UNIQUE,
  secret_hash   BLOB    NOT NULL,
  name          TEXT    NOT NULL,
  scopes        TEXT    NOT NULL,
  created_by    INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,
  revoked_at    INTEGER,
  last_used_at  INTEGER,
  use_count     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);

CREATE TABLE sessions (
  jti         TEXT    PRIMARY KEY,
  tenant_id   INTEGER NOT NULL,
  user_id     INTEGER NOT NULL,
  issued_at   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE login_failures (
  tenant_id   INTEGER NOT NULL,
  user_id     INTEGER NOT NULL,
  failures    INTEGER NOT NULL,
  last_at     INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE quire_secrets (
  name   TEXT PRIMARY KEY,
  value  BLOB NOT NULL
) STRICT, WITHOUT ROWID;
)sql",
    // 6: fewer b-trees on the write path (benchmarks/README.md). Each b-tree a write touches is a
    // page more in the WAL and again in the checkpoint.
    // - posts_by_tenant goes: a post is found by its rowid, and every other posts index starts
    //   with tenant_id, so nothing reads through it.
    // - post_versions becomes its own listing: keyed by (post_id, number) WITHOUT ROWID, one
    //   b-tree where there were three (the table, the UNIQUE index, post_versions_listing). Its
    //   metadata comes first, so a listing reads each row's leaf cell and never the overflow
    //   pages of its body; the key starts with post_id, so purging a post finds its versions
    //   (ON DELETE CASCADE) by a seek, not a scan. post_id determines the tenant, so the key is
    //   as unique as (tenant_id, post_id, number) was; every query still names the tenant.
    // - audit_log is keyed by (tenant_id, seq) WITHOUT ROWID: the table is its own primary key
    //   index. Its four filter indexes stay (seq, the key's tail, orders each of them).
    R"sql(
DROP INDEX posts_by_tenant;

CREATE TABLE post_versions_v6 (
  post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,
  tenant_id   INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  author_id   INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  size        INTEGER NOT NULL,
  summary     TEXT    NOT NULL,
  title       TEXT    NOT NULL,
  snapshot    TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  PRIMARY KEY (post_id, number)
) STRICT, WITHOUT ROWID;
INSERT INTO post_versions_v6 (post_id, number, tenant_id, kind, author_id, created_at, size,
                              summary, title, snapshot, body)
  SELECT post_id, number, tenant_id, kind, author_id, created_at, size, summary, title, snapshot,
         body FROM post_versions;
DROP TABLE post_versions;
ALTER TABLE post_versions_v6 RENAME TO post_versions;

CREATE TABLE audit_log_v6 (
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
) STRICT, WITHOUT ROWID;
INSERT INTO audit_log_v6 SELECT tenant_id, seq, at, actor_type, actor_id, action, resource_type,
  resource_id, outcome, ip, user_agent, request_id, prev_hash, hash, old_values, new_values
  FROM audit_log ORDER BY tenant_id, seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_v6 RENAME TO audit_log;

CREATE INDEX audit_by_type     ON audit_log (tenant_id, resource_type, seq);
CREATE INDEX audit_by_resource ON audit_log (tenant_id, resource_id, seq);
CREATE INDEX audit_by_actor    ON audit_log (tenant_id, actor_id, seq);
CREATE INDEX audit_by_action   ON audit_log (tenant_id, action, seq);

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
    // 7: a version's title, snapshot and body move to post_version_bodies, a rowid table that
    // each version appends to, and post_versions keeps the metadata alone: small rows keyed by
    // (post_id, number), so a listing reads a few dense pages (with the bodies inline, schema 6's
    // rows filled a page apiece, and a listing read pages the cache no longer held). Two b-trees
    // per version, where schema 5 wrote three. A version's body goes with it (the trigger), also
    // when a purged post's versions go by ON DELETE CASCADE.
    R"sql(
CREATE TABLE post_version_bodies (
  id        INTEGER PRIMARY KEY,
  title     TEXT    NOT NULL,
  snapshot  TEXT    NOT NULL,
  body      TEXT    NOT NULL
) STRICT;

CREATE TABLE post_versions_v7 (
  post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,
  tenant_id   INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  author_id   INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  size        INTEGER NOT NULL,
  summary     TEXT    NOT NULL,
  body_id     INTEGER NOT NULL,
  PRIMARY KEY (post_id, number)
) STRICT, WITHOUT ROWID;

INSERT INTO post_version_bodies (id, title, snapshot, body)
  SELECT row_number() OVER (ORDER BY post_id, number), title, snapshot, body FROM post_versions;
INSERT INTO post_versions_v7 (post_id, number, tenant_id, kind, author_id, created_at, size,
                              summary, body_id)
  SELECT post_id, number, tenant_id, kind, author_id, created_at, size, summary,
         row_number() OVER (ORDER BY post_id, number) FROM post_versions;
DROP TABLE post_versions;
ALTER TABLE post_versions_v7 RENAME TO post_versions;

CREATE TRIGGER post_versions_drop_body AFTER DELETE ON post_versions
BEGIN
  DELETE FROM post_version_bodies WHERE id = old.body_id;
END;
)sql",
    // 8: each tenant's count of posts not in the trash, for the post quota: kept by the post store
    // beside the search statistics, in the same row and the same transaction as every insert,
    // soft delete, restore and purge, so a quota check reads one row where it counted every post
    // (0.5 ms a create at 1,000 posts, 7 ms at 6,000). A tenant with posts has a row already
    // (every insert writes it); the upsert also covers one without.
    R"sql(
ALTER TABLE post_search_stats ADD COLUMN live_posts INTEGER NOT NULL DEFAULT 0;
INSERT INTO post_search_stats (tenant_id, documents, tokens, live_posts)
  SELECT tenant_id, 0, 0, count(*) FROM posts WHERE deleted_at IS NULL GROUP BY tenant_id
  ON CONFLICT (tenant_id) DO UPDATE SET live_posts = excluded.live_posts;
)sql",
    // 9: a chain's denials, newest first, for the audit filter on outcome alone: without it the
    // query walked the whole chain by (tenant_id, seq) until a page of denials turned up, 29–41×
    // slower at 1M entries than at 10k (benchmarks/README.md). Partial, so the write path pays
    // for it only on a denial; the audit store names the outcome as a literal so that it applies.
    R"sql(
CREATE INDEX audit_denied ON audit_log (tenant_id, seq) WHERE outcome = 'denied';
)sql",
    // 10: who stands behind an API key, said explicitly. Until now created_by 0 meant both "made
    // by the system context" and "minted by another key", and the standing check took 0 for an
    // active creator, so a key minted by a key outlived its parent and the person behind it.
    // made_by_system marks the keys the system made; every other key's created_by is a person.
    // The audit trail tells the old keys apart: a key minted by a key gets the creator of the
    // key that minted it (one level; deeper chains and keys whose key.create entry was purged
    // keep created_by 0 without the mark, and are refused: make them again).
    R"sql(
ALTER TABLE api_keys ADD COLUMN made_by_system INTEGER NOT NULL DEFAULT 0
  CHECK (made_by_system IN (0, 1));
UPDATE api_keys SET created_by = coalesce((
    SELECT parent.created_by FROM audit_log a
      JOIN api_keys parent ON parent.tenant_id = a.tenant_id AND parent.id = a.actor_id
     WHERE a.tenant_id = api_keys.tenant_id AND a.action = 'key.create' AND a.outcome = 'ok'
       AND a.actor_type = 'api_key' AND a.resource_id = CAST(api_keys.id AS TEXT)), 0)
 WHERE created_by = 0;
UPDATE api_keys SET made_by_system = 1
 WHERE created_by = 0 AND EXISTS (
    SELECT 1 FROM audit_log a
     WHERE a.tenant_id = api_keys.tenant_id AND a.action = 'key.create' AND a.outcome = 'ok'
       AND a.actor_type = 'system' AND a.resource_id = CAST(api_keys.id AS TEXT));
)sql",
    // 11: failed logins counted per name as typed (lower-cased), not per account: counting only
    // real accounts made "too many failed logins" tell which accounts exist. tenant_id is 0 for a
    // tenant reference that names no tenant (login then names the reference too). The old
    // counters are only a throttle's memory and go.
    R"sql(
DROP TABLE login_failures;
CREATE TABLE login_failures (
  tenant_id   INTEGER NOT NULL,
  login       TEXT    NOT NULL,
  failures    INTEGER NOT NULL,
  last_at     INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, login)
) STRICT, WITHOUT ROWID;
)sql",
    // 12: invitations to join a tenant, the way a tenant's admins add people (only the system
    // context adds a member directly). The token is never stored, only its BLAKE2b-256 hash, by
    // which a presented token is found. The partial index serves the listing of pending ones.
    R"sql(
CREATE TABLE invitations (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
  email        TEXT    NOT NULL,
  role         TEXT    NOT NULL,
  invited_by   INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  accepted_at  INTEGER,
  accepted_by  INTEGER,
  revoked_at   INTEGER,
  token_hash   BLOB    NOT NULL UNIQUE
) STRICT;
CREATE INDEX invitations_pending ON invitations (tenant_id, id)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
)sql",
};

constexpr int quire_application_id = 0x51554952;  // "QUIR", so tools can tell the file apart

}  // namespace

namespace {

// Applies migration `version` and records it; a failure names the step and says that the file
// stays at the version the open found.
Result<void> apply_step(Connection& writer, int version, int found) {
  try {
    writer.exec(migrations[static_cast<std::size_t>(version - 1)]);
    auto record = writer.query("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
    record->bind(1, version);
    record->bind(2, static_cast<std::int64_t>(now_ms()));
    record->exec();
    return success();
  } catch (const SQLite::Exception& e) {
    auto error = sqlite_error(e.getExtendedErrorCode(), e.what());
    error.message = fmt::format(
        "schema migration {} failed ({}); the database is left at schema "
        "version {}, as it was",
        version, error.message, found);
    return error;
  }
}

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

namespace {

// Whether the file holds schema_version as quire creates it: a quire file from before
// application_id was set (it is set on them in their next migration).
bool has_quire_schema_version(Connection& connection) {
  auto columns = connection.query(
      "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('schema_version') "
      "ORDER BY cid)");
  return columns->executeStep() && !columns->getColumn(0).isNull() &&
         columns->getColumn(0).getString() == "version,applied_at";
}

// Up to three names of what the file holds, for the message that refuses it.
std::string some_objects(Connection& connection) {
  auto names = connection.query(
      "SELECT group_concat(name, ', ') FROM (SELECT name FROM sqlite_schema "
      "WHERE name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 3)");
  return names->executeStep() && !names->getColumn(0).isNull() ? names->getColumn(0).getString()
                                                               : std::string();
}

Result<void> check_owned(Connection& connection, std::string_view file) {
  auto application = connection.query("PRAGMA application_id");
  application->executeStep();
  const int id = application->getColumn(0).getInt();
  if (id == quire_application_id) return success();
  const std::string objects = some_objects(connection);
  if (objects.empty()) return success();  // a new or empty file: quire's to fill
  if (id == 0 && has_quire_schema_version(connection)) return success();
  return fail(Errc::invalid_argument,
              fmt::format("{} is not a quire database: it holds {} and {}; quire opens only files "
                          "it created (or empty ones) and has left this one unchanged",
                          file, objects,
                          id == 0 ? "no application_id"
                                  : fmt::format("the application_id {:#x} of another application",
                                                static_cast<std::uint32_t>(id))));
}

}  // namespace

Result<void> require_quire_file(Connection& connection, std::string_view file) noexcept {
  return guarded([&]() -> Result<void> {
    // A read transaction, so that the file is seen as of one commit (another quire process may be
    // creating it this moment; its migration commits all at once).
    connection.control(Connection::Control::begin);
    RollbackUnlessCommitted guard(connection);
    QUIRE_TRY(check_owned(connection, file));
    guard.commit();
    return success();
  });
}

Result<void> migrate(Connection& writer, std::string_view file) noexcept {
  return guarded([&]() -> Result<void> {
    const int latest = latest_schema_version();
    // One transaction for every pending step: an open leaves the file at the version it found or
    // at the latest, never between. IMMEDIATE, so that two processes opening a new file at once
    // do not both apply a step: the second finds them applied.
    writer.control(Connection::Control::begin_immediate);
    RollbackUnlessCommitted guard(writer);
    // Again under the write lock: what another process wrote since the first look counts.
    QUIRE_TRY(check_owned(writer, file));
    writer.exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT");
    QUIRE_TRY(const int found, current_schema_version(writer));
    if (found > latest) {
      return fail(Errc::not_supported,
                  fmt::format("the database is at schema version {}, newer than this quire "
                              "(schema version {}) can read; upgrade quire",
                              found, latest));
    }
    if (found == latest) {
      guard.commit();
      return success();
    }
    for (int current = found; current < latest; ++current) {
      QUIRE_TRY(apply_step(writer, current + 1, found));
    }
    writer.exec(fmt::format("PRAGMA application_id = {}", quire_application_id).c_str());
    guard.commit();
    return success();
  });
}

}  // namespace quire::storage::sqlite
