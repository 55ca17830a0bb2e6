// Workload W1 written by hand on the sqlite3 C API: the lower bound for quire. The same rows (the
// post with its tags as JSON and in post_tags, a version row holding the body and a JSON snapshot,
// an audit entry with the same columns and a BLAKE2b-256 hash chain), the same FTS5 updates and the
// same reads, with every statement prepared once for the whole run and nothing else in between.
// See benchmarks/README.md for what is deliberately the same and what is leaner.

#include <sodium.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/workload.hpp"

namespace {

// ---- the schema --------------------------------------------------------------------------------

// lean: the constraints and indexes W1 needs, nothing more. Same columns as quire's tables.
constexpr const char* lean_schema = R"sql(
CREATE TABLE tenants (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  plan TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
  is_active INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE members (tenant_id INTEGER NOT NULL REFERENCES tenants (id),
  user_id INTEGER NOT NULL REFERENCES users (id), role TEXT NOT NULL, joined_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)) WITHOUT ROWID;
CREATE TABLE posts (
  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants (id), type TEXT NOT NULL,
  parent_id INTEGER, slug TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL,
  author_id INTEGER NOT NULL, category TEXT, tags TEXT NOT NULL, version INTEGER NOT NULL,
  published_version INTEGER, reading_time INTEGER NOT NULL, view_count INTEGER NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, published_at INTEGER,
  scheduled_at INTEGER, deleted_at INTEGER, excerpt TEXT NOT NULL, seo TEXT NOT NULL,
  fields TEXT NOT NULL, body TEXT NOT NULL,
  UNIQUE (tenant_id, type, slug));
CREATE INDEX posts_published ON posts (tenant_id, status, published_at, id);
CREATE TABLE post_tags (tenant_id INTEGER NOT NULL, tag TEXT NOT NULL,
  post_id INTEGER NOT NULL REFERENCES posts (id), PRIMARY KEY (tenant_id, tag, post_id))
  WITHOUT ROWID;
CREATE TABLE post_versions (tenant_id INTEGER NOT NULL,
  post_id INTEGER NOT NULL REFERENCES posts (id), number INTEGER NOT NULL, kind TEXT NOT NULL,
  author_id INTEGER NOT NULL, created_at INTEGER NOT NULL, size INTEGER NOT NULL,
  summary TEXT NOT NULL, title TEXT NOT NULL, snapshot TEXT NOT NULL, body TEXT NOT NULL,
  UNIQUE (tenant_id, post_id, number));
CREATE TABLE audit_log (tenant_id INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  actor_type TEXT NOT NULL, actor_id INTEGER NOT NULL, action TEXT NOT NULL,
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, outcome TEXT NOT NULL, ip TEXT NOT NULL,
  user_agent TEXT NOT NULL, request_id TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
  old_values TEXT, new_values TEXT, PRIMARY KEY (tenant_id, seq));
CREATE INDEX audit_by_type ON audit_log (tenant_id, resource_type, seq);
CREATE VIRTUAL TABLE posts_fts USING fts5 (title, body, content = 'posts', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
)sql";

// quire: quire's own tables as of its schema version 6 (src/storage/sqlite/sqlite_schema.cpp):
// STRICT, AUTOINCREMENT, versions and audit entries WITHOUT ROWID, and every index it keeps for
// queries W1 does not make. (Schema 7 moved version bodies to a table of their own; the baseline
// keeps them inline, so its statements serve both schemas.) Running the
// baseline on it separates the cost of the schema from the cost of the code.
constexpr const char* quire_schema = R"sql(
CREATE TABLE tenants (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  plan TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
  is_active INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE members (tenant_id INTEGER NOT NULL REFERENCES tenants (id),
  user_id INTEGER NOT NULL REFERENCES users (id), role TEXT NOT NULL, joined_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, user_id)) STRICT, WITHOUT ROWID;
CREATE INDEX members_by_user ON members (user_id, tenant_id);
CREATE TABLE audit_log (tenant_id INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  actor_type TEXT NOT NULL, actor_id INTEGER NOT NULL, action TEXT NOT NULL,
  resource_type TEXT NOT NULL, resource_id TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied')), ip TEXT NOT NULL,
  user_agent TEXT NOT NULL, request_id TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
  old_values TEXT, new_values TEXT, PRIMARY KEY (tenant_id, seq)) STRICT, WITHOUT ROWID;
CREATE INDEX audit_by_type     ON audit_log (tenant_id, resource_type, seq);
CREATE INDEX audit_by_resource ON audit_log (tenant_id, resource_id, seq);
CREATE INDEX audit_by_actor    ON audit_log (tenant_id, actor_id, seq);
CREATE INDEX audit_by_action   ON audit_log (tenant_id, action, seq);
CREATE TABLE audit_purge (active INTEGER NOT NULL) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_purge)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL REFERENCES tenants (id),
  type TEXT NOT NULL, parent_id INTEGER, slug TEXT NOT NULL, title TEXT NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'archived')),
  author_id INTEGER NOT NULL, category TEXT, tags TEXT NOT NULL DEFAULT '[]',
  version INTEGER NOT NULL, published_version INTEGER, reading_time INTEGER NOT NULL,
  view_count INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  published_at INTEGER, scheduled_at INTEGER, deleted_at INTEGER, excerpt TEXT NOT NULL,
  seo TEXT NOT NULL DEFAULT '{}', fields TEXT NOT NULL DEFAULT '{}', body TEXT NOT NULL,
  UNIQUE (tenant_id, type, slug)) STRICT;
CREATE INDEX posts_by_published        ON posts (tenant_id, status, ifnull(published_at, 0), id);
CREATE INDEX posts_by_updated          ON posts (tenant_id, updated_at, id);
CREATE INDEX posts_by_created          ON posts (tenant_id, created_at, id);
CREATE INDEX posts_by_parent           ON posts (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX posts_by_category         ON posts (tenant_id, category) WHERE category IS NOT NULL;
CREATE INDEX posts_scheduled           ON posts (tenant_id, scheduled_at) WHERE status = 'scheduled';
CREATE TABLE post_tags (tenant_id INTEGER NOT NULL, tag TEXT NOT NULL,
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, tag, post_id)) STRICT, WITHOUT ROWID;
CREATE INDEX post_tags_by_post ON post_tags (post_id);
CREATE TABLE post_slugs (tenant_id INTEGER NOT NULL, type TEXT NOT NULL, slug TEXT NOT NULL,
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, type, slug)) STRICT, WITHOUT ROWID;
CREATE INDEX post_slugs_by_post ON post_slugs (post_id);
CREATE TABLE post_versions (post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  number INTEGER NOT NULL, tenant_id INTEGER NOT NULL, kind TEXT NOT NULL,
  author_id INTEGER NOT NULL, created_at INTEGER NOT NULL, size INTEGER NOT NULL,
  summary TEXT NOT NULL, title TEXT NOT NULL, snapshot TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (post_id, number)) STRICT, WITHOUT ROWID;
CREATE VIRTUAL TABLE posts_fts USING fts5 (title, body, content = 'posts', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
)sql";

// ---- small helpers -----------------------------------------------------------------------------

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A JSON string literal (the workload's text is UTF-8 without control characters but quotes and
// backslashes, escaped all the same).
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return out;
}

// What the audit entry keeps of a body: the first 16 bytes of its BLAKE2b-256, in hex.
std::string body_hash(std::string_view body) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(body.data()),
                     body.size(), nullptr, 0);
  return hex(digest, 16);
}

// The first words of a Markdown body as plain text, at most 200 characters, cut at a space.
std::string derive_excerpt(std::string_view markdown) {
  constexpr std::size_t max_chars = 200;
  std::string plain;
  bool line_start = true;
  for (std::size_t i = 0; i < markdown.size() && plain.size() <= max_chars + 1; ++i) {
    const char c = markdown[i];
    if (c == '\n') {
      line_start = true;
      if (!plain.empty() && plain.back() != ' ') plain += ' ';
      continue;
    }
    if (line_start && (c == '#' || c == '-' || c == ' ')) continue;
    line_start = false;
    if (c == '*' || c == '_' || c == '`') continue;
    plain += c;
  }
  while (!plain.empty() && plain.back() == ' ') plain.pop_back();
  if (plain.size() <= max_chars) return plain;
  auto cut = plain.rfind(' ', max_chars);
  plain.resize(cut == std::string::npos ? max_chars : cut);
  return plain + "\xe2\x80\xa6";  // …
}

std::int64_t reading_time(std::string_view body) {
  std::int64_t words = 0;
  bool in_word = false;
  for (const char c : body) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return (words + 199) / 200;
}

// Role ranks and the grants of quire's built-in matrix that W1 uses.
int role_rank(std::string_view role) {
  static constexpr std::string_view roles[] = {"viewer", "contributor", "author",
                                               "editor", "admin",       "owner"};
  for (int i = 0; i < 6; ++i) {
    if (roles[i] == role) return i;
  }
  return -1;
}
constexpr int may_read = 0, may_create = 1, may_update_own = 1, may_read_versions = 1,
              may_publish_own = 2, may_update = 3, may_publish = 3, may_restore = 3,
              may_read_audit = 4;

// ---- prepared statements -----------------------------------------------------------------------

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "baseline: cannot prepare %s: %s\n", sql, sqlite3_errmsg(db));
      std::exit(1);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~Statement() { sqlite3_finalize(stmt_); }

  // Text is bound without a copy: it lives until the statement is reset.
  Statement& bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    return *this;
  }
  Statement& bind(int i, const char* text) { return bind(i, std::string_view(text)); }
  template <class Integer>
  requires std::is_integral_v<Integer> Statement& bind(int i, Integer value) {
    sqlite3_bind_int64(stmt_, i, static_cast<sqlite3_int64>(value));
    return *this;
  }
  Statement& bind_blob(int i, const void* data, int size) {
    sqlite3_bind_blob(stmt_, i, data, size, SQLITE_STATIC);
    return *this;
  }
  Statement& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  // Runs a statement that returns no rows; true when it succeeded.
  bool run() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    return rc == SQLITE_DONE;
  }
  void reset() { sqlite3_reset(stmt_); }

  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  // Valid until the statement steps again or is reset.
  std::string_view view(int col) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return data ? std::string_view(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                : std::string_view();
  }
  const void* blob(int col) const { return sqlite3_column_blob(stmt_, col); }
  int bytes(int col) const { return sqlite3_column_bytes(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                : std::string();
  }
  std::string blob_hex(int col) const {
    const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, col));
    return hex(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// A post as the baseline reads it: every column, copied out, as any program would.
struct PostRow {
  std::int64_t id = 0, tenant_id = 0, author_id = 0, version = 0, reading_time = 0, view_count = 0,
               created_at = 0, updated_at = 0;
  std::optional<std::int64_t> parent_id, published_version, published_at, scheduled_at, deleted_at;
  std::string type, slug, title, status, category, tags, excerpt, seo, fields, body;
};

#define POST_COLUMNS                                                                         \
  "id, tenant_id, type, parent_id, slug, title, status, author_id, category, tags, version," \
  " published_version, reading_time, view_count, created_at, updated_at, published_at,"      \
  " scheduled_at, deleted_at, excerpt, seo, fields"

std::optional<std::int64_t> optional_integer(const Statement& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return s.integer(col);
}

PostRow read_post(const Statement& s, bool with_body) {
  PostRow p;
  p.id = s.integer(0);
  p.tenant_id = s.integer(1);
  p.type = s.text(2);
  p.parent_id = optional_integer(s, 3);
  p.slug = s.text(4);
  p.title = s.text(5);
  p.status = s.text(6);
  p.author_id = s.integer(7);
  p.category = s.text(8);
  p.tags = s.text(9);
  p.version = s.integer(10);
  p.published_version = optional_integer(s, 11);
  p.reading_time = s.integer(12);
  p.view_count = s.integer(13);
  p.created_at = s.integer(14);
  p.updated_at = s.integer(15);
  p.published_at = optional_integer(s, 16);
  p.scheduled_at = optional_integer(s, 17);
  p.deleted_at = optional_integer(s, 18);
  p.excerpt = s.text(19);
  p.seo = s.text(20);
  p.fields = s.text(21);
  if (with_body) p.body = s.text(22);
  return p;
}

// ---- the driver --------------------------------------------------------------------------------

class BaselineDriver {
 public:
  BaselineDriver(std::string url, bool full_sync, bool quire_schema)
      : path_(w1::sqlite_path(url)), full_sync_(full_sync), quire_schema_(quire_schema) {
    if (path_.empty()) {
      std::fprintf(stderr, "baseline: --backend must be sqlite:<path>, got %s\n", url.c_str());
      std::exit(2);
    }
  }
  ~BaselineDriver() { finish(); }

  void setup(const w1::Setup& setup) {
    w1::remove_database(path_);
    if (sqlite3_open_v2(path_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "baseline: cannot open %s\n", path_.c_str());
      std::exit(1);
    }
    // The settings quire uses (src/storage/sqlite/sqlite_connection.cpp).
    exec("PRAGMA journal_mode = WAL");
    exec(full_sync_ ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    exec("PRAGMA foreign_keys = ON");
    exec("PRAGMA wal_autocheckpoint = 1000");
    exec("PRAGMA journal_size_limit = 67108864");
    exec(quire_schema_ ? quire_schema : lean_schema);
    prepare();

    // Tenants, users (a fixed stand-in for the password hash: hashing is setup, not W1) and
    // memberships, in one transaction.
    exec("BEGIN");
    const auto now = now_ms();
    Statement tenant(db_, "INSERT INTO tenants (slug, name, plan, created_at) VALUES (?, ?, ?, ?)");
    Statement user(db_,
                   "INSERT INTO users (username, email, display_name, password_hash, is_active,"
                   " created_at) VALUES (?, ?, ?, ?, 1, ?)");
    Statement member(
        db_, "INSERT INTO members (tenant_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)");
    for (int t = 0; t < setup.tenants; ++t) {
      const auto slug = w1::tenant_slug(t);
      const auto name = "Tenant " + slug;
      tenant.bind(1, slug).bind(2, name).bind(3, "enterprise").bind(4, now);
      check(tenant.run(), "insert tenant");
      const auto tenant_id = sqlite3_last_insert_rowid(db_);
      tenant_ids_.push_back(tenant_id);
      for (int u = 0; u < setup.users_per_tenant; ++u) {
        const auto username = slug + "-" + w1::user_names[u];
        const auto email = username + "@w1.test";
        user.bind(1, username).bind(2, email).bind(3, username).bind(4, "$argon2id$stand-in");
        user.bind(5, now);
        check(user.run(), "insert user");
        const auto user_id = sqlite3_last_insert_rowid(db_);
        user_ids_.push_back(user_id);
        ips_.push_back("198.51.100." + std::to_string(u + 1));
        member.bind(1, tenant_id).bind(2, user_id).bind(3, w1::user_roles[u]).bind(4, now);
        check(member.run(), "insert member");
      }
    }
    exec("COMMIT");
    users_per_tenant_ = setup.users_per_tenant;
  }

  QUIRE_BENCH_OP w1::Created create(const w1::CreateOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.tenant)];
    const auto user = user_id(op.tenant, op.actor);
    Transaction tx(*this, true);
    if (!tx.ok()) return {};
    const int rank = member_rank(tenant, user);
    if (rank < may_create) return deny("post.create"), w1::Created{};

    // The first free slug: the title's, then -2, -3, …
    const auto base = w1::slug_of(op.title);
    std::string slug = base;
    for (int n = 2;; ++n) {
      slug_taken_.bind(1, tenant).bind(2, "post").bind(3, slug);
      const bool taken = slug_taken_.step() == SQLITE_ROW && slug_taken_.integer(0) != 0;
      slug_taken_.reset();
      if (!taken) break;
      slug = base + "-" + std::to_string(n);
    }
    const auto now = now_ms();
    const auto excerpt = derive_excerpt(op.body);
    std::string tags = "[";
    for (const auto& tag : op.tags) {
      if (tags.size() > 1) tags += ',';
      append_json_string(tags, tag);
    }
    tags += ']';

    insert_post_.bind(1, tenant).bind(2, "post").bind(3, slug).bind(4, op.title);
    insert_post_.bind(5, "draft").bind(6, user).bind(7, op.category).bind(8, tags);
    insert_post_.bind(9, reading_time(op.body)).bind(10, now).bind(11, now).bind(12, excerpt);
    insert_post_.bind(13, op.body);
    if (!insert_post_.run()) return fail("insert post"), w1::Created{};
    const auto id = sqlite3_last_insert_rowid(db_);
    for (const auto& tag : op.tags) {
      insert_tag_.bind(1, tenant).bind(2, tag).bind(3, id);
      if (!insert_tag_.run()) return fail("insert tag"), w1::Created{};
    }
    if (!index(id, op.title, op.body)) return {};

    const auto snapshot = snapshot_json(op.category, excerpt, slug, "draft", tags);
    if (!insert_version(tenant, id, 1, "create", user, now, op.title, op.body, snapshot, "")) {
      return {};
    }
    std::string values = "{\"body_hash\":\"" + body_hash(op.body) + "\",\"category\":";
    append_json_string(values, op.category);
    values += ",\"deleted_at\":null,\"excerpt\":";
    append_json_string(values, excerpt);
    values += ",\"fields\":{},\"parent_id\":null,\"published_at\":null,\"scheduled_at\":null,";
    values += "\"seo\":{},\"slug\":";
    append_json_string(values, slug);
    values += ",\"status\":\"draft\",\"tags\":" + tags + ",\"title\":";
    append_json_string(values, op.title);
    values += ",\"type\":\"post\",\"version\":1}";
    if (!append_audit(tenant, user, op.tenant, op.actor, "post.create", id, nullptr, &values)) {
      return {};
    }
    if (!tx.commit()) return {};
    return {id, slug, true};
  }

  QUIRE_BENCH_OP std::optional<std::int64_t> update(const w1::UpdateOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.post->tenant)];
    const auto user = user_id(op.post->tenant, op.actor);
    Transaction tx(*this, true);
    if (!tx.ok()) return std::nullopt;
    auto before = find_post(tenant, op.post->id);
    if (!before || before->deleted_at) return fail("post not found"), std::nullopt;
    const int rank = member_rank(tenant, user);
    const bool own = before->author_id == user;
    if (rank < may_update && !(own && rank >= may_update_own)) {
      return deny("post.update"), std::nullopt;
    }
    if (before->version != op.expected_version) return fail("version conflict"), std::nullopt;
    const auto version = before->version + 1;
    const auto now = now_ms();
    // The excerpt follows the body when it was derived from it.
    const bool derived = before->excerpt == derive_excerpt(before->body);
    const auto excerpt = derived ? derive_excerpt(op.body) : before->excerpt;

    if (!update_content(*before, op.title, op.body, excerpt, version, now)) return std::nullopt;
    const auto snapshot =
        snapshot_json(before->category, excerpt, before->slug, before->status, before->tags);
    if (!insert_version(tenant, before->id, version, "update", user, now, op.title, op.body,
                        snapshot, "")) {
      return std::nullopt;
    }
    auto [old_values, new_values] = content_change(*before, op.title, op.body, excerpt, version);
    if (!append_audit(tenant, user, op.post->tenant, op.actor, "post.update", before->id,
                      &old_values, &new_values)) {
      return std::nullopt;
    }
    if (!tx.commit()) return std::nullopt;
    return version;
  }

  QUIRE_BENCH_OP bool publish(const w1::PublishOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.post->tenant)];
    const auto user = user_id(op.post->tenant, op.actor);
    Transaction tx(*this, true);
    if (!tx.ok()) return false;
    auto before = find_post(tenant, op.post->id);
    if (!before || before->deleted_at) return fail("post not found"), false;
    const int rank = member_rank(tenant, user);
    const bool own = before->author_id == user;
    if (rank < may_publish && !(own && rank >= may_publish_own)) return deny("post.publish"), false;
    if (before->status != "draft" && before->status != "in_review" &&
        before->status != "scheduled") {
      return fail("cannot publish from " + before->status), false;
    }
    const auto now = now_ms();
    const auto published_at = before->published_at.value_or(now);
    publish_.bind(1, published_at).bind(2, before->version).bind(3, now).bind(4, before->id);
    publish_.bind(5, tenant);
    if (!publish_.run()) return fail("publish"), false;
    std::string old_values = "{\"published_at\":";
    old_values += before->published_at ? std::to_string(*before->published_at) : "null";
    old_values += ",\"status\":";
    append_json_string(old_values, before->status);
    old_values += '}';
    const std::string new_values =
        "{\"published_at\":" + std::to_string(published_at) + ",\"status\":\"published\"}";
    if (!append_audit(tenant, user, op.post->tenant, op.actor, "post.publish", before->id,
                      &old_values, &new_values)) {
      return false;
    }
    return tx.commit();
  }

  QUIRE_BENCH_OP w1::Found get(const w1::GetOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.tenant)];
    const auto user = user_id(op.tenant, op.actor);
    Transaction tx(*this, false);
    if (!tx.ok()) return w1::Found::failed;
    find_by_slug_.bind(1, tenant).bind(2, "post").bind(3, op.post->slug);
    std::optional<PostRow> post;
    if (find_by_slug_.step() == SQLITE_ROW) post = read_post(find_by_slug_, true);
    find_by_slug_.reset();
    if (!post || post->deleted_at) return w1::Found::no;
    const int rank = member_rank(tenant, user);
    if (rank < may_read) return deny("post.read"), w1::Found::failed;
    const bool visible = post->status == "published" || rank >= may_update ||
                         (post->author_id == user && rank >= may_update_own);
    if (!tx.commit()) return w1::Found::failed;
    return visible ? w1::Found::yes : w1::Found::no;
  }

  QUIRE_BENCH_OP std::optional<std::size_t> list(const w1::ListOp& op) {
    if (op.first_page) {
      has_next_ = true;
    } else if (!has_next_) {
      return 0;  // the previous page was the last one
    }
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.tenant)];
    const auto user = user_id(op.tenant, op.actor);
    Transaction tx(*this, false);
    if (!tx.ok()) return std::nullopt;
    const int rank = member_rank(tenant, user);
    if (rank < may_read) return deny("post.list"), std::nullopt;
    auto& query = op.first_page ? list_first_ : list_next_;
    query.bind(1, tenant);
    if (!op.first_page) query.bind(2, after_published_).bind(3, after_id_);
    std::vector<PostRow> rows;
    while (query.step() == SQLITE_ROW) rows.push_back(read_post(query, false));
    query.reset();
    if (!tx.commit()) return std::nullopt;
    has_next_ = rows.size() > 20;
    if (has_next_) {
      rows.pop_back();
      after_published_ = rows.back().published_at.value_or(0);
      after_id_ = rows.back().id;
    }
    return rows.size();
  }

  QUIRE_BENCH_OP std::optional<std::size_t> search(const w1::SearchOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.tenant)];
    const auto user = user_id(op.tenant, op.actor);
    Transaction tx(*this, false);
    if (!tx.ok()) return std::nullopt;
    const int rank = member_rank(tenant, user);
    if (rank < may_read) return deny("post.search"), std::nullopt;
    // The word as one quoted FTS5 term, as quire builds it.
    const std::string match = "\"" + op.word + "\"";
    auto& query = rank >= may_update ? search_all_ : search_published_;
    query.bind(1, match).bind(2, tenant).bind(3, std::int64_t{20});
    struct Hit {
      std::int64_t id;
      std::string type, slug, title, snippet;
      double score;
    };
    std::vector<Hit> hits;
    while (query.step() == SQLITE_ROW) {
      hits.push_back(
          {query.integer(0), query.text(1), query.text(2), query.text(3), query.text(4), 0.0});
    }
    query.reset();
    if (!tx.commit()) return std::nullopt;
    return hits.size();
  }

  bool has_versions() const { return true; }

  QUIRE_BENCH_OP std::optional<std::size_t> versions(const w1::VersionsOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.post->tenant)];
    const auto user = user_id(op.post->tenant, op.actor);
    Transaction tx(*this, false);
    if (!tx.ok()) return std::nullopt;
    const int rank = member_rank(tenant, user);
    if (rank < may_read_versions) return deny("version.read"), std::nullopt;
    post_exists_.bind(1, op.post->id).bind(2, tenant);
    const bool exists = post_exists_.step() == SQLITE_ROW;
    post_exists_.reset();
    if (!exists) return fail("post not found"), std::nullopt;
    struct Listed {
      std::int64_t number;
      std::string kind;
      std::int64_t author_id, created_at, size;
      std::string summary;
    };
    std::vector<Listed> listed;
    list_versions_.bind(1, tenant).bind(2, op.post->id);
    while (list_versions_.step() == SQLITE_ROW) {
      listed.push_back({list_versions_.integer(0), list_versions_.text(1),
                        list_versions_.integer(2), list_versions_.integer(3),
                        list_versions_.integer(4), list_versions_.text(5)});
    }
    list_versions_.reset();
    if (!tx.commit()) return std::nullopt;
    return listed.size();
  }

  QUIRE_BENCH_OP std::optional<std::int64_t> restore(const w1::RestoreOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.post->tenant)];
    const auto user = user_id(op.post->tenant, op.actor);
    Transaction tx(*this, true);
    if (!tx.ok()) return std::nullopt;
    const int rank = member_rank(tenant, user);
    if (rank < may_restore) return deny("version.restore"), std::nullopt;
    auto before = find_post(tenant, op.post->id);
    if (!before || before->deleted_at) return fail("post not found"), std::nullopt;
    find_version_.bind(1, tenant).bind(2, before->id).bind(3, op.number);
    if (find_version_.step() != SQLITE_ROW) {
      find_version_.reset();
      return fail("version not found"), std::nullopt;
    }
    const auto title = find_version_.text(0);
    const auto body = find_version_.text(1);
    const auto snapshot = find_version_.text(2);
    find_version_.reset();
    // W1 never changes tags, category, seo or fields, so title, body and excerpt are what differ.
    const auto version = before->version + 1;
    const auto now = now_ms();
    const auto excerpt = derive_excerpt(body);
    if (!update_content(*before, title, body, excerpt, version, now)) return std::nullopt;
    const auto summary = "restored from version " + std::to_string(op.number);
    if (!insert_version(tenant, before->id, version, "restore", user, now, title, body, snapshot,
                        summary)) {
      return std::nullopt;
    }
    auto [old_values, new_values] = content_change(*before, title, body, excerpt, version);
    new_values.insert(new_values.rfind(",\"title\":"),
                      ",\"restored_from\":" + std::to_string(op.number));
    if (!append_audit(tenant, user, op.post->tenant, op.actor, "version.restore", before->id,
                      &old_values, &new_values)) {
      return std::nullopt;
    }
    if (!tx.commit()) return std::nullopt;
    return version;
  }

  QUIRE_BENCH_OP std::optional<std::size_t> audit(const w1::AuditOp& op) {
    const auto tenant = tenant_ids_[static_cast<std::size_t>(op.tenant)];
    const auto user = user_id(op.tenant, op.actor);
    Transaction tx(*this, false);
    if (!tx.ok()) return std::nullopt;
    const int rank = member_rank(tenant, user);
    if (rank < may_read_audit) return deny("audit.query"), std::nullopt;
    struct Entry {
      std::int64_t tenant_id, seq, at;
      std::string actor_type;
      std::int64_t actor_id;
      std::string action, resource_type, resource_id, outcome, ip, user_agent, request_id,
          prev_hash, hash;
      std::optional<std::string> old_values, new_values;
    };
    std::vector<Entry> entries;
    audit_query_.bind(1, tenant).bind(2, "post").bind(3, std::int64_t{51});
    while (audit_query_.step() == SQLITE_ROW) {
      auto& q = audit_query_;
      entries.push_back({q.integer(0), q.integer(1), q.integer(2), q.text(3), q.integer(4),
                         q.text(5), q.text(6), q.text(7), q.text(8), q.text(9), q.text(10),
                         q.text(11), q.blob_hex(12), q.blob_hex(13),
                         q.is_null(14) ? std::nullopt : std::optional<std::string>(q.text(14)),
                         q.is_null(15) ? std::nullopt : std::optional<std::string>(q.text(15))});
    }
    audit_query_.reset();
    if (!tx.commit()) return std::nullopt;
    if (entries.size() > 50) entries.pop_back();
    return entries.size();
  }

  void finish() {
    if (db_ == nullptr) return;
    for (auto* s :
         {&begin_write_,      &begin_read_,  &commit_,        &rollback_,     &member_,
          &slug_taken_,       &insert_post_, &insert_tag_,    &fts_insert_,   &fts_delete_,
          &insert_version_,   &audit_head_,  &insert_audit_,  &find_post_,    &find_by_slug_,
          &update_content_,   &publish_,     &list_first_,    &list_next_,    &search_all_,
          &search_published_, &post_exists_, &list_versions_, &find_version_, &audit_query_}) {
      *s = Statement();
    }
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }

  const std::string& last_error() const { return error_; }

 private:
  // BEGIN (IMMEDIATE for a write) … COMMIT, rolled back unless committed.
  class Transaction {
   public:
    Transaction(BaselineDriver& d, bool write) : d_(d) {
      ok_ = (write ? d.begin_write_ : d.begin_read_).run();
      if (!ok_) d.fail("begin");
    }
    ~Transaction() {
      if (ok_ && !done_) d_.rollback_.run();
    }
    bool ok() const { return ok_; }
    bool commit() {
      done_ = true;
      if (d_.commit_.run()) return true;
      d_.fail("commit");
      d_.rollback_.run();
      return false;
    }

   private:
    BaselineDriver& d_;
    bool ok_ = false;
    bool done_ = false;
  };

  void prepare() {
    const auto make = [&](Statement& s, const char* sql) { s = Statement(db_, sql); };
    make(begin_write_, "BEGIN IMMEDIATE");
    make(begin_read_, "BEGIN");
    make(commit_, "COMMIT");
    make(rollback_, "ROLLBACK");
    make(member_,
         "SELECT m.role, u.is_active FROM members m JOIN users u ON u.id = m.user_id"
         " WHERE m.tenant_id = ? AND m.user_id = ?");
    make(slug_taken_,
         "SELECT EXISTS (SELECT 1 FROM posts WHERE tenant_id = ? AND type = ? AND slug = ?)");
    make(insert_post_,
         "INSERT INTO posts (tenant_id, type, parent_id, slug, title, status, author_id, category,"
         " tags, version, published_version, reading_time, view_count, created_at, updated_at,"
         " published_at, scheduled_at, deleted_at, excerpt, seo, fields, body)"
         " VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, 1, NULL, ?9, 0, ?10, ?11, NULL, NULL,"
         " NULL, ?12, '{}', '{}', ?13)");
    make(insert_tag_, "INSERT INTO post_tags (tenant_id, tag, post_id) VALUES (?, ?, ?)");
    make(fts_insert_, "INSERT INTO posts_fts (rowid, title, body) VALUES (?, ?, ?)");
    make(fts_delete_,
         "INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)");
    make(insert_version_,
         "INSERT INTO post_versions (tenant_id, post_id, number, kind, author_id, created_at,"
         " size, summary, title, snapshot, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    make(audit_head_,
         "SELECT seq, hash FROM audit_log WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1");
    make(insert_audit_,
         "INSERT INTO audit_log (tenant_id, seq, at, actor_type, actor_id, action, resource_type,"
         " resource_id, outcome, ip, user_agent, request_id, prev_hash, hash, old_values,"
         " new_values) VALUES (?, ?, ?, 'user', ?, ?, 'post', ?, 'ok', ?, ?, '', ?, ?, ?, ?)");
    make(find_post_, "SELECT " POST_COLUMNS ", body FROM posts WHERE id = ? AND tenant_id = ?");
    make(find_by_slug_,
         "SELECT " POST_COLUMNS ", body FROM posts WHERE tenant_id = ? AND type = ? AND slug = ?");
    make(update_content_,
         "UPDATE posts SET title = ?, body = ?, excerpt = ?, reading_time = ?, version = ?,"
         " updated_at = ? WHERE id = ? AND tenant_id = ?");
    make(publish_,
         "UPDATE posts SET status = 'published', published_at = ?, published_version = ?,"
         " updated_at = ? WHERE id = ? AND tenant_id = ?");
    // Keyset pagination on (published_at, id), newest first; one row more tells if a page follows.
    if (quire_schema_) {
      make(list_first_, "SELECT " POST_COLUMNS
                        " FROM posts WHERE tenant_id = ? AND status = 'published' AND deleted_at"
                        " IS NULL ORDER BY ifnull(published_at, 0) DESC, id DESC LIMIT 21");
      make(list_next_, "SELECT " POST_COLUMNS
                       " FROM posts WHERE tenant_id = ?1 AND status = 'published' AND deleted_at"
                       " IS NULL AND (ifnull(published_at, 0) < ?2 OR (ifnull(published_at, 0) ="
                       " ?2 AND id < ?3)) ORDER BY ifnull(published_at, 0) DESC, id DESC LIMIT 21");
    } else {
      make(list_first_, "SELECT " POST_COLUMNS
                        " FROM posts WHERE tenant_id = ? AND status = 'published' AND deleted_at"
                        " IS NULL ORDER BY published_at DESC, id DESC LIMIT 21");
      make(list_next_, "SELECT " POST_COLUMNS
                       " FROM posts WHERE tenant_id = ? AND status = 'published' AND deleted_at"
                       " IS NULL AND (published_at, id) < (?, ?)"
                       " ORDER BY published_at DESC, id DESC LIMIT 21");
    }
    // The same query as quire's: a global index, filtered by tenant, title matches weigh 10×.
    constexpr const char* search_sql =
        "SELECT p.id, p.type, p.slug, p.title, snippet(posts_fts, 1, '[', ']', '…', 16),"
        " -bm25(posts_fts, 10.0, 1.0) FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid"
        " WHERE posts_fts MATCH ?1 AND p.tenant_id = ?2 AND p.deleted_at IS NULL%s"
        " ORDER BY bm25(posts_fts, 10.0, 1.0) LIMIT ?3";
    char sql[1024];
    std::snprintf(sql, sizeof sql, search_sql, "");
    make(search_all_, sql);
    std::snprintf(sql, sizeof sql, search_sql, " AND p.status = 'published'");
    make(search_published_, sql);
    make(post_exists_, "SELECT 1 FROM posts WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL");
    make(list_versions_,
         "SELECT number, kind, author_id, created_at, size, summary FROM post_versions"
         " WHERE tenant_id = ? AND post_id = ? ORDER BY number DESC");
    make(find_version_,
         "SELECT title, body, snapshot FROM post_versions"
         " WHERE tenant_id = ? AND post_id = ? AND number = ?");
    make(audit_query_,
         "SELECT tenant_id, seq, at, actor_type, actor_id, action, resource_type, resource_id,"
         " outcome, ip, user_agent, request_id, prev_hash, hash, old_values, new_values"
         " FROM audit_log WHERE tenant_id = ? AND resource_type = ? ORDER BY seq DESC LIMIT ?");
  }

  std::int64_t user_id(int tenant, int user) const {
    return user_ids_[static_cast<std::size_t>(tenant * users_per_tenant_ + user)];
  }

  // The acting user's role rank in the tenant, or -1 (not a member, or deactivated).
  int member_rank(std::int64_t tenant, std::int64_t user) {
    member_.bind(1, tenant).bind(2, user);
    int rank = -1;
    if (member_.step() == SQLITE_ROW && member_.integer(1) != 0) rank = role_rank(member_.view(0));
    member_.reset();
    return rank;
  }

  std::optional<PostRow> find_post(std::int64_t tenant, std::int64_t id) {
    find_post_.bind(1, id).bind(2, tenant);
    std::optional<PostRow> post;
    if (find_post_.step() == SQLITE_ROW) post = read_post(find_post_, true);
    find_post_.reset();
    return post;
  }

  bool index(std::int64_t id, std::string_view title, std::string_view body) {
    fts_insert_.bind(1, id).bind(2, title).bind(3, body);
    if (!fts_insert_.run()) return fail("index"), false;
    return true;
  }

  // New title, body and excerpt; the full-text index drops the old text and takes the new.
  bool update_content(const PostRow& before, std::string_view title, std::string_view body,
                      std::string_view excerpt, std::int64_t version, std::int64_t now) {
    update_content_.bind(1, title).bind(2, body).bind(3, excerpt).bind(4, reading_time(body));
    update_content_.bind(5, version).bind(6, now).bind(7, before.id).bind(8, before.tenant_id);
    if (!update_content_.run()) return fail("update post"), false;
    fts_delete_.bind(1, before.id).bind(2, before.title).bind(3, before.body);
    if (!fts_delete_.run()) return fail("unindex"), false;
    return index(before.id, title, body);
  }

  // The changed fields of a content change, before and after, as the audit entry keeps them.
  static std::pair<std::string, std::string> content_change(const PostRow& before,
                                                            std::string_view title,
                                                            std::string_view body,
                                                            std::string_view excerpt,
                                                            std::int64_t version) {
    const auto side = [](std::string_view hash, std::string_view excerpt, std::string_view title,
                         std::int64_t version) {
      std::string out = "{\"body_hash\":\"";
      out += hash;
      out += "\",\"excerpt\":";
      append_json_string(out, excerpt);
      out += ",\"title\":";
      append_json_string(out, title);
      out += ",\"version\":" + std::to_string(version) + "}";
      return out;
    };
    return {side(body_hash(before.body), before.excerpt, before.title, before.version),
            side(body_hash(body), excerpt, title, version)};
  }

  static std::string snapshot_json(std::string_view category, std::string_view excerpt,
                                   std::string_view slug, std::string_view status,
                                   std::string_view tags) {
    std::string out = "{\"category\":";
    append_json_string(out, category);
    out += ",\"excerpt\":";
    append_json_string(out, excerpt);
    out += ",\"fields\":{},\"seo\":{},\"slug\":";
    append_json_string(out, slug);
    out += ",\"status\":";
    append_json_string(out, status);
    out += ",\"tags\":";
    out += tags;
    out += '}';
    return out;
  }

  bool insert_version(std::int64_t tenant, std::int64_t post, std::int64_t number, const char* kind,
                      std::int64_t author, std::int64_t now, std::string_view title,
                      std::string_view body, std::string_view snapshot, std::string_view summary) {
    auto& s = insert_version_;
    s.bind(1, tenant).bind(2, post).bind(3, number).bind(4, kind).bind(5, author).bind(6, now);
    s.bind(7, static_cast<std::int64_t>(title.size() + body.size())).bind(8, summary);
    s.bind(9, title).bind(10, snapshot).bind(11, body);
    if (!s.run()) return fail("insert version"), false;
    // Retention (keep the last 50) never prunes in W1: no post reaches 50 versions.
    return true;
  }

  // The next entry of the tenant's chain: hash = BLAKE2b-256(prev_hash ‖ canonical entry), the
  // canonical entry being the sorted-key JSON quire hashes (src/engines/audit_chain.cpp).
  bool append_audit(std::int64_t tenant, std::int64_t user, int tenant_index, int user_index,
                    const char* action, std::int64_t resource, const std::string* old_values,
                    const std::string* new_values) {
    unsigned char prev[32] = {};
    std::int64_t seq = 1;
    audit_head_.bind(1, tenant);
    if (audit_head_.step() == SQLITE_ROW) {
      seq = audit_head_.integer(0) + 1;
      if (audit_head_.bytes(1) != sizeof prev) {
        audit_head_.reset();
        return fail("audit head hash is not 32 bytes"), false;
      }
      std::memcpy(prev, audit_head_.blob(1), sizeof prev);
    }
    audit_head_.reset();
    const auto at = now_ms();
    const auto& ip = ips_[static_cast<std::size_t>(tenant_index * users_per_tenant_ + user_index)];
    const auto resource_id = std::to_string(resource);
    std::string canonical = "{\"action\":";
    append_json_string(canonical, action);
    canonical += ",\"actor_id\":" + std::to_string(user) + ",\"actor_type\":\"user\",\"at\":";
    canonical += std::to_string(at) + ",\"ip\":";
    append_json_string(canonical, ip);
    canonical += ",\"new\":";
    if (new_values) {
      append_json_string(canonical, *new_values);
    } else {
      canonical += "null";
    }
    canonical += ",\"old\":";
    if (old_values) {
      append_json_string(canonical, *old_values);
    } else {
      canonical += "null";
    }
    canonical += ",\"outcome\":\"ok\",\"request_id\":\"\",\"resource_id\":";
    append_json_string(canonical, resource_id);
    canonical += ",\"resource_type\":\"post\",\"seq\":" + std::to_string(seq);
    canonical += ",\"tenant_id\":" + std::to_string(tenant) + ",\"user_agent\":\"w1-bench/1\"}";
    unsigned char hash[32];
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, sizeof hash);
    crypto_generichash_update(&state, prev, sizeof prev);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(canonical.data()),
                              canonical.size());
    crypto_generichash_final(&state, hash, sizeof hash);

    auto& s = insert_audit_;
    s.bind(1, tenant).bind(2, seq).bind(3, at).bind(4, user).bind(5, action).bind(6, resource_id);
    s.bind(7, ip).bind(8, "w1-bench/1").bind_blob(9, prev, 32).bind_blob(10, hash, 32);
    if (old_values) {
      s.bind(11, *old_values);
    } else {
      s.bind_null(11);
    }
    if (new_values) {
      s.bind(12, *new_values);
    } else {
      s.bind_null(12);
    }
    if (!s.run()) return fail("insert audit entry"), false;
    return true;
  }

  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::fprintf(stderr, "baseline: %s\n", message ? message : "exec failed");
      std::exit(1);
    }
  }
  void check(bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "baseline: %s: %s\n", what, sqlite3_errmsg(db_));
      std::exit(1);
    }
  }
  void fail(const std::string& what) { error_ = what + ": " + sqlite3_errmsg(db_); }
  void deny(const char* permission) { error_ = std::string("denied: lacks ") + permission; }

  std::string path_;
  bool full_sync_;
  bool quire_schema_;
  sqlite3* db_ = nullptr;
  int users_per_tenant_ = w1::users_per_tenant;
  std::vector<std::int64_t> tenant_ids_, user_ids_;
  std::vector<std::string> ips_;
  bool has_next_ = false;
  std::int64_t after_published_ = 0, after_id_ = 0;
  std::string error_;
  Statement begin_write_, begin_read_, commit_, rollback_, member_, slug_taken_, insert_post_,
      insert_tag_, fts_insert_, fts_delete_, insert_version_, audit_head_, insert_audit_,
      find_post_, find_by_slug_, update_content_, publish_, list_first_, list_next_, search_all_,
      search_published_, post_exists_, list_versions_, find_version_, audit_query_;
};

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "baseline: libsodium failed to initialise\n");
    return 1;
  }
  const auto config = w1::parse_args(argc, argv, "baseline", true);
  const bool quire_schema = config.schema == "quire";
  BaselineDriver driver(config.backend, config.full_sync, quire_schema);
  BaselineDriver full(config.full_backend, true, quire_schema);
  auto report = w1::run(driver, config, &full);
  report.library = std::string("SQLite ") + sqlite3_libversion();
  return w1::report(report);
}
