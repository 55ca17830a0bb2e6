#pragma once
// The posts table as both backends map it: its columns, how a row reads into a Post and what an
// insert or update binds.

#include <quire/post.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "storage/rows/row.hpp"

namespace quire::storage::rows {

// Every column but the body, in the order read_post() reads them; listings never read bodies.
#define QUIRE_POST_META                                                                      \
  "id, tenant_id, type, parent_id, slug, title, status, author_id, category, tags, version," \
  " published_version, reading_time, view_count, created_at, updated_at, published_at,"      \
  " scheduled_at, deleted_at, excerpt, seo, fields"

// The same with every column prefixed by `p.`, for statements that join posts as p.
#define QUIRE_POST_META_P                                                                       \
  "p.id, p.tenant_id, p.type, p.parent_id, p.slug, p.title, p.status, p.author_id, p.category," \
  " p.tags, p.version, p.published_version, p.reading_time, p.view_count, p.created_at,"        \
  " p.updated_at, p.published_at, p.scheduled_at, p.deleted_at, p.excerpt, p.seo, p.fields"

// Every column but id, then body: what post_values() binds, as parameters 1 … 22.
#define QUIRE_POST_WRITE_COLUMNS                                                         \
  "tenant_id, type, parent_id, slug, title, status, author_id, category, tags, version," \
  " published_version, reading_time, view_count, created_at, updated_at, published_at,"  \
  " scheduled_at, deleted_at, excerpt, seo, fields, body"

// A row of QUIRE_POST_META, then the body as column 22 when `with_body`.
Post read_post(const ColumnReader& row, bool with_body);

// The values of QUIRE_POST_WRITE_COLUMNS.
Values post_values(const Post& post);

// The tags column: a JSON array of strings.
std::vector<std::string> parse_tags(std::string_view text);

// A (term, count) row of categories() and tags().
TermCount read_term(const ColumnReader& row);

// A (id, type, slug, title, snippet, score) row of search().
SearchHit read_hit(const ColumnReader& row);

}  // namespace quire::storage::rows
