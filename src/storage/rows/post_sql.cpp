#include "storage/rows/post_sql.hpp"

#include <fmt/format.h>

#include "storage/rows/post_row.hpp"

namespace quire::storage::rows {

namespace {

// The sort key of an order, and whether it runs newest (or Z) first.
struct Ordering {
  std::string key;
  bool descending;
};

Ordering ordering(const Dialect& dialect, PostOrder order) {
  switch (order) {
    case PostOrder::published_desc:
      return {dialect.published_key, true};
    case PostOrder::published_asc:
      return {dialect.published_key, false};
    case PostOrder::updated_desc:
      return {"p.updated_at", true};
    case PostOrder::updated_asc:
      return {"p.updated_at", false};
    case PostOrder::created_desc:
      return {"p.created_at", true};
    case PostOrder::created_asc:
      return {"p.created_at", false};
    case PostOrder::title_asc:
      return {fmt::format("p.title{}", dialect.text_order), false};
    case PostOrder::title_desc:
      return {fmt::format("p.title{}", dialect.text_order), true};
  }
  return {"p.id", true};
}

bool is_title(PostOrder order) {
  return order == PostOrder::title_asc || order == PostOrder::title_desc;
}

bool is_published(PostOrder order) {
  return order == PostOrder::published_asc || order == PostOrder::published_desc;
}

}  // namespace

void add_visibility(Sql& sql, const PostVisibility& visible, std::string_view tenant) {
  if (visible.all) return;
  std::vector<std::string> any;
  if (visible.published) any.emplace_back("p.status = 'published'");
  if (visible.author) any.push_back("p.author_id = " + sql.param(*visible.author));
  if (visible.grantee) {
    // Any level of grant lets its holder read the post (grants.hpp); the lookup is the grants
    // table's primary key.
    any.push_back(fmt::format(
        "EXISTS (SELECT 1 FROM grants g WHERE g.tenant_id = {} AND g.resource_type = 'post'"
        " AND g.resource_id = CAST(p.id AS TEXT) AND g.user_id = {})",
        tenant, sql.param(*visible.grantee)));
  }
  if (any.empty()) {
    sql.text += " AND 1 = 0";  // nothing is visible
    return;
  }
  sql.text += " AND (";
  for (std::size_t i = 0; i < any.size(); ++i) {
    if (i) sql.text += " OR ";
    sql.text += any[i];
  }
  sql.text += ")";
}

void list_posts(Sql& sql, TenantId tenant, const PostScan& scan) {
  const auto [key, descending] = ordering(sql.dialect, scan.order);
  const std::string time_key = is_title(scan.order) ? "p.created_at" : key;
  // Only the conditions that are set go into the SQL (one cached statement per combination).
  const auto t = sql.param(tenant);
  sql.text = "SELECT " QUIRE_POST_META_P " FROM posts p WHERE p.tenant_id = " + t;
  sql.text += scan.deleted ? " AND p.deleted_at IS NOT NULL" : " AND p.deleted_at IS NULL";
  if (scan.type) sql.text += " AND p.type = " + sql.param(*scan.type);
  // The status as a literal: a bound one would make SQLite prepare the statement again on every
  // run, as it checks the value against the partial index posts_scheduled (status =
  // 'scheduled'). The names are quire's own, so the literal is safe.
  if (scan.status) sql.text += fmt::format(" AND p.status = '{}'", post_status_name(*scan.status));
  if (scan.author_id) sql.text += " AND p.author_id = " + sql.param(*scan.author_id);
  if (scan.category) sql.text += " AND p.category = " + sql.param(*scan.category);
  if (scan.tag) {
    sql.text += fmt::format(
        " AND p.id IN (SELECT post_id FROM post_tags WHERE tenant_id = {} AND tag = {})", t,
        sql.param(*scan.tag));
  }
  if (scan.parent_id) {
    sql.text += *scan.parent_id ? " AND p.parent_id = " + sql.param(**scan.parent_id)
                                : " AND p.parent_id IS NULL";
  }
  if (scan.since) sql.text += fmt::format(" AND {} >= {}", time_key, sql.param(*scan.since));
  if (scan.until) sql.text += fmt::format(" AND {} < {}", time_key, sql.param(*scan.until));
  // A window on publication time holds published posts only, not the never-published (time 0).
  if ((scan.since || scan.until) && is_published(scan.order))
    sql.text += " AND p.published_at IS NOT NULL";
  add_visibility(sql, scan.visible, t);
  if (scan.after_key) {
    const auto after =
        std::visit([&](const auto& value) { return sql.param(value); }, *scan.after_key);
    sql.text += fmt::format(" AND ({0} {1} {2} OR ({0} = {2} AND p.id {1} {3}))", key,
                            descending ? "<" : ">", after, sql.param(scan.after_id));
  }
  sql.text += fmt::format(" ORDER BY {0} {1}, p.id {1} LIMIT {2}", key, descending ? "DESC" : "ASC",
                          sql.param(static_cast<std::int64_t>(scan.limit)));
}

void count_categories(Sql& sql, TenantId tenant, const PostVisibility& visible) {
  const auto t = sql.param(tenant);
  sql.text = "SELECT p.category, count(*) FROM posts p WHERE p.tenant_id = " + t +
             " AND p.category IS NOT NULL AND p.deleted_at IS NULL";
  add_visibility(sql, visible, t);
  sql.text += fmt::format(" GROUP BY p.category ORDER BY p.category{}", sql.dialect.text_order);
}

void count_tags(Sql& sql, TenantId tenant, const PostVisibility& visible) {
  const auto t = sql.param(tenant);
  sql.text =
      "SELECT x.tag, count(*) FROM post_tags x JOIN posts p ON p.tenant_id = x.tenant_id"
      " AND p.id = x.post_id WHERE x.tenant_id = " +
      t + " AND p.deleted_at IS NULL";
  add_visibility(sql, visible, t);
  sql.text += fmt::format(" GROUP BY x.tag ORDER BY x.tag{}", sql.dialect.text_order);
}

}  // namespace quire::storage::rows
