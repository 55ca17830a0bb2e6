// Posts: create, read, update, the workflow, the trash, listing, search, terms and feeds; and the
// post record's JSON, which the version entry points share.

#include <limits>

#include "json.hpp"

namespace quire::capi {

namespace {

constexpr auto max_id = std::numeric_limits<PostId>::max();

PostStatus status_field(const Fields& fields, std::string_view key) {
  const auto name = fields.required_string(key);
  const auto status = parse_post_status(name);
  if (!status) {
    throw_invalid(fields.path_of(key) +
                  R"( must be "draft", "in_review", "scheduled", "published" or "archived")");
  }
  return *status;
}

// "parent_id": an id, or null for none.
std::optional<std::optional<PostId>> nullable_id(const Fields& fields, std::string_view key) {
  if (!fields.has(key)) return std::nullopt;
  if (fields.is_null(key)) return std::optional<PostId>();
  return fields.integer(key, 1, max_id);
}

constexpr std::pair<std::string_view, PostOrder> orders[] = {
    {"-published_at", PostOrder::published_desc},
    {"published_at", PostOrder::published_asc},
    {"-updated_at", PostOrder::updated_desc},
    {"updated_at", PostOrder::updated_asc},
    {"-created_at", PostOrder::created_desc},
    {"created_at", PostOrder::created_asc},
    {"title", PostOrder::title_asc},
    {"-title", PostOrder::title_desc},
};

PostOrder order_field(const Fields& fields, std::string_view key) {
  const auto name = fields.required_string(key);
  for (const auto& [text, order] : orders) {
    if (text == name) return order;
  }
  throw_invalid(fields.path_of(key) +
                R"( must be one of "-published_at", "published_at", "-updated_at", "updated_at",)"
                R"( "-created_at", "created_at", "title", "-title")");
}

NewPost decode_new_post(const char* post_json) {
  const char* name = "post_json";
  const Json json = parse_object(post_json, name);
  const Fields fields(json, name, known::post_json);
  NewPost post;
  post.title = fields.required_string("title");
  if (auto body = fields.string("body")) post.body = std::move(*body);
  if (auto type = fields.string("type")) post.type = std::move(*type);
  if (auto slug = fields.string("slug")) post.slug = std::move(*slug);
  if (fields.has("status")) post.status = status_field(fields, "status");
  if (auto tags = string_list(fields, "tags")) post.tags = std::move(*tags);
  if (auto category = fields.nullable_string("category")) post.category = std::move(*category);
  if (auto excerpt = fields.nullable_string("excerpt")) post.excerpt = std::move(*excerpt);
  if (auto seo = object_text(fields, "seo")) post.seo = std::move(*seo);
  if (auto custom = object_text(fields, "fields")) post.fields = std::move(*custom);
  if (auto parent = nullable_id(fields, "parent_id")) post.parent_id = *parent;
  return post;
}

PostPatch decode_post_patch(const char* patch_json) {
  const char* name = "patch_json";
  const Json json = parse_object(patch_json, name);
  const Fields fields(json, name, known::post_patch);
  PostPatch patch;
  patch.title = fields.string("title");
  patch.body = fields.string("body");
  patch.slug = fields.string("slug");
  patch.tags = string_list(fields, "tags");
  patch.category = fields.nullable_string("category");
  patch.excerpt = fields.nullable_string("excerpt");
  patch.seo = object_text(fields, "seo");
  patch.fields = object_text(fields, "fields");
  patch.parent_id = nullable_id(fields, "parent_id");
  return patch;
}

PostQuery decode_post_query(const char* query_json) {
  const char* name = "query_json";
  const Json json = parse_object(query_json, name, /*nullable=*/true);
  const Fields fields(json, name, known::post_query);
  PostQuery query;
  query.type = fields.string("type");
  if (fields.has("status")) query.status = status_field(fields, "status");
  query.author_id = fields.integer("author_id", 0, std::numeric_limits<UserId>::max());
  query.category = fields.string("category");
  query.tag = fields.string("tag");
  query.parent_id = nullable_id(fields, "parent_id");
  query.since = time_field(fields, "since");
  query.until = time_field(fields, "until");
  if (auto deleted = fields.boolean("deleted")) query.deleted = *deleted;
  if (fields.has("order")) query.order = order_field(fields, "order");
  fields.read_unsigned("limit", query.limit);
  query.cursor = fields.cursor("cursor");
  return query;
}

void append_hit(std::string& out, const SearchHit& hit) {
  append_key(out.append("{"), "post_id", true);
  append_int(out, hit.post_id);
  append_key(out, "type");
  append_string(out, hit.type);
  append_key(out, "slug");
  append_string(out, hit.slug);
  append_key(out, "title");
  append_string(out, hit.title);
  append_key(out, "snippet");
  append_string(out, hit.snippet);
  append_key(out, "score");
  append_double(out, hit.score);
  out.push_back('}');
}

void append_term(std::string& out, const TermCount& term) {
  append_key(out.append("{"), "name", true);
  append_string(out, term.name);
  append_key(out, "count");
  append_int(out, term.count);
  out.push_back('}');
}

std::string encode_posts(const std::vector<Post>& posts) {
  return encode_array(posts, append_post);
}

// A limit argument of the C ABI; the engine checks the upper bound.
unsigned limit_arg(std::int32_t limit) {
  if (limit < 1) throw_invalid("limit must be from 1 to 1000, got " + std::to_string(limit));
  return static_cast<unsigned>(limit);
}

FeedFormat feed_format(const char* format) {
  const auto name = string_arg(format, "format");
  if (name == "rss") return FeedFormat::rss;
  if (name == "atom") return FeedFormat::atom;
  throw_invalid(R"(format must be "rss" or "atom")");
}

// The one shape of most post entry points: a post in, the post record out.
template <class Operation>
quire_status with_post(char** out_json, quire_ctx* ctx, Operation operation) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto posts = context_of(ctx).posts();
    out = give(encode_post(unwrap(operation(posts))));
  });
}

}  // namespace

std::string encode_post(const Post& post) {
  std::string out;
  out.reserve(512 + post.body.size() + post.excerpt.size() + post.seo.size() + post.fields.size());
  append_post(out, post);
  return out;
}

void append_post(std::string& out, const Post& p) {
  append_key(out.append("{"), "id", true);
  append_int(out, p.id);
  append_key(out, "tenant_id");
  append_int(out, p.tenant_id);
  append_key(out, "type");
  append_string(out, p.type);
  append_key(out, "parent_id");
  append_nullable_int(out, p.parent_id);
  append_key(out, "slug");
  append_string(out, p.slug);
  append_key(out, "title");
  append_string(out, p.title);
  append_key(out, "body");
  append_string(out, p.body);
  append_key(out, "excerpt");
  append_string(out, p.excerpt);
  append_key(out, "status");
  append_string(out, post_status_name(p.status));
  append_key(out, "author_id");
  append_int(out, p.author_id);
  append_key(out, "category");
  append_nullable_string(out, p.category);
  append_key(out, "tags");
  append_strings(out, p.tags);
  append_key(out, "seo");
  append_object_text(out, p.seo);
  append_key(out, "fields");
  append_object_text(out, p.fields);
  append_key(out, "version");
  append_int(out, p.version);
  append_key(out, "published_version");
  append_nullable_int(out, p.published_version);
  append_key(out, "reading_time");
  append_int(out, p.reading_time);
  append_key(out, "view_count");
  append_int(out, p.view_count);
  append_key(out, "created_at");
  append_time(out, p.created_at);
  append_key(out, "updated_at");
  append_time(out, p.updated_at);
  append_key(out, "published_at");
  append_nullable_time(out, p.published_at);
  append_key(out, "scheduled_at");
  append_nullable_time(out, p.scheduled_at);
  append_key(out, "deleted_at");
  append_nullable_time(out, p.deleted_at);
  out.push_back('}');
}

}  // namespace quire::capi

using namespace quire::capi;
using quire::PostEngine;

extern "C" {

QUIRE_EXPORT quire_status quire_post_create(char** out_json, quire_ctx* ctx,
                                            const char* post_json) {
  return with_post(out_json, ctx,
                   [&](PostEngine& posts) { return posts.create(decode_new_post(post_json)); });
}

QUIRE_EXPORT quire_status quire_post_get(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.get(post_id); });
}

QUIRE_EXPORT quire_status quire_post_get_by_slug(char** out_json, quire_ctx* ctx, const char* slug,
                                                 const char* type) {
  return with_post(out_json, ctx, [&](PostEngine& posts) {
    const auto text = string_arg(slug, "slug");
    return posts.get_by_slug(text, type == nullptr ? "post" : string_arg(type, "type"));
  });
}

QUIRE_EXPORT quire_status quire_post_record_view(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.record_view(post_id); });
}

QUIRE_EXPORT quire_status quire_post_update(char** out_json, quire_ctx* ctx, int64_t post_id,
                                            int64_t expected_version, const char* patch_json) {
  return with_post(out_json, ctx, [&](PostEngine& posts) {
    return posts.update(post_id, expected_version, decode_post_patch(patch_json));
  });
}

QUIRE_EXPORT quire_status quire_post_submit(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.submit(post_id); });
}

QUIRE_EXPORT quire_status quire_post_publish(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.publish(post_id); });
}

QUIRE_EXPORT quire_status quire_post_unpublish(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.unpublish(post_id); });
}

QUIRE_EXPORT quire_status quire_post_archive(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.archive(post_id); });
}

QUIRE_EXPORT quire_status quire_post_schedule(char** out_json, quire_ctx* ctx, int64_t post_id,
                                              const char* at) {
  return with_post(out_json, ctx,
                   [&](PostEngine& posts) { return posts.schedule(post_id, time_arg(at, "at")); });
}

QUIRE_EXPORT quire_status quire_post_publish_due(char** out_json_array, quire_ctx* ctx,
                                                 const char* now) {
  return guard([&] {
    auto& out = out_param(out_json_array, "out_json_array");
    auto posts = context_of(ctx).posts();
    const auto when = now == nullptr ? quire::now_ms() : time_arg(now, "now");
    out = give(encode_posts(unwrap(posts.publish_due(when))));
  });
}

QUIRE_EXPORT quire_status quire_post_delete(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.remove(post_id); });
}

QUIRE_EXPORT quire_status quire_post_restore(char** out_json, quire_ctx* ctx, int64_t post_id) {
  return with_post(out_json, ctx, [&](PostEngine& posts) { return posts.restore(post_id); });
}

QUIRE_EXPORT quire_status quire_post_purge(quire_ctx* ctx, int64_t post_id) {
  return guard([&] { unwrap(context_of(ctx).posts().purge(post_id)); });
}

QUIRE_EXPORT quire_status quire_post_list(char** out_page_json, quire_ctx* ctx,
                                          const char* query_json) {
  return guard([&] {
    auto& out = out_param(out_page_json, "out_page_json");
    auto posts = context_of(ctx).posts();
    out = give(encode_page(unwrap(posts.list(decode_post_query(query_json))), append_post));
  });
}

QUIRE_EXPORT quire_status quire_post_search(char** out_json_array, quire_ctx* ctx,
                                            const char* query, int32_t limit) {
  return guard([&] {
    auto& out = out_param(out_json_array, "out_json_array");
    auto posts = context_of(ctx).posts();
    const auto text = string_arg(query, "query");
    out = give(encode_array(unwrap(posts.search(text, limit_arg(limit))), append_hit));
  });
}

QUIRE_EXPORT quire_status quire_post_categories(char** out_json_array, quire_ctx* ctx) {
  return guard([&] {
    auto& out = out_param(out_json_array, "out_json_array");
    out = give(encode_array(unwrap(context_of(ctx).posts().categories()), append_term));
  });
}

QUIRE_EXPORT quire_status quire_post_tags(char** out_json_array, quire_ctx* ctx) {
  return guard([&] {
    auto& out = out_param(out_json_array, "out_json_array");
    out = give(encode_array(unwrap(context_of(ctx).posts().tags()), append_term));
  });
}

QUIRE_EXPORT quire_status quire_post_feed(char** out_xml, quire_ctx* ctx, const char* format,
                                          int32_t limit) {
  return guard([&] {
    auto& out = out_param(out_xml, "out_xml");
    auto posts = context_of(ctx).posts();
    const auto kind = feed_format(format);
    out = give(unwrap(posts.feed(kind, limit_arg(limit))));
  });
}

QUIRE_EXPORT quire_status quire_post_sitemap(char** out_xml, quire_ctx* ctx) {
  return guard([&] {
    auto& out = out_param(out_xml, "out_xml");
    out = give(unwrap(context_of(ctx).posts().sitemap()));
  });
}

}  // extern "C"
