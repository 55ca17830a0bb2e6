#include <fmt/format.h>

#include <charconv>

#include "core/json.hpp"
#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

namespace {

// posts and its satellites (post_tags, post_slugs, post_search_stats) are tenant-owned: every
// statement names its tenant in its filter and to the session, for row-level security.

#define POST_META                                                                            \
  "id, tenant_id, type, parent_id, slug, title, status, author_id, category, tags, version," \
  " published_version, reading_time, view_count, created_at, updated_at, published_at,"      \
  " scheduled_at, deleted_at, excerpt, seo, fields"

// Every column of POST_META but id, then body: $1 … $22, as post_params() binds them.
#define POST_COLUMNS                                                                     \
  "tenant_id, type, parent_id, slug, title, status, author_id, category, tags, version," \
  " published_version, reading_time, view_count, created_at, updated_at, published_at,"  \
  " scheduled_at, deleted_at, excerpt, seo, fields, body"

// The search vector of $5 (title) and $22 (body), and its length in tokens.
#define POST_VECTOR "quire_post_vector($5, $22)"

std::vector<std::string> parse_tags(std::string_view text) {
  std::vector<std::string> tags;
  for (const auto& tag : detail::Json::parse(text)) tags.push_back(tag.get<std::string>());
  return tags;
}

Post read_post(const PgResult& r, int row, bool with_body) {
  Post post;
  post.id = r.int64(row, 0);
  post.tenant_id = r.int64(row, 1);
  post.type = r.string(row, 2);
  post.parent_id = r.optional_int64(row, 3);
  post.slug = r.string(row, 4);
  post.title = r.string(row, 5);
  post.status = parse_post_status(r.text(row, 6)).value_or(PostStatus::draft);
  post.author_id = r.int64(row, 7);
  post.category = r.optional_string(row, 8);
  post.tags = parse_tags(r.text(row, 9));
  post.version = r.int64(row, 10);
  post.published_version = r.optional_int64(row, 11);
  post.reading_time = r.int64(row, 12);
  post.view_count = r.int64(row, 13);
  post.created_at = r.int64(row, 14);
  post.updated_at = r.int64(row, 15);
  post.published_at = r.optional_int64(row, 16);
  post.scheduled_at = r.optional_int64(row, 17);
  post.deleted_at = r.optional_int64(row, 18);
  post.excerpt = r.string(row, 19);
  post.seo = r.string(row, 20);
  post.fields = r.string(row, 21);
  if (with_body) post.body = r.string(row, 22);
  return post;
}

Post read_full_post(const PgResult& r, int row) {
  return read_post(r, row, true);
}

Post read_listed_post(const PgResult& r, int row) {
  return read_post(r, row, false);
}

Params post_params(const Post& post) {
  Params params(post.tenant_id, post.type, post.parent_id, post.slug, post.title,
                post_status_name(post.status), post.author_id, post.category,
                detail::dump_json(post.tags), post.version, post.published_version,
                post.reading_time, post.view_count, post.created_at, post.updated_at,
                post.published_at, post.scheduled_at, post.deleted_at, post.excerpt, post.seo,
                post.fields, post.body);
  return params;
}

double parse_double(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw BadValue("expected a number from PostgreSQL");
  }
  return value;
}

// The sort key of an order, and whether it runs newest (or Z) first.
struct Ordering {
  const char* key;
  bool descending;
};

Ordering ordering(PostOrder order) {
  switch (order) {
    case PostOrder::published_desc:
      return {"coalesce(published_at, 0)", true};
    case PostOrder::published_asc:
      return {"coalesce(published_at, 0)", false};
    case PostOrder::updated_desc:
      return {"updated_at", true};
    case PostOrder::updated_asc:
      return {"updated_at", false};
    case PostOrder::created_desc:
      return {"created_at", true};
    case PostOrder::created_asc:
      return {"created_at", false};
    case PostOrder::title_asc:
      return {"title COLLATE \"C\"", false};
    case PostOrder::title_desc:
      return {"title COLLATE \"C\"", true};
  }
  return {"id", true};
}

bool is_title(PostOrder order) {
  return order == PostOrder::title_asc || order == PostOrder::title_desc;
}

bool is_published(PostOrder order) {
  return order == PostOrder::published_asc || order == PostOrder::published_desc;
}

// The engine's full-text expression: terms separated by spaces, each a double-quoted string
// (quotes doubled inside) with an optional `*` after it for a prefix (src/core/text.cpp). As a
// JSON array of [text, prefix] pairs, for quire_search_query(), which makes each a phrase with
// phraseto_tsquery: the user's text is only ever a bind parameter, never query syntax. Anything
// else is refused.
std::optional<std::string> search_terms(std::string_view match) {
  detail::Json terms = detail::Json::array();
  std::size_t i = 0;
  while (i < match.size()) {
    if (match[i] == ' ') {
      ++i;
      continue;
    }
    if (match[i] != '"') return std::nullopt;
    std::string text;
    ++i;
    for (;;) {
      if (i >= match.size()) return std::nullopt;
      if (match[i] == '"') {
        if (i + 1 < match.size() && match[i + 1] == '"') {
          text += '"';
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      text += match[i++];
    }
    const bool prefix = i < match.size() && match[i] == '*';
    if (prefix) ++i;
    terms.push_back(detail::Json::array({text, prefix}));
  }
  return detail::dump_json(terms);
}

}  // namespace

Result<PostId> PgPostStore::insert(const Post& post) noexcept {
  return guarded([&]() -> Result<PostId> {
    // The row, its tags and the tenant's search statistics in one statement.
    QUIRE_TRY(auto result,
              db_.write_in(post.tenant_id,
                           "WITH v AS (SELECT " POST_VECTOR " AS search),"
                           " p AS (INSERT INTO posts (" POST_COLUMNS
                           ", search, search_tokens) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                           " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,"
                           " (SELECT search FROM v), quire_tokens((SELECT search FROM v)))"
                           " RETURNING id, search_tokens),"
                           " t AS (INSERT INTO post_tags (tenant_id, tag, post_id)"
                           " SELECT DISTINCT $1::bigint, tag, p.id FROM p,"
                           " jsonb_array_elements_text($9::jsonb) AS tag),"
                           " s AS (INSERT INTO post_search_stats (tenant_id, documents, tokens,"
                           " live_posts) SELECT $1, 1, search_tokens, ($18::bigint IS NULL)::int"
                           " FROM p ON CONFLICT (tenant_id) DO UPDATE"
                           " SET documents = post_search_stats.documents + 1,"
                           " tokens = post_search_stats.tokens + excluded.tokens,"
                           " live_posts = post_search_stats.live_posts + excluded.live_posts)"
                           " SELECT id FROM p",
                           post_params(post)));
    return PostId{result.int64(0, 0)};
  });
}

Result<std::optional<Post>> PgPostStore::find(TenantId tenant, PostId id) noexcept {
  return guarded([&]() -> Result<std::optional<Post>> {
    // In a write transaction the engine reads a post to change it (a version check, then the
    // update): the row lock makes a concurrent writer wait here, rather than both reading the
    // same version. Under SERIALIZABLE the later one then fails to serialize (a retry, which sees
    // the new version), never a lost update.
    const bool writing = db_.access() == Access::write;
    QUIRE_TRY(
        auto result,
        db_.read_in(tenant,
                    writing
                        ? "SELECT " POST_META ", body FROM posts WHERE tenant_id = $1 AND id = $2"
                          " FOR NO KEY UPDATE"
                        : "SELECT " POST_META ", body FROM posts WHERE tenant_id = $1 AND id = $2",
                    Params(tenant, id)));
    return first_row(result, read_full_post);
  });
}

Result<std::optional<PostAccess>> PgPostStore::find_access(TenantId tenant, PostId id) noexcept {
  return guarded([&]() -> Result<std::optional<PostAccess>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT author_id, status, deleted_at IS NOT NULL FROM posts"
                                       " WHERE tenant_id = $1 AND id = $2",
                                       Params(tenant, id)));
    return first_row(result, [&](const PgResult& r, int row) {
      return PostAccess{tenant, id, r.int64(row, 0),
                        parse_post_status(r.text(row, 1)).value_or(PostStatus::draft),
                        r.boolean(row, 2)};
    });
  });
}

Result<std::optional<Post>> PgPostStore::find_by_slug(TenantId tenant, std::string_view type,
                                                      std::string_view slug) noexcept {
  return guarded([&]() -> Result<std::optional<Post>> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT " POST_META
                          ", body FROM posts WHERE tenant_id = $1 AND type = $2 AND slug = $3",
                          Params(tenant, type, slug)));
    return first_row(result, read_full_post);
  });
}

Result<std::optional<PostId>> PgPostStore::find_old_slug(TenantId tenant, std::string_view type,
                                                         std::string_view slug) noexcept {
  return guarded([&]() -> Result<std::optional<PostId>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT post_id FROM post_slugs WHERE tenant_id = $1"
                                       " AND type = $2 AND slug = $3",
                                       Params(tenant, type, slug)));
    return first_row(result, [](const PgResult& r, int row) { return PostId{r.int64(row, 0)}; });
  });
}

Result<bool> PgPostStore::slug_taken(TenantId tenant, std::string_view type, std::string_view slug,
                                     PostId except) noexcept {
  return guarded([&]() -> Result<bool> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT EXISTS (SELECT 1 FROM posts WHERE tenant_id = $1 AND type = $2"
                          " AND slug = $3 AND id <> $4) OR EXISTS (SELECT 1 FROM post_slugs"
                          " WHERE tenant_id = $1 AND type = $2 AND slug = $3 AND post_id <> $4)",
                          Params(tenant, type, slug, except)));
    return result.boolean(0, 0);
  });
}

Result<void> PgPostStore::add_old_slug(TenantId tenant, std::string_view type,
                                       std::string_view slug, PostId post) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(tenant,
                           "INSERT INTO post_slugs (tenant_id, type, slug, post_id)"
                           " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, type, slug)"
                           " DO UPDATE SET post_id = excluded.post_id",
                           Params(tenant, type, slug, post)));
    return success();
  });
}

Result<void> PgPostStore::update(const Post& before, const Post& after) noexcept {
  return guarded([&]() -> Result<void> {
    const bool retag = before.tags != after.tags;
    const bool reindex = before.title != after.title || before.body != after.body;
    const bool relive = before.deleted_at.has_value() != after.deleted_at.has_value();
    // One statement: the row, its tags when they changed (those no longer there go, the new ones
    // come), and its search vector and the tenant's statistics when the text changed or the post
    // went to or left the trash (live_posts, for the quota; the change is taken from the old and
    // new rows themselves). Up to six variants, each prepared once.
    std::string sql =
        "WITH o AS (SELECT search_tokens, deleted_at FROM posts WHERE tenant_id = $1 AND id = $23),"
        " u AS (UPDATE posts SET type = $2, parent_id = $3, slug = $4, title = $5, status = $6,"
        " author_id = $7, category = $8, tags = $9, version = $10, published_version = $11,"
        " reading_time = $12, view_count = $13, created_at = $14, updated_at = $15,"
        " published_at = $16, scheduled_at = $17, deleted_at = $18, excerpt = $19, seo = $20,"
        " fields = $21, body = $22";
    if (reindex) {
      sql +=
          ", search = v.search, search_tokens = quire_tokens(v.search)"
          " FROM (SELECT " POST_VECTOR " AS search) AS v";
    }
    sql +=
        " WHERE posts.tenant_id = $1 AND posts.id = $23"
        " RETURNING posts.id, posts.search_tokens, posts.deleted_at)";
    if (retag) {
      sql +=
          ", d AS (DELETE FROM post_tags WHERE tenant_id = $1 AND post_id IN (SELECT id FROM u)"
          " AND tag NOT IN (SELECT jsonb_array_elements_text($9::jsonb))),"
          " i AS (INSERT INTO post_tags (tenant_id, tag, post_id) SELECT DISTINCT $1::bigint, tag,"
          " u.id FROM u, jsonb_array_elements_text($9::jsonb) AS tag ON CONFLICT DO NOTHING)";
    }
    // One CTE for the statistics row: two updating the same row in one statement would lose one.
    if (reindex || relive) {
      sql +=
          ", s AS (UPDATE post_search_stats SET live_posts = live_posts"
          " + (u.deleted_at IS NULL)::int - (o.deleted_at IS NULL)::int";
      if (reindex) sql += ", tokens = tokens + u.search_tokens - o.search_tokens";
      sql += " FROM u, o WHERE post_search_stats.tenant_id = $1)";
    }
    sql += " SELECT count(*) FROM u";
    auto params = post_params(after);
    params.add(after.id);
    QUIRE_TRY(auto result, db_.write_in(after.tenant_id, sql, params));
    if (result.int64(0, 0) == 0) {
      return fail(Errc::not_found, fmt::format("post {} not found", after.id));
    }
    return success();
  });
}

Result<void> PgPostStore::purge(const Post& post) noexcept {
  return guarded([&]() -> Result<void> {
    // Tags, old slugs, versions and autosaves go with it (ON DELETE CASCADE); so does its entry
    // in the search index, which is the row itself.
    QUIRE_TRY(auto result, db_.write_in(post.tenant_id,
                                        "WITH p AS (DELETE FROM posts WHERE tenant_id = $1"
                                        " AND id = $2 RETURNING search_tokens, deleted_at),"
                                        " s AS (UPDATE post_search_stats SET documents ="
                                        " documents - 1, tokens = tokens - p.search_tokens,"
                                        " live_posts = live_posts - (p.deleted_at IS NULL)::int"
                                        " FROM p WHERE post_search_stats.tenant_id = $1)"
                                        " SELECT count(*) FROM p",
                                        Params(post.tenant_id, post.id)));
    if (result.int64(0, 0) == 0) {
      return fail(Errc::not_found, fmt::format("post {} not found", post.id));
    }
    return success();
  });
}

Result<std::vector<Post>> PgPostStore::list(TenantId tenant, const PostScan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<Post>> {
    const auto [key, descending] = ordering(scan.order);
    const char* time_key = is_title(scan.order) ? "created_at" : key;
    // Only the conditions that are set go into the SQL (one prepared statement per combination).
    Params params(tenant);
    std::string sql = "SELECT " POST_META " FROM posts WHERE tenant_id = $1";
    sql += scan.deleted ? " AND deleted_at IS NOT NULL" : " AND deleted_at IS NULL";
    const auto where = [&](std::string_view condition, const auto& value) {
      params.add(value);
      sql += fmt::format(" AND {} ${}", condition, params.size());
    };
    if (scan.type) where("type =", *scan.type);
    if (scan.status) where("status =", post_status_name(*scan.status));
    if (scan.author_id) where("author_id =", *scan.author_id);
    if (scan.category) where("category =", *scan.category);
    if (scan.tag) {
      params.add(*scan.tag);
      sql += fmt::format(
          " AND id IN (SELECT post_id FROM post_tags WHERE tenant_id = $1 AND tag = ${})",
          params.size());
    }
    if (scan.parent_id) {
      if (*scan.parent_id) {
        where("parent_id =", **scan.parent_id);
      } else {
        sql += " AND parent_id IS NULL";
      }
    }
    if (scan.since) where(fmt::format("{} >=", time_key), *scan.since);
    if (scan.until) where(fmt::format("{} <", time_key), *scan.until);
    // A window on publication time holds published posts only, not the never-published (time 0).
    if ((scan.since || scan.until) && is_published(scan.order))
      sql += " AND published_at IS NOT NULL";
    if (scan.after_key) {
      std::visit([&](const auto& value) { params.add(value); }, *scan.after_key);
      const int at = params.size();
      params.add(scan.after_id);
      sql += fmt::format(" AND ({0} {1} ${2} OR ({0} = ${2} AND id {1} ${3}))", key,
                         descending ? "<" : ">", at, at + 1);
    }
    params.add(scan.limit);
    sql += fmt::format(" ORDER BY {0} {1}, id {1} LIMIT ${2}", key, descending ? "DESC" : "ASC",
                       params.size());
    QUIRE_TRY(auto result, db_.read_in(tenant, sql, params));
    return collect(result, read_listed_post);
  });
}

Result<std::int64_t> PgPostStore::count(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    // One row, kept by insert, update and purge in the same statement as the posts they change.
    QUIRE_TRY(auto result,
              db_.read_in(tenant, "SELECT live_posts FROM post_search_stats WHERE tenant_id = $1",
                          Params(tenant)));
    return result.rows() == 0 ? std::int64_t{0} : result.int64(0, 0);
  });
}

namespace {
TermCount read_term(const PgResult& r, int row) {
  return {r.string(row, 0), r.int64(row, 1)};
}
}  // namespace

Result<std::vector<TermCount>> PgPostStore::categories(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<TermCount>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT category, count(*) FROM posts WHERE tenant_id = $1"
                                       " AND category IS NOT NULL AND deleted_at IS NULL"
                                       " GROUP BY category ORDER BY category COLLATE \"C\"",
                                       Params(tenant)));
    return collect(result, read_term);
  });
}

Result<std::vector<TermCount>> PgPostStore::tags(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<TermCount>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT t.tag, count(*) FROM post_tags t JOIN posts p"
                                       " ON p.tenant_id = t.tenant_id AND p.id = t.post_id"
                                       " WHERE t.tenant_id = $1 AND p.deleted_at IS NULL"
                                       " GROUP BY t.tag ORDER BY t.tag COLLATE \"C\"",
                                       Params(tenant)));
    return collect(result, read_term);
  });
}

Result<std::vector<PostId>> PgPostStore::due(TenantId tenant, Timestamp now) noexcept {
  return guarded([&]() -> Result<std::vector<PostId>> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT id FROM posts WHERE tenant_id = $1 AND status = 'scheduled'"
                          " AND scheduled_at <= $2 AND deleted_at IS NULL"
                          " ORDER BY scheduled_at, id",
                          Params(tenant, now)));
    return collect(result, [](const PgResult& r, int row) { return PostId{r.int64(row, 0)}; });
  });
}

Result<std::vector<SearchHit>> PgPostStore::search(TenantId tenant, std::string_view match,
                                                   bool published_only, unsigned limit) noexcept {
  return guarded([&]() -> Result<std::vector<SearchHit>> {
    auto terms = search_terms(match);
    if (!terms) return fail(Errc::invalid_argument, "the search query cannot be used");
    // First the best `limit` hits: ts_rank with a title match worth ten times a body match
    // (weights {D, C, B, A}), divided by bm25's length normalisation (k1 = 1.2, b = 0.75) against
    // the tenant's own average length, so a shorter document ranks first and only the tenant's
    // own writes move its scores. Then a snippet of the body for those alone, as SQLite's
    // snippet() makes them: ts_headline re-parses the whole body, too costly for every match.
    QUIRE_TRY(auto result,
              db_.read_in(
                  tenant,
                  std::string("WITH q AS MATERIALIZED (SELECT quire_search_query($2::jsonb) AS q),"
                              " st AS MATERIALIZED (SELECT coalesce((SELECT tokens::float8 /"
                              " greatest(documents, 1) FROM post_search_stats WHERE tenant_id ="
                              " $1), 1) AS average),"
                              " top AS MATERIALIZED (SELECT p.id, ts_rank('{0.1, 0.1, 0.1, 1.0}',"
                              " p.search, q.q) * 2.2 / (1.0 + 1.2 * (0.25 + 0.75 *"
                              " p.search_tokens / greatest(st.average, 1))) AS score"
                              " FROM posts p, q, st WHERE p.tenant_id = $1"
                              " AND p.deleted_at IS NULL AND p.search @@ q.q") +
                      (published_only ? " AND p.status = 'published'" : "") +
                      " ORDER BY 2 DESC, 1 DESC LIMIT $3)"
                      " SELECT p.id, p.type, p.slug, p.title, ts_headline('quire_search', p.body,"
                      " q.q, 'StartSel=[, StopSel=], MaxWords=16, MinWords=6, ShortWord=0,"
                      " MaxFragments=1, FragmentDelimiter=…'), top.score"
                      " FROM top JOIN posts p ON p.tenant_id = $1 AND p.id = top.id, q"
                      " ORDER BY top.score DESC, top.id DESC",
                  Params(tenant, *terms, limit)));
    return collect(result, [](const PgResult& r, int row) {
      return SearchHit{r.int64(row, 0),  r.string(row, 1), r.string(row, 2),
                       r.string(row, 3), r.string(row, 4), parse_double(r.text(row, 5))};
    });
  });
}

}  // namespace quire::storage::postgres
