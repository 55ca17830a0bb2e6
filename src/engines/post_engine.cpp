// The Post engine: content items with types, hierarchy, custom fields, slugs that survive renames,
// a publishing workflow, listing, search. Every change writes a version and an audit entry in the
// same unit of work as the change.

#include <fmt/format.h>

#include <algorithm>
#include <quire/post.hpp>
#include <set>

#include "core/crypto.hpp"
#include "core/cursor.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/slug.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "engines/authorize.hpp"
#include "engines/lookup.hpp"
#include "engines/post_rules.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;
// The rules shared with the Version engine (engines/post_rules.hpp).
using detail::audited;
using detail::check_body;
using detail::check_parent;
using detail::check_slug;
using detail::find_live_post;
using detail::find_post;
using detail::max_slug;
using detail::max_title_bytes;
using detail::normalise_category;
using detail::normalise_excerpt;
using detail::normalise_object;
using detail::normalise_tags;
using detail::record_change;
using detail::require_on;
using detail::require_role;
using detail::require_visible;
using detail::write_version;

std::string_view post_status_name(PostStatus status) noexcept {
  switch (status) {
    case PostStatus::draft:
      return "draft";
    case PostStatus::in_review:
      return "in_review";
    case PostStatus::scheduled:
      return "scheduled";
    case PostStatus::published:
      return "published";
    case PostStatus::archived:
      return "archived";
  }
  return "draft";
}

std::optional<PostStatus> parse_post_status(std::string_view name) noexcept {
  for (auto status : {PostStatus::draft, PostStatus::in_review, PostStatus::scheduled,
                      PostStatus::published, PostStatus::archived}) {
    if (post_status_name(status) == name) return status;
  }
  return std::nullopt;
}

namespace {

// ---- input rules ------------------------------------------------------------------------------

Result<void> check_type(std::string_view type) {
  const bool ok = !type.empty() && type.size() <= 32 && type.front() >= 'a' &&
                  type.front() <= 'z' && std::all_of(type.begin(), type.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                  });
  if (ok) return success();
  return fail(Errc::invalid_argument,
              fmt::format("type {} must match [a-z][a-z0-9_-]{{0,31}}", detail::quoted(type)));
}

// ---- slugs ------------------------------------------------------------------------------------

// The first free slug: `base`, then base-2, base-3, …
Result<std::string> free_slug(Unit& unit, TenantId tenant, std::string_view type,
                              std::string_view base, PostId self) {
  for (int n = 1;; ++n) {
    const auto candidate = n == 1 ? std::string(base) : detail::slug_with_suffix(base, n, max_slug);
    QUIRE_TRY(const bool taken, unit.tx().posts().slug_taken(tenant, type, candidate, self));
    if (!taken) return candidate;
  }
}

std::string slug_base(std::string_view title, std::string_view type) {
  auto base = detail::slugify(title, max_slug);
  return base.empty() ? std::string(type) : base;
}

// ---- workflow ---------------------------------------------------------------------------------

struct Transition {
  std::string_view action;
  std::string_view permission;
  PostStatus to;
  std::initializer_list<PostStatus> from;
};

const Transition submit_transition{
    "post.submit", "post.update", PostStatus::in_review, {PostStatus::draft}};
const Transition publish_transition{
    "post.publish",
    "post.publish",
    PostStatus::published,
    {PostStatus::draft, PostStatus::in_review, PostStatus::scheduled, PostStatus::archived}};
const Transition unpublish_transition{
    "post.unpublish",
    "post.publish",
    PostStatus::draft,
    {PostStatus::in_review, PostStatus::scheduled, PostStatus::published, PostStatus::archived}};
const Transition archive_transition{
    "post.archive", "post.publish", PostStatus::archived, {PostStatus::published}};
const Transition schedule_transition{
    "post.schedule",
    "post.publish",
    PostStatus::scheduled,
    {PostStatus::draft, PostStatus::in_review, PostStatus::scheduled}};

// Moves one post along `t`, with its audit entry; the status is not content, so no version.
Result<Post> apply_transition(Unit& unit, Post post, const Transition& t,
                              std::optional<Timestamp> at = std::nullopt) {
  QUIRE_TRY(require_on(unit, t.permission, post, std::string(t.action)));
  if (std::find(t.from.begin(), t.from.end(), post.status) == t.from.end()) {
    return fail(Errc::invalid_argument,
                fmt::format("post {} cannot go from {} to {}", post.id,
                            post_status_name(post.status), post_status_name(t.to)));
  }
  const Post before = post;
  const Timestamp now = now_ms();
  post.status = t.to;
  post.updated_at = now;
  post.scheduled_at = at;
  if (t.to == PostStatus::published) {
    if (!post.published_at) post.published_at = now;
    post.published_version = post.version;
  } else if (t.to != PostStatus::archived) {
    post.published_version.reset();
  }
  QUIRE_TRY(unit.tx().posts().update(before, post));
  QUIRE_TRY(record_change(unit, std::string(t.action), before, post));
  return post;
}

}  // namespace

PostEngine::PostEngine(std::shared_ptr<detail::ContextState> ctx) noexcept : ctx_(std::move(ctx)) {}

Result<Post> PostEngine::create(const NewPost& input) noexcept {
  Post post;
  QUIRE_TRY(post.title, detail::check_text("title", input.title, max_title_bytes));
  QUIRE_TRY(check_body(input.body));
  QUIRE_TRY(check_type(input.type));
  if (!input.slug.empty()) {
    QUIRE_TRY(check_slug(input.slug));
  }
  if (input.status != PostStatus::draft && input.status != PostStatus::in_review) {
    return fail(Errc::invalid_argument,
                fmt::format("status {} must be draft or in_review on create; publish() publishes",
                            post_status_name(input.status)));
  }
  QUIRE_TRY(post.tags, normalise_tags(input.tags));
  QUIRE_TRY(post.category, normalise_category(input.category));
  QUIRE_TRY(auto excerpt, normalise_excerpt(input.excerpt));
  QUIRE_TRY(post.seo, normalise_object("seo", input.seo));
  QUIRE_TRY(post.fields, normalise_object("fields", input.fields));
  QUIRE_TRY(post.tenant_id, detail::tenant_of(*ctx_, "posts"));
  post.type = input.type;
  post.body = input.body;
  post.status = input.status;
  post.parent_id = input.parent_id;
  post.excerpt = excerpt ? *excerpt : detail::derive_excerpt(post.body);
  post.reading_time = detail::reading_time(post.body);
  post.author_id = ctx_->actor.type == ActorType::user ? ctx_->actor.id : 0;
  post.version = 1;
  post.created_at = post.updated_at = now_ms();

  return write_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(require_role(unit, post.tenant_id, "post.create", "post.create"));
    QUIRE_TRY(auto tenant, detail::find_tenant(unit.tx(), post.tenant_id));
    for (const auto& plan : ctx_->db->options.plans) {
      if (plan.name != tenant.plan || plan.max_posts == 0) continue;
      // One row the store keeps beside the posts (not a count of them): O(1) at any size.
      QUIRE_TRY(const auto count, unit.tx().posts().count(tenant.id));
      if (count >= plan.max_posts) {
        return detail::quota_exceeded(
            "posts", plan.max_posts, plan.name,
            fmt::format("plan {} allows at most {} posts; tenant {} has {}", plan.name,
                        plan.max_posts, tenant.slug, count));
      }
    }
    if (post.parent_id) {
      QUIRE_TRY(check_parent(unit, post.tenant_id, *post.parent_id, 0));
    }
    if (!input.slug.empty()) {
      QUIRE_TRY(const bool taken,
                unit.tx().posts().slug_taken(post.tenant_id, post.type, input.slug, 0));
      if (taken) {
        return fail(Errc::already_exists, fmt::format("slug {} is already used by another {}",
                                                      detail::quoted(input.slug), post.type));
      }
      post.slug = input.slug;
    } else {
      QUIRE_TRY(post.slug,
                free_slug(unit, post.tenant_id, post.type, slug_base(post.title, post.type), 0));
    }
    QUIRE_TRY(post.id, unit.tx().posts().insert(post));
    QUIRE_TRY(write_version(unit, post, "create", ""));
    QUIRE_TRY(unit.record(
        {post.tenant_id, "post.create", "post", std::to_string(post.id), {}, audited(post)}));
    return post;
  });
}

namespace {

// A post the context may read (get()'s rule): not in the trash, and visible to the actor.
Result<Post> find_readable(Unit& unit, TenantId tenant, PostId id, storage::Lock lock) {
  QUIRE_TRY(auto post, find_post(unit, tenant, id, lock));
  if (post.deleted_at) return fail(Errc::not_found, fmt::format("post {} not found", id));
  QUIRE_TRY(require_visible(unit, post));
  return post;
}

}  // namespace

Result<Post> PostEngine::get(PostId id) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return read_unit(
      *ctx_, [&](Unit& unit) { return find_readable(unit, tenant, id, storage::Lock::none); });
}

Result<Post> PostEngine::record_view(PostId id) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(auto post, find_readable(unit, tenant, id, storage::Lock::for_update));
    const Post before = post;
    ++post.view_count;  // a counter: no version, no audit entry, version and updated_at kept
    QUIRE_TRY(unit.tx().posts().update(before, post));
    return post;
  });
}

Result<Post> PostEngine::get_by_slug(std::string_view slug, std::string_view type) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    const auto not_found = [&] {
      return fail(Errc::not_found,
                  fmt::format("no {} has slug {}", detail::quoted(type), detail::quoted(slug)));
    };
    QUIRE_TRY(auto post, unit.tx().posts().find_by_slug(tenant, type, slug));
    if (!post) {
      // A renamed post keeps answering to its old slugs.
      QUIRE_TRY(auto renamed, unit.tx().posts().find_old_slug(tenant, type, slug));
      if (!renamed) return not_found();
      QUIRE_TRY(post, unit.tx().posts().find(tenant, *renamed, storage::Lock::none));
    }
    if (!post || post->deleted_at) return not_found();
    // A draft the actor may not see is a slug nothing has: "post 7 not found" would give its id.
    if (auto visible = require_visible(unit, *post); !visible) {
      if (visible.error().code == Errc::not_found) return not_found();
      return std::move(visible).as_failure();
    }
    return std::move(*post);
  });
}

Result<Post> PostEngine::update(PostId id, std::int64_t expected_version,
                                const PostPatch& patch) noexcept {
  QUIRE_TRY(const auto checked, detail::check_patch(patch));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    return detail::update_post(unit, tenant, id, expected_version, checked);
  });
}

namespace {

Result<Post> transition(const detail::ContextState& ctx, PostId id, const Transition& t,
                        std::optional<Timestamp> at = std::nullopt) {
  QUIRE_TRY(const auto tenant, detail::tenant_of(ctx, "posts"));
  return write_unit(ctx, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(auto post, find_live_post(unit, tenant, id, storage::Lock::for_update));
    return apply_transition(unit, std::move(post), t, at);
  });
}

}  // namespace

Result<Post> PostEngine::submit(PostId id) noexcept {
  return transition(*ctx_, id, submit_transition);
}

Result<Post> PostEngine::publish(PostId id) noexcept {
  return transition(*ctx_, id, publish_transition);
}

Result<Post> PostEngine::unpublish(PostId id) noexcept {
  return transition(*ctx_, id, unpublish_transition);
}

Result<Post> PostEngine::archive(PostId id) noexcept {
  return transition(*ctx_, id, archive_transition);
}

Result<Post> PostEngine::schedule(PostId id, Timestamp at) noexcept {
  if (at <= now_ms()) {
    return fail(Errc::invalid_argument,
                fmt::format("scheduled_at {} must be in the future", format_rfc3339(at)));
  }
  return transition(*ctx_, id, schedule_transition, at);
}

Result<std::vector<Post>> PostEngine::publish_due(Timestamp now) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<Post>> {
    QUIRE_TRY(auto due, unit.tx().posts().due(tenant, now));
    std::vector<Post> published;
    for (const auto id : due) {
      QUIRE_TRY(auto post, find_post(unit, tenant, id, storage::Lock::for_update));
      QUIRE_TRY(auto done, apply_transition(unit, std::move(post), publish_transition));
      published.push_back(std::move(done));
    }
    return published;
  });
}

namespace {

// Soft delete and restore share a shape: post.delete, idempotent, audited when something changed.
template <class Change>
Result<Post> switch_trash(const detail::ContextState& ctx, PostId id, std::string action,
                          Change&& change) {
  QUIRE_TRY(const auto tenant, detail::tenant_of(ctx, "posts"));
  return write_unit(ctx, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(const auto before, find_post(unit, tenant, id, storage::Lock::for_update));
    QUIRE_TRY(require_on(unit, "post.delete", before, action));
    Post post = before;
    if (!change(post)) return post;
    post.updated_at = now_ms();
    QUIRE_TRY(unit.tx().posts().update(before, post));
    QUIRE_TRY(record_change(unit, action, before, post));
    return post;
  });
}

}  // namespace

Result<Post> PostEngine::remove(PostId id) noexcept {
  const Timestamp now = now_ms();
  return switch_trash(*ctx_, id, "post.delete", [&](Post& post) {
    if (post.deleted_at) return false;
    post.deleted_at = now;
    return true;
  });
}

Result<Post> PostEngine::restore(PostId id) noexcept {
  return switch_trash(*ctx_, id, "post.restore", [](Post& post) {
    return std::exchange(post.deleted_at, std::nullopt).has_value();
  });
}

Result<void> PostEngine::purge(PostId id) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(const auto post, find_post(unit, tenant, id, storage::Lock::for_update));
    // Purging is for good: the shared permission, never the .own one.
    QUIRE_TRY(require_role(unit, tenant, "post.delete", "post.purge", id));
    QUIRE_TRY(unit.tx().posts().purge(post));
    return unit.record({tenant, "post.purge", "post", std::to_string(id), audited(post), {}});
  });
}

Result<Page<Post>> PostEngine::list(const PostQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  QUIRE_TRY(auto cursor, detail::decode_cursor(query.cursor));
  storage::PostScan scan;
  const bool by_title = query.order == PostOrder::title_asc || query.order == PostOrder::title_desc;
  if (!cursor.is_null()) {
    const bool ok = cursor.is_array() && cursor.size() == 2 && cursor[1].is_number_unsigned() &&
                    (by_title ? cursor[0].is_string() : cursor[0].is_number_integer());
    if (!ok) return fail(Errc::invalid_argument, "cursor is malformed");
    if (by_title) {
      scan.after_key = cursor[0].get<std::string>();
    } else {
      scan.after_key = cursor[0].get<std::int64_t>();
    }
    scan.after_id = cursor[1].get<PostId>();
  }
  scan.type = query.type;
  scan.status = query.status;
  scan.author_id = query.author_id;
  scan.category = query.category;
  scan.tag = query.tag;
  scan.parent_id = query.parent_id;
  scan.since = query.since;
  scan.until = query.until;
  scan.deleted = query.deleted;
  scan.order = query.order;
  // One more than a page, to know whether there is another.
  scan.limit = query.limit + 1;

  return read_unit(*ctx_, [&](Unit& unit) -> Result<Page<Post>> {
    QUIRE_TRY(auto role,
              require_role(unit, tenant, "post.read", query.deleted ? "post.trash" : "post.list"));
    // Visibility is part of the query: every row that comes back may be shown, so a page is full
    // whenever there is more, and the cursor only ever holds the key of a row the actor sees.
    scan.visible = detail::visible_to(*ctx_, role, query.deleted);
    QUIRE_TRY(auto rows, unit.tx().posts().list(tenant, scan));
    Page<Post> page;
    if (rows.size() > query.limit) {
      rows.resize(query.limit);
      const auto& last = rows.back();
      Json key = by_title ? Json(last.title)
                 : (query.order == PostOrder::updated_desc || query.order == PostOrder::updated_asc)
                     ? Json(last.updated_at)
                 : (query.order == PostOrder::created_desc || query.order == PostOrder::created_asc)
                     ? Json(last.created_at)
                     : Json(last.published_at.value_or(0));
      page.next_cursor = detail::encode_cursor(Json::array({key, last.id}));
    }
    page.items = std::move(rows);
    return page;
  });
}

Result<std::vector<TermCount>> PostEngine::categories() noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<TermCount>> {
    QUIRE_TRY(auto role, require_role(unit, tenant, "post.read", "post.categories"));
    return unit.tx().posts().categories(tenant, detail::visible_to(*ctx_, role, false));
  });
}

Result<std::vector<TermCount>> PostEngine::tags() noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<TermCount>> {
    QUIRE_TRY(auto role, require_role(unit, tenant, "post.read", "post.tags"));
    return unit.tx().posts().tags(tenant, detail::visible_to(*ctx_, role, false));
  });
}

Result<std::vector<SearchHit>> PostEngine::search(std::string_view query, unsigned limit) noexcept {
  QUIRE_TRY(detail::check_limit(limit));
  QUIRE_TRY(auto search, detail::full_text_query(query));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<SearchHit>> {
    QUIRE_TRY(auto role, require_role(unit, tenant, "post.read", "post.search"));
    if (search.empty()) return std::vector<SearchHit>();
    return unit.tx().posts().search(tenant, search, detail::visible_to(*ctx_, role, false), limit);
  });
}

}  // namespace quire
