#include <fmt/format.h>

#include "core/json.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/pg_stores.hpp"
#include "storage/rows/post_row.hpp"
#include "storage/rows/post_sql.hpp"

namespace quire::storage::postgres {

namespace {

// posts and its satellites (post_tags, post_slugs, post_search_stats) are tenant-owned: every
// statement names its tenant in its filter and to the session, for row-level security.

// The search vector of $5 (title) and $22 (body), and its length in tokens.
#define POST_VECTOR "quire_post_vector($5, $22)"

Post read_full_post(const PgResult& r, int row) {
  return rows::read_post(ResultReader(r, row), true);
}

// A search as the JSON array of [text, prefix] pairs that quire_search_query() takes: it makes
// each text a phrase with phraseto_tsquery (the tokens of one word, or a phrase's words, in a
// row), a prefix when asked, and ANDs them. The user's text is only ever a bind parameter, never
// query syntax.
std::string search_terms(const SearchQuery& search) {
  detail::Json terms = detail::Json::array();
  for (const auto& term : search.terms) terms.push_back(detail::Json::array({term, false}));
  for (const auto& prefix : search.prefixes) terms.push_back(detail::Json::array({prefix, true}));
  for (const auto& phrase : search.phrases) {
    std::string words;
    for (const auto& word : phrase) words += (words.empty() ? "" : " ") + word;
    terms.push_back(detail::Json::array({words, false}));
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
                           " p AS (INSERT INTO posts (" QUIRE_POST_WRITE_COLUMNS
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
                           to_params(rows::post_values(post))));
    return PostId{result.int64(0, 0)};
  });
}

Result<std::optional<Post>> PgPostStore::find(TenantId tenant, PostId id, Lock lock) noexcept {
  return guarded([&]() -> Result<std::optional<Post>> {
    // A post read to be changed (a version check, then the update) is locked: a concurrent
    // writer waits here, rather than both reading the same version. Under SERIALIZABLE the later
    // one then fails to serialize (a retry, which sees the new version), never a lost update.
    const bool locking = lock == Lock::for_update && db_.access() == Access::write;
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          locking ? "SELECT " QUIRE_POST_META
                                    ", body FROM posts WHERE tenant_id = $1 AND id = $2"
                                    " FOR NO KEY UPDATE"
                                  : "SELECT " QUIRE_POST_META
                                    ", body FROM posts WHERE tenant_id = $1 AND id = $2",
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
                          "SELECT " QUIRE_POST_META
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
    auto params = to_params(rows::post_values(after));
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
    rows::Sql sql(dialect);
    rows::list_posts(sql, tenant, scan);
    QUIRE_TRY(auto result, db_.read_in(tenant, sql.text, to_params(sql.values)));
    return collect(
        result, reading([](const rows::ColumnReader& row) { return rows::read_post(row, false); }));
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

// The counts of terms that `build` makes the SQL of.
template <class Build>
Result<std::vector<TermCount>> count_terms(Session& db, TenantId tenant, Build build) noexcept {
  return guarded([&]() -> Result<std::vector<TermCount>> {
    rows::Sql sql(dialect);
    build(sql);
    QUIRE_TRY(auto result, db.read_in(tenant, sql.text, to_params(sql.values)));
    return collect(result, reading(rows::read_term));
  });
}

}  // namespace

Result<std::vector<TermCount>> PgPostStore::categories(TenantId tenant,
                                                       const PostVisibility& visible) noexcept {
  return count_terms(db_, tenant,
                     [&](rows::Sql& sql) { rows::count_categories(sql, tenant, visible); });
}

Result<std::vector<TermCount>> PgPostStore::tags(TenantId tenant,
                                                 const PostVisibility& visible) noexcept {
  return count_terms(db_, tenant, [&](rows::Sql& sql) { rows::count_tags(sql, tenant, visible); });
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

Result<std::vector<SearchHit>> PgPostStore::search(TenantId tenant, const SearchQuery& search,
                                                   const PostVisibility& visible,
                                                   unsigned limit) noexcept {
  if (search.empty()) return std::vector<SearchHit>();
  return guarded([&]() -> Result<std::vector<SearchHit>> {
    rows::Sql sql(dialect);
    const auto t = sql.param(tenant);
    const auto terms = sql.param(search_terms(search));
    const auto top = sql.param(static_cast<std::int64_t>(limit));
    // First the best `limit` hits: ts_rank with a title match worth ten times a body match
    // (weights {D, C, B, A}), divided by bm25's length normalisation (k1 = 1.2, b = 0.75) against
    // the tenant's own average length, so a shorter document ranks first and only the tenant's
    // own writes move its scores. Then a snippet of the body for those alone, as SQLite's
    // snippet() makes them: ts_headline re-parses the whole body, too costly for every match.
    sql.text = fmt::format(
        "WITH q AS MATERIALIZED (SELECT quire_search_query({1}::jsonb) AS q),"
        " st AS MATERIALIZED (SELECT coalesce((SELECT tokens::float8 /"
        " greatest(documents, 1) FROM post_search_stats WHERE tenant_id ="
        " {0}), 1) AS average),"
        " top AS MATERIALIZED (SELECT p.id, ts_rank('{{0.1, 0.1, 0.1, 1.0}}',"
        " p.search, q.q) * 2.2 / (1.0 + 1.2 * (0.25 + 0.75 *"
        " p.search_tokens / greatest(st.average, 1))) AS score"
        " FROM posts p, q, st WHERE p.tenant_id = {0}"
        " AND p.deleted_at IS NULL AND p.search @@ q.q",
        t, terms);
    rows::add_visibility(sql, visible, t);
    sql.text += fmt::format(
        " ORDER BY 2 DESC, 1 DESC LIMIT {1})"
        " SELECT p.id, p.type, p.slug, p.title, ts_headline('quire_search', p.body,"
        " q.q, 'StartSel=[, StopSel=], MaxWords=16, MinWords=6, ShortWord=0,"
        " MaxFragments=1, FragmentDelimiter=…'), top.score"
        " FROM top JOIN posts p ON p.tenant_id = {0} AND p.id = top.id, q"
        " ORDER BY top.score DESC, top.id DESC",
        t, top);
    QUIRE_TRY(auto result, db_.read_in(tenant, sql.text, to_params(sql.values)));
    return collect(result, reading(rows::read_hit));
  });
}

}  // namespace quire::storage::postgres
