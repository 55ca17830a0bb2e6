#include <fmt/format.h>
#include <sqlite3.h>

#include <functional>

#include "core/json.hpp"
#include "storage/sqlite/sqlite_search.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

#define POST_META                                                                            \
  "id, tenant_id, type, parent_id, slug, title, status, author_id, category, tags, version," \
  " published_version, reading_time, view_count, created_at, updated_at, published_at,"      \
  " scheduled_at, deleted_at, excerpt, seo, fields"

std::int64_t as_int(PostId id) {
  return static_cast<std::int64_t>(id);
}

std::vector<std::string> parse_tags(std::string_view text) {
  std::vector<std::string> tags;
  // The common case, as dump_json writes it: ["a","b"] with no escapes, read in place.
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']' &&
      text.find('\\') == std::string_view::npos) {
    std::size_t i = 1;
    bool plain = true;
    while (plain && i + 1 < text.size()) {
      const auto close = text[i] == '"' ? text.find('"', i + 1) : std::string_view::npos;
      if (close == std::string_view::npos) {
        plain = false;
        break;
      }
      tags.emplace_back(text.substr(i + 1, close - i - 1));
      i = close + 1;
      if (text[i] == ',') {
        ++i;
      } else if (i + 1 != text.size()) {
        plain = false;
      }
    }
    if (plain) return tags;
    tags.clear();
  }
  for (const auto& tag : detail::Json::parse(text)) tags.push_back(tag.get<std::string>());
  return tags;
}

Post read_post(SQLite::Statement& row, bool with_body) {
  Post post;
  post.id = row.getColumn(0).getInt64();
  post.tenant_id = row.getColumn(1).getInt64();
  post.type = row.getColumn(2).getString();
  post.parent_id = optional_column<std::int64_t>(row, 3);
  post.slug = row.getColumn(4).getString();
  post.title = row.getColumn(5).getString();
  post.status = parse_post_status(row.getColumn(6).getString()).value_or(PostStatus::draft);
  post.author_id = row.getColumn(7).getInt64();
  post.category = optional_column<std::string>(row, 8);
  post.tags = parse_tags(text_column(row, 9));
  post.version = row.getColumn(10).getInt64();
  post.published_version = optional_column<std::int64_t>(row, 11);
  post.reading_time = row.getColumn(12).getInt64();
  post.view_count = row.getColumn(13).getInt64();
  post.created_at = row.getColumn(14).getInt64();
  post.updated_at = row.getColumn(15).getInt64();
  post.published_at = optional_column<std::int64_t>(row, 16);
  post.scheduled_at = optional_column<std::int64_t>(row, 17);
  post.deleted_at = optional_column<std::int64_t>(row, 18);
  post.excerpt = row.getColumn(19).getString();
  post.seo = row.getColumn(20).getString();
  post.fields = row.getColumn(21).getString();
  if (with_body) post.body = row.getColumn(22).getString();
  return post;
}

Post read_full_post(SQLite::Statement& row) {
  return read_post(row, true);
}
Post read_listed_post(SQLite::Statement& row) {
  return read_post(row, false);
}

// Binds every column of POST_META but id, then body, from parameter 1.
void bind_post(SQLite::Statement& s, const Post& post) {
  bind_all(s, as_int(post.tenant_id), post.type);
  bind_optional(s, 3, post.parent_id);
  s.bind(4, post.slug);
  s.bind(5, post.title);
  s.bind(6, std::string(post_status_name(post.status)));
  s.bind(7, as_int(post.author_id));
  bind_optional(s, 8, post.category);
  s.bind(9, detail::dump_json(post.tags));
  s.bind(10, post.version);
  bind_optional(s, 11, post.published_version);
  s.bind(12, post.reading_time);
  s.bind(13, post.view_count);
  s.bind(14, static_cast<std::int64_t>(post.created_at));
  s.bind(15, static_cast<std::int64_t>(post.updated_at));
  bind_optional(s, 16, post.published_at);
  bind_optional(s, 17, post.scheduled_at);
  bind_optional(s, 18, post.deleted_at);
  s.bind(19, post.excerpt);
  s.bind(20, post.seo);
  s.bind(21, post.fields);
  s.bind(22, post.body);
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

// The sort key of an order, and whether it runs newest (or Z) first.
struct Ordering {
  const char* key;
  bool descending;
};

Ordering ordering(PostOrder order) {
  switch (order) {
    case PostOrder::published_desc:
      return {"ifnull(published_at, 0)", true};
    case PostOrder::published_asc:
      return {"ifnull(published_at, 0)", false};
    case PostOrder::updated_desc:
      return {"updated_at", true};
    case PostOrder::updated_asc:
      return {"updated_at", false};
    case PostOrder::created_desc:
      return {"created_at", true};
    case PostOrder::created_asc:
      return {"created_at", false};
    case PostOrder::title_asc:
      return {"title", false};
    case PostOrder::title_desc:
      return {"title", true};
  }
  return {"id", true};
}

bool is_title(PostOrder order) {
  return order == PostOrder::title_asc || order == PostOrder::title_desc;
}

bool is_published(PostOrder order) {
  return order == PostOrder::published_asc || order == PostOrder::published_desc;
}

}  // namespace

Result<PostId> SqlitePostStore::insert(const Post& post) noexcept {
  return guarded([&]() -> Result<PostId> {
    auto query =
        db_.query("INSERT INTO posts (" POST_META
                  ", body) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                  " ?, ?, ?, ?, ?)");
    bind_post(*query, post);
    query->exec();
    Post stored = post;
    stored.id = db_.db().getLastInsertRowid();
    insert_tags(db_, stored);
    index_post(db_, stored, live(stored));
    return stored.id;
  });
}

Result<std::optional<Post>> SqlitePostStore::find(TenantId tenant, PostId id) noexcept {
  return find_one(db_, "SELECT " POST_META ", body FROM posts WHERE id = ? AND tenant_id = ?",
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
  return find_one(
      db_, "SELECT " POST_META ", body FROM posts WHERE tenant_id = ? AND type = ? AND slug = ?",
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
    const auto [key, descending] = ordering(scan.order);
    const char* time_key = is_title(scan.order) ? "created_at" : key;
    // Only the conditions that are set go into the SQL (one cached statement per combination).
    std::string sql = "SELECT " POST_META " FROM posts WHERE tenant_id = ?";
    sql += scan.deleted ? " AND deleted_at IS NOT NULL" : " AND deleted_at IS NULL";
    if (scan.type) sql += " AND type = ?";
    // The status as a literal: a bound one would make SQLite prepare the statement again on every
    // run, as it checks the value against the partial index posts_scheduled (status =
    // 'scheduled'). The names are quire's own, so the literal is safe.
    if (scan.status) sql += fmt::format(" AND status = '{}'", post_status_name(*scan.status));
    if (scan.author_id) sql += " AND author_id = ?";
    if (scan.category) sql += " AND category = ?";
    if (scan.tag)
      sql += " AND id IN (SELECT post_id FROM post_tags WHERE tenant_id = ? AND tag = ?)";
    if (scan.parent_id) sql += *scan.parent_id ? " AND parent_id = ?" : " AND parent_id IS NULL";
    if (scan.since) sql += fmt::format(" AND {} >= ?", time_key);
    if (scan.until) sql += fmt::format(" AND {} < ?", time_key);
    // A window on publication time holds published posts only, not the never-published (time 0).
    if ((scan.since || scan.until) && is_published(scan.order))
      sql += " AND published_at IS NOT NULL";
    if (scan.after_key) {
      sql += fmt::format(" AND ({0} {1} ? OR ({0} = ? AND id {1} ?))", key, descending ? "<" : ">");
    }
    sql += fmt::format(" ORDER BY {0} {1}, id {1} LIMIT ?", key, descending ? "DESC" : "ASC");

    auto query = db_.query(sql);
    int index = 0;
    query->bind(++index, as_int(tenant));
    if (scan.type) query->bind(++index, *scan.type);
    if (scan.author_id) query->bind(++index, as_int(*scan.author_id));
    if (scan.category) query->bind(++index, *scan.category);
    if (scan.tag) {
      query->bind(++index, as_int(tenant));
      query->bind(++index, *scan.tag);
    }
    if (scan.parent_id && *scan.parent_id) query->bind(++index, as_int(**scan.parent_id));
    if (scan.since) query->bind(++index, static_cast<std::int64_t>(*scan.since));
    if (scan.until) query->bind(++index, static_cast<std::int64_t>(*scan.until));
    if (scan.after_key) {
      for (int twice = 0; twice < 2; ++twice) {
        std::visit([&](const auto& value) { query->bind(++index, value); }, *scan.after_key);
      }
      query->bind(++index, as_int(scan.after_id));
    }
    query->bind(++index, static_cast<std::int64_t>(scan.limit));
    return collect(query, read_listed_post);
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
TermCount read_term(SQLite::Statement& row) {
  return {row.getColumn(0).getString(), row.getColumn(1).getInt64()};
}
}  // namespace

Result<std::vector<TermCount>> SqlitePostStore::categories(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<TermCount>> {
    auto query = db_.query(
        "SELECT category, count(*) FROM posts WHERE tenant_id = ? AND category IS NOT NULL"
        " AND deleted_at IS NULL GROUP BY category ORDER BY category");
    query->bind(1, as_int(tenant));
    return collect(query, read_term);
  });
}

Result<std::vector<TermCount>> SqlitePostStore::tags(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<TermCount>> {
    auto query = db_.query(
        "SELECT t.tag, count(*) FROM post_tags t JOIN posts p ON p.id = t.post_id"
        " WHERE t.tenant_id = ? AND p.deleted_at IS NULL GROUP BY t.tag ORDER BY t.tag");
    query->bind(1, as_int(tenant));
    return collect(query, read_term);
  });
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

Result<std::vector<SearchHit>> SqlitePostStore::search(TenantId tenant, std::string_view match,
                                                       bool published_only,
                                                       unsigned limit) noexcept {
  auto result = guarded([&]() -> Result<std::vector<SearchHit>> {
    // The tokenizer files the query's terms under the tenant, so MATCH reads only its doclists;
    // snippet() and quire_bm25() tokenize under the same scope.
    const SearchTenantScope scope(tenant);
    // First the best `limit` hits, ranked by bm25 over the tenant's own statistics (a title match
    // counts ten times a body match); then a snippet for each of those alone. A snippet re-reads
    // and re-tokenizes the body, so making one for every hit before the LIMIT would cost most of
    // the search on a common word.
    auto query = db_.query(
        std::string(
            "WITH top AS MATERIALIZED (SELECT posts_fts.rowid AS id, quire_bm25(posts_fts,"
            " (SELECT documents FROM post_search_stats WHERE tenant_id = ?2),"
            " (SELECT tokens FROM post_search_stats WHERE tenant_id = ?2), 10.0, 1.0) AS rank"
            " FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid"
            " WHERE posts_fts MATCH ?1 AND p.tenant_id = ?2 AND p.deleted_at IS NULL") +
        (published_only ? " AND p.status = 'published'" : "") +
        " ORDER BY 2, 1 DESC LIMIT ?3)"
        " SELECT p.id, p.type, p.slug, p.title, snippet(posts_fts, 1, '[', ']', '…', 16),"
        " -top.rank FROM top CROSS JOIN posts_fts ON posts_fts.rowid = top.id"
        " CROSS JOIN posts p ON p.id = top.id WHERE posts_fts MATCH ?1"
        " ORDER BY top.rank, top.id DESC");
    bind_all(*query, std::string(match), as_int(tenant), static_cast<std::int64_t>(limit));
    return collect(query, [](SQLite::Statement& row) {
      return SearchHit{row.getColumn(0).getInt64(),  row.getColumn(1).getString(),
                       row.getColumn(2).getString(), row.getColumn(3).getString(),
                       row.getColumn(4).getString(), row.getColumn(5).getDouble()};
    });
  });
  // The engine builds `match` from quoted terms; should FTS5 still refuse it, say so plainly
  // rather than passing SQLite's parser message on.
  if (!result && (result.error().backend_detail.find("fts5") != std::string::npos)) {
    return fail(Errc::invalid_argument, "the search query cannot be used",
                result.error().backend_detail);
  }
  return result;
}

}  // namespace quire::storage::sqlite
