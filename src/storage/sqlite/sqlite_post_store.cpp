#include <fmt/format.h>
#include <sqlite3.h>

#include <functional>

#include "core/json.hpp"
#include "storage/rows/post_row.hpp"
#include "storage/rows/post_sql.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_search.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

std::int64_t as_int(PostId id) {
  return static_cast<std::int64_t>(id);
}

// `text` as an FTS5 string: double-quoted, quotes doubled, so that it is only ever text for the
// tokenizer, never query syntax.
void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// The MATCH expression of a search: every part, space-separated, which FTS5 takes as AND. A
// prefix is a string with `*` after it; a phrase its words as one string (FTS5 matches the tokens
// of a string as a phrase).
std::string fts5_match(const SearchQuery& search) {
  std::string match;
  const auto next = [&] {
    if (!match.empty()) match += ' ';
  };
  for (const auto& term : search.terms) {
    next();
    append_quoted(match, term);
  }
  for (const auto& prefix : search.prefixes) {
    next();
    append_quoted(match, prefix);
    match += '*';
  }
  for (const auto& phrase : search.phrases) {
    std::string words;
    for (const auto& word : phrase) words += (words.empty() ? "" : " ") + word;
    next();
    append_quoted(match, words);
  }
  return match;
}

Post read_full_post(SQLite::Statement& row) {
  return rows::read_post(StatementReader(row), true);
}

void insert_tags(Connection& db, const Post& post) {
  auto query =
      db.query("INSERT OR IGNORE INTO post_tags (tenant_id, tag, post_id) VALUES (?, ?, ?)");
  for (const auto& tag : post.tags) {
    bind_all(*query, as_int(post.tenant_id), tag, as_int(post.id));
    query->exec();
    query->reset();
  }
}

void delete_tags(Connection& db, const Post& post) {
  auto query = db.query("DELETE FROM post_tags WHERE tenant_id = ? AND post_id = ?");
  bind_all(*query, as_int(post.tenant_id), as_int(post.id));
  query->exec();
}

// The full-text index holds title and body, each term filed under the post's tenant (the
// tokenizer takes it from the SearchTenantScope around every statement on posts_fts: see
// sqlite_search.hpp). With external content, removing an entry needs the values it was indexed
// with. post_search_stats keeps each tenant's document count and total length in tokens, beside
// the index and in the same transaction, for quire_bm25; and its count of posts not in the trash
// (live_posts), for the post quota, so that count() reads one row rather than every post.
void add_search_stats(Connection& db, TenantId tenant, std::int64_t documents, std::int64_t tokens,
                      std::int64_t live) {
  auto query = db.query(
      "INSERT INTO post_search_stats (tenant_id, documents, tokens, live_posts)"
      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant_id) DO UPDATE SET documents = documents + ?2,"
      " tokens = tokens + ?3, live_posts = live_posts + ?4");
  bind_all(*query, as_int(tenant), documents, tokens, live);
  query->exec();
}

// 1 for a post not in the trash, else 0: what it adds to live_posts.
std::int64_t live(const Post& post) {
  return post.deleted_at ? 0 : 1;
}

// `live_change` is what the post adds to (or takes from) the tenant's live_posts.
void index_post(Connection& db, const Post& post, std::int64_t live_change) {
  const SearchTenantScope scope(post.tenant_id);
  {
    auto query = db.query("INSERT INTO posts_fts (rowid, title, body) VALUES (?, ?, ?)");
    bind_all(*query, as_int(post.id), post.title, post.body);
    query->exec();
  }
  add_search_stats(db, post.tenant_id, 1, scope.document_tokens(), live_change);
}

void unindex_post(Connection& db, const Post& post, std::int64_t live_change) {
  const SearchTenantScope scope(post.tenant_id);
  {
    auto query = db.query(
        "INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)");
    bind_all(*query, as_int(post.id), post.title, post.body);
    query->exec();
  }
  add_search_stats(db, post.tenant_id, -1, -scope.document_tokens(), live_change);
}

}  // namespace

Result<PostId> SqlitePostStore::insert(const Post& post) noexcept {
  return guarded([&]() -> Result<PostId> {
    auto query = db_.query("INSERT INTO posts (" QUIRE_POST_WRITE_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                           " ?, ?, ?)");
    const auto values = rows::post_values(post);
    bind_values(*query, values);
    query->exec();
    Post stored = post;
    stored.id = db_.db().getLastInsertRowid();
    insert_tags(db_, stored);
    index_post(db_, stored, live(stored));
    return stored.id;
  });
}

Result<std::optional<Post>> SqlitePostStore::find(TenantId tenant, PostId id,
                                                  Lock /*lock*/) noexcept {
  // No row lock to take: a write transaction holds the database's write lock from its start.
  return find_one(db_, "SELECT " QUIRE_POST_META ", body FROM posts WHERE id = ? AND tenant_id = ?",
                  read_full_post, as_int(id), as_int(tenant));
}

Result<std::optional<PostAccess>> SqlitePostStore::find_access(TenantId tenant,
                                                               PostId id) noexcept {
  return memoised(db_, db_.memos().posts, std::pair<std::int64_t, std::int64_t>{tenant, id}, [&] {
    return find_one(
        db_,
        "SELECT author_id, status, deleted_at IS NOT NULL FROM posts WHERE id = ? AND tenant_id = "
        "?",
        [&](SQLite::Statement& row) {
          return PostAccess{tenant, id, row.getColumn(0).getInt64(),
                            parse_post_status(text_column(row, 1)).value_or(PostStatus::draft),
                            row.getColumn(2).getInt() != 0};
        },
        as_int(id), as_int(tenant));
  });
}

Result<std::optional<Post>> SqlitePostStore::find_by_slug(TenantId tenant, std::string_view type,
                                                          std::string_view slug) noexcept {
  return find_one(db_,
                  "SELECT " QUIRE_POST_META
                  ", body FROM posts WHERE tenant_id = ? AND type = ? AND slug = ?",
                  read_full_post, as_int(tenant), std::string(type), std::string(slug));
}

Result<std::optional<PostId>> SqlitePostStore::find_old_slug(TenantId tenant, std::string_view type,
                                                             std::string_view slug) noexcept {
  return find_one(
      db_, "SELECT post_id FROM post_slugs WHERE tenant_id = ? AND type = ? AND slug = ?",
      [](SQLite::Statement& row) { return PostId{row.getColumn(0).getInt64()}; }, as_int(tenant),
      std::string(type), std::string(slug));
}

Result<bool> SqlitePostStore::slug_taken(TenantId tenant, std::string_view type,
                                         std::string_view slug, PostId except) noexcept {
  return guarded([&]() -> Result<bool> {
    auto query = db_.query(
        "SELECT EXISTS (SELECT 1 FROM posts WHERE tenant_id = ?1 AND type = ?2 AND slug = ?3"
        " AND id != ?4) OR EXISTS (SELECT 1 FROM post_slugs WHERE tenant_id = ?1 AND type = ?2"
        " AND slug = ?3 AND post_id != ?4)");
    bind_all(*query, as_int(tenant), std::string(type), std::string(slug), as_int(except));
    query->executeStep();
    return query->getColumn(0).getInt() != 0;
  });
}

Result<void> SqlitePostStore::add_old_slug(TenantId tenant, std::string_view type,
                                           std::string_view slug, PostId post) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "INSERT OR REPLACE INTO post_slugs (tenant_id, type, slug, post_id) VALUES (?, ?, ?, ?)");
    bind_all(*query, as_int(tenant), std::string(type), std::string(slug), as_int(post));
    query->exec();
    return success();
  });
}

Result<void> SqlitePostStore::update(const Post& before, const Post& after) noexcept {
  return guarded([&]() -> Result<void> {
    // Only the columns that differ from `before` are set: SQLite leaves alone every index none of
    // whose columns is assigned, so a publish rewrites the status and time indexes and not the
    // slug's, and an edit neither (one cached statement per combination of columns).
    std::string sql = "UPDATE posts SET ";
    std::vector<std::function<void(SQLite::Statement&, int)>> binds;
    const auto set = [&](const char* column, std::function<void(SQLite::Statement&, int)> bind) {
      if (!binds.empty()) sql += ", ";
      sql += column;
      sql += " = ?";
      binds.push_back(std::move(bind));
    };
    const auto text = [](const std::string& value) {
      return [&value](SQLite::Statement& s, int i) { s.bindNoCopy(i, value); };
    };
    const auto integer = [](std::int64_t value) {
      return [value](SQLite::Statement& s, int i) { s.bind(i, value); };
    };
    const auto optional = [](const auto& value) {
      return [&value](SQLite::Statement& s, int i) { bind_optional(s, i, value); };
    };
    if (before.type != after.type) set("type", text(after.type));
    if (before.parent_id != after.parent_id) set("parent_id", optional(after.parent_id));
    if (before.slug != after.slug) set("slug", text(after.slug));
    if (before.title != after.title) set("title", text(after.title));
    if (before.status != after.status) {
      set("status", [&](SQLite::Statement& s, int i) {
        s.bind(i, std::string(post_status_name(after.status)));
      });
    }
    if (before.author_id != after.author_id) set("author_id", integer(as_int(after.author_id)));
    if (before.category != after.category) set("category", optional(after.category));
    if (before.tags != after.tags) {
      set("tags", [&](SQLite::Statement& s, int i) { s.bind(i, detail::dump_json(after.tags)); });
    }
    if (before.version != after.version) set("version", integer(after.version));
    if (before.published_version != after.published_version) {
      set("published_version", optional(after.published_version));
    }
    if (before.reading_time != after.reading_time) set("reading_time", integer(after.reading_time));
    if (before.view_count != after.view_count) set("view_count", integer(after.view_count));
    if (before.created_at != after.created_at) {
      set("created_at", integer(static_cast<std::int64_t>(after.created_at)));
    }
    if (before.updated_at != after.updated_at) {
      set("updated_at", integer(static_cast<std::int64_t>(after.updated_at)));
    }
    if (before.published_at != after.published_at) {
      set("published_at", optional(after.published_at));
    }
    if (before.scheduled_at != after.scheduled_at) {
      set("scheduled_at", optional(after.scheduled_at));
    }
    if (before.deleted_at != after.deleted_at) set("deleted_at", optional(after.deleted_at));
    if (before.excerpt != after.excerpt) set("excerpt", text(after.excerpt));
    if (before.seo != after.seo) set("seo", text(after.seo));
    if (before.fields != after.fields) set("fields", text(after.fields));
    if (before.body != after.body) set("body", text(after.body));
    // Nothing changed: the statement still tells whether the row is there.
    if (binds.empty()) set("id", integer(as_int(after.id)));
    sql += " WHERE id = ? AND tenant_id = ?";
    auto query = db_.query(sql);
    int index = 0;
    for (const auto& bind : binds) bind(*query, ++index);
    query->bind(++index, as_int(after.id));
    query->bind(++index, as_int(after.tenant_id));
    if (query->exec() == 0)
      return fail(Errc::not_found, fmt::format("post {} not found", after.id));
    if (before.tags != after.tags) {
      delete_tags(db_, after);
      insert_tags(db_, after);
    }
    // `before` is the row as this transaction read it, so the change to live_posts is exact.
    const std::int64_t live_change = live(after) - live(before);
    if (before.title != after.title || before.body != after.body) {
      unindex_post(db_, before, 0);
      index_post(db_, after, live_change);
    } else if (live_change != 0) {
      add_search_stats(db_, after.tenant_id, 0, 0, live_change);
    }
    return success();
  });
}

Result<void> SqlitePostStore::purge(const Post& post) noexcept {
  return guarded([&]() -> Result<void> {
    unindex_post(db_, post, -live(post));
    // Tags, old slugs and versions go with it (ON DELETE CASCADE).
    auto query = db_.query("DELETE FROM posts WHERE id = ? AND tenant_id = ?");
    bind_all(*query, as_int(post.id), as_int(post.tenant_id));
    if (query->exec() == 0) return fail(Errc::not_found, fmt::format("post {} not found", post.id));
    return success();
  });
}

Result<std::vector<Post>> SqlitePostStore::list(TenantId tenant, const PostScan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<Post>> {
    rows::Sql sql(dialect);
    rows::list_posts(sql, tenant, scan);
    auto query = db_.query(sql.text);
    bind_values(*query, sql.values);
    return collect(
        query, reading([](const rows::ColumnReader& row) { return rows::read_post(row, false); }));
  });
}

Result<std::int64_t> SqlitePostStore::count(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    // One row, kept by insert, update and purge in the same transaction as the posts they change.
    auto query = db_.query("SELECT live_posts FROM post_search_stats WHERE tenant_id = ?");
    query->bind(1, as_int(tenant));
    return query->executeStep() ? query->getColumn(0).getInt64() : std::int64_t{0};
  });
}

namespace {

// The counts of terms that `build` makes the SQL of.
template <class Build>
Result<std::vector<TermCount>> count_terms(Connection& db, Build build) noexcept {
  return guarded([&]() -> Result<std::vector<TermCount>> {
    rows::Sql sql(dialect);
    build(sql);
    auto query = db.query(sql.text);
    bind_values(*query, sql.values);
    return collect(query, reading(rows::read_term));
  });
}

}  // namespace

Result<std::vector<TermCount>> SqlitePostStore::categories(TenantId tenant,
                                                           const PostVisibility& visible) noexcept {
  return count_terms(db_, [&](rows::Sql& sql) { rows::count_categories(sql, tenant, visible); });
}

Result<std::vector<TermCount>> SqlitePostStore::tags(TenantId tenant,
                                                     const PostVisibility& visible) noexcept {
  return count_terms(db_, [&](rows::Sql& sql) { rows::count_tags(sql, tenant, visible); });
}

Result<std::vector<PostId>> SqlitePostStore::due(TenantId tenant, Timestamp now) noexcept {
  return guarded([&]() -> Result<std::vector<PostId>> {
    auto query = db_.query(
        "SELECT id FROM posts WHERE tenant_id = ? AND status = 'scheduled' AND scheduled_at <= ?"
        " AND deleted_at IS NULL ORDER BY scheduled_at, id");
    bind_all(*query, as_int(tenant), static_cast<std::int64_t>(now));
    return collect(query,
                   [](SQLite::Statement& row) { return PostId{row.getColumn(0).getInt64()}; });
  });
}

Result<std::vector<SearchHit>> SqlitePostStore::search(TenantId tenant, const SearchQuery& search,
                                                       const PostVisibility& visible,
                                                       unsigned limit) noexcept {
  if (search.empty()) return std::vector<SearchHit>();
  auto result = guarded([&]() -> Result<std::vector<SearchHit>> {
    // The tokenizer files the query's terms under the tenant, so MATCH reads only its doclists;
    // snippet() and quire_bm25() tokenize under the same scope.
    const SearchTenantScope scope(tenant);
    rows::Sql sql(dialect);
    const auto match = sql.param(fts5_match(search));
    const auto t = sql.param(tenant);
    const auto top = sql.param(static_cast<std::int64_t>(limit));
    // First the best `limit` hits, ranked by bm25 over the tenant's own statistics (a title match
    // counts ten times a body match); then a snippet for each of those alone. A snippet re-reads
    // and re-tokenizes the body, so making one for every hit before the LIMIT would cost most of
    // the search on a common word.
    sql.text = fmt::format(
        "WITH top AS MATERIALIZED (SELECT posts_fts.rowid AS id, quire_bm25(posts_fts,"
        " (SELECT documents FROM post_search_stats WHERE tenant_id = {1}),"
        " (SELECT tokens FROM post_search_stats WHERE tenant_id = {1}), 10.0, 1.0) AS rank"
        " FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid"
        " WHERE posts_fts MATCH {0} AND p.tenant_id = {1} AND p.deleted_at IS NULL",
        match, t);
    rows::add_visibility(sql, visible, t);
    sql.text += fmt::format(
        " ORDER BY 2, 1 DESC LIMIT {1})"
        " SELECT p.id, p.type, p.slug, p.title, snippet(posts_fts, 1, '[', ']', '…', 16),"
        " -top.rank FROM top CROSS JOIN posts_fts ON posts_fts.rowid = top.id"
        " CROSS JOIN posts p ON p.id = top.id WHERE posts_fts MATCH {0}"
        " ORDER BY top.rank, top.id DESC",
        match, top);
    auto query = db_.query(sql.text);
    bind_values(*query, sql.values);
    return collect(query, reading(rows::read_hit));
  });
  // fts5_match() quotes every part; should FTS5 still refuse it, say so plainly rather than
  // passing SQLite's parser message on.
  if (!result && (result.error().backend_detail.find("fts5") != std::string::npos)) {
    return fail(Errc::invalid_argument, "the search query cannot be used",
                result.error().backend_detail);
  }
  return result;
}

}  // namespace quire::storage::sqlite
