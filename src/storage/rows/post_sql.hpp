#pragma once
// The post queries both backends run alike, built once over a Dialect: listings with their filters,
// orders and keyset positions, and the visibility rule every listing, count of terms and search
// applies. Every statement names the posts table `p`.

#include <quire/storage.hpp>

#include "storage/rows/sql.hpp"

namespace quire::storage::rows {

// " AND (…)": the posts `visible` lets the reader see; nothing when it allows all. `tenant` is the
// placeholder that already holds the tenant id.
void add_visibility(Sql& sql, const PostVisibility& visible, std::string_view tenant);

// SELECT QUIRE_POST_META_P … for PostStore::list, with the tenant as parameter 1.
void list_posts(Sql& sql, TenantId tenant, const PostScan& scan);

// The categories and tags of the posts not in the trash that the reader may see, by name.
void count_categories(Sql& sql, TenantId tenant, const PostVisibility& visible);
void count_tags(Sql& sql, TenantId tenant, const PostVisibility& visible);

}  // namespace quire::storage::rows
