// The Post engine: content items with types, hierarchy, custom fields, slugs that survive renames,
// a publishing workflow, listing, search. Every change writes a version and an audit entry in the
// same unit of work as the change.

#include "core/crypto.hpp"
#include "core/cursor.hpp"
#include "core/json.hpp"
#include "core/slug.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "engines/authorize.hpp"
#include "engines/lookup.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

#include <quire/post.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace quire {

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

std::string_view post_status_name(PostStatus status) noexcept {
  switch (status) {
    case PostStatus::draft: return "draft";
    case PostStatus::in_review: return "in_review";
    case PostStatus::scheduled: return "scheduled";
    case PostStatus::published: return "published";
    case PostStatus::archived: return "archived";
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

constexpr std::size_t max_title_bytes = 500;
constexpr std::size_t max_body_bytes = std::size_t{4} * 1024 * 1024;
constexpr std::size_t max_excerpt_bytes = 2000;
constexpr std::size_t max_term_bytes = 100;
constexpr std::size_t max_tags = 50;
constexpr std::size_t max_slug = 96;
constexpr int max_depth = 5;  // a post and four levels of ancestors
constexpr std::int64_t default_retention = 50;

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

Result<void> check_body(std::string_view body) {
  if (body.size() > max_body_bytes) {
    return fail(Errc::invalid_argument, fmt::format("body must be at most {} bytes, got {}",
                                                    max_body_bytes, body.size()));
  }
  if (!detail::is_valid_utf8(body) || body.find('\0') != std::string_view::npos) {
    return fail(Errc::invalid_argument, "body must be valid UTF-8 without NUL bytes");
  }
  return success();
}

Result<std::vector<std::string>> normalise_tags(const std::vector<std::string>& tags) {
  if (tags.size() > max_tags) {
    return fail(Errc::invalid_argument, fmt::format("tags must be at most {}", max_tags));
  }
  std::vector<std::string> out;
  for (const auto& tag : tags) {
    QUIRE_TRY(auto text, detail::check_text("tag", tag, max_term_bytes));
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
  }
  return out;
}

Result<std::optional<std::string>> normalise_category(const std::optional<std::string>& category) {
  if (!category) return std::optional<std::string>();
  QUIRE_TRY(auto text, detail::check_text("category", *category, max_term_bytes));
  return std::optional<std::string>(std::move(text));
}

Result<std::string> normalise_object(std::string_view field, std::string_view json) {
  QUIRE_TRY(auto value, detail::parse_json_object(field, json.empty() ? "{}" : json));
  return detail::dump_json(value);
}

Result<void> check_slug(std::string_view slug) {
  if (detail::is_valid_slug(slug, max_slug)) return success();
  return fail(Errc::invalid_argument,
              fmt::format("slug {} must be 1..96 of [a-z0-9-], without leading, trailing or "
                          "double '-'",
                          detail::quoted(slug)));
}

Result<std::optional<std::string>> normalise_excerpt(const std::optional<std::string>& excerpt) {
  if (!excerpt) return std::optional<std::string>();
  QUIRE_TRY(auto text, detail::check_text("excerpt", *excerpt, max_excerpt_bytes));
  return std::optional<std::string>(std::move(text));
}

// ---- what the audit trail and versions keep ---------------------------------------------------

std::string body_hash(std::string_view body) {
  const auto digest = detail::blake2b_256(body);
  return detail::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), 16));
}

// The post as its audit entries show it: the body by version and hash, never copied again.
Json audited(const Post& post) {
  return {{"type", post.type},
          {"slug", post.slug},
          {"title", post.title},
          {"status", post_status_name(post.status)},
          {"category", post.category ? Json(*post.category) : Json()},
          {"tags", post.tags},
          {"parent_id", post.parent_id ? Json(*post.parent_id) : Json()},
          {"version", post.version},
          {"body_hash", body_hash(post.body)},
          {"excerpt", post.excerpt},
          {"seo", Json::parse(post.seo)},
          {"fields", Json::parse(post.fields)},
          {"published_at", post.published_at ? Json(*post.published_at) : Json()},
          {"scheduled_at", post.scheduled_at ? Json(*post.scheduled_at) : Json()},
          {"deleted_at", post.deleted_at ? Json(*post.deleted_at) : Json()}};
}

Result<void> record_change(Unit& unit, std::string action, const Post& before, const Post& after) {
  auto [old_values, new_values] = detail::changed_fields(audited(before), audited(after));
  return unit.record({after.tenant_id, std::move(action), "post", std::to_string(after.id),
                      std::move(old_values), std::move(new_values)});
}

AuditRecord attempt(const detail::ContextState& ctx, std::string action, PostId post) {
  return {ctx.tenant.value_or(0), std::move(action), "post", std::to_string(post), {}, {}};
}

std::int64_t retention_of(const Tenant& tenant) {
  const auto settings = Json::parse(tenant.settings);
  const auto found = settings.find("version_retention");
  if (found == settings.end() || !found->is_number_integer()) return default_retention;
  return std::max<std::int64_t>(0, found->get<std::int64_t>());
}

// Writes version `post.version` as a full snapshot, then prunes to the tenant's retention.
Result<void> write_version(Unit& unit, const Post& post, std::string kind, std::string summary) {
  storage::VersionRow row;
  row.tenant_id = post.tenant_id;
  row.version = Version{post.id,
                        post.version,
                        std::move(kind),
                        unit.ctx().actor.type == ActorType::user ? unit.ctx().actor.id : 0,
                        std::move(summary),
                        post.updated_at,
                        static_cast<std::int64_t>(post.title.size() + post.body.size())};
  row.title = post.title;
  row.body = post.body;
  row.snapshot = detail::dump_json(Json{{"slug", post.slug},
                                        {"status", post_status_name(post.status)},
                                        {"category", post.category ? Json(*post.category) : Json()},
                                        {"tags", post.tags},
                                        {"excerpt", post.excerpt},
                                        {"seo", Json::parse(post.seo)},
                                        {"fields", Json::parse(post.fields)}});
  QUIRE_TRY(unit.tx().versions().insert(row));
  QUIRE_TRY(auto tenant, detail::find_tenant(unit.tx(), post.tenant_id));
  const auto keep = retention_of(tenant);
  if (keep > 0 && post.version > keep) {
    QUIRE_TRY(unit.tx().versions().prune(post.tenant_id, post.id, keep,
                                         post.published_version.value_or(0)));
  }
  return success();
}

// ---- permissions ------------------------------------------------------------------------------

Result<TenantId> tenant_of(const detail::ContextState& ctx) {
  if (!ctx.tenant) {
    return fail(Errc::invalid_argument, "posts need a tenant context: use db.system(tenant)");
  }
  return *ctx.tenant;
}

// The acting member's role, or "owner" for the system context.
Result<std::string> acting_role(Unit& unit, TenantId tenant, const AuditRecord& attempted) {
  if (unit.ctx().is_system()) return std::string("owner");
  QUIRE_TRY(auto member,
            detail::acting_member(unit, tenant, std::to_string(tenant), attempted));
  return std::move(member.role);
}

// The acting role, which must grant `permission` (on the tenant's posts as a whole).
Result<std::string> require_role(Unit& unit, TenantId tenant, std::string_view permission,
                                 std::string action, PostId post = 0) {
  const auto attempted = attempt(unit.ctx(), std::move(action), post);
  QUIRE_TRY(auto role, acting_role(unit, tenant, attempted));
  if (!detail::role_has(role, permission)) {
    return unit.deny(attempted, fmt::format("denied: role {} lacks {}", role, permission));
  }
  return role;
}

bool owns(const detail::ContextState& ctx, const Post& post) {
  return ctx.actor.type == ActorType::user && post.author_id == ctx.actor.id;
}

// `permission` on every post, or `permission.own` on one's own.
Result<void> require_on(Unit& unit, std::string_view permission, const Post& post,
                        std::string action) {
  const auto attempted = attempt(unit.ctx(), std::move(action), post.id);
  QUIRE_TRY(auto role, acting_role(unit, post.tenant_id, attempted));
  if (detail::role_has(role, permission)) return success();
  if (owns(unit.ctx(), post) && detail::role_has(role, std::string(permission) + ".own")) {
    return success();
  }
  return unit.deny(attempted,
                   fmt::format("denied: role {} lacks {} on a post owned by user {}", role,
                               permission, post.author_id));
}

// Whether the actor may see the post at all: published posts are for every member; the others
// for those who may edit them. An invisible post is not_found, so drafts cannot be probed.
Result<void> require_visible(Unit& unit, const Post& post) {
  const auto attempted = attempt(unit.ctx(), "post.read", post.id);
  QUIRE_TRY(auto role, acting_role(unit, post.tenant_id, attempted));
  if (!detail::role_has(role, "post.read")) {
    return unit.deny(attempted, fmt::format("denied: role {} lacks post.read", role));
  }
  const bool visible = post.status == PostStatus::published ||
                       detail::role_has(role, "post.update") ||
                       (owns(unit.ctx(), post) && detail::role_has(role, "post.update.own"));
  if (!visible) return fail(Errc::not_found, fmt::format("post {} not found", post.id));
  return success();
}

Result<Post> find_post(Unit& unit, TenantId tenant, PostId id) {
  QUIRE_TRY(auto post, unit.tx().posts().find(tenant, id));
  if (!post) return fail(Errc::not_found, fmt::format("post {} not found", id));
  return std::move(*post);
}

// A live post: found and not in the trash.
Result<Post> find_live_post(Unit& unit, TenantId tenant, PostId id) {
  QUIRE_TRY(auto post, find_post(unit, tenant, id));
  if (post.deleted_at) {
    return fail(Errc::conflict, fmt::format("post {} is in the trash; restore it first", id));
  }
  return post;
}

// ---- hierarchy and slugs ----------------------------------------------------------------------

// The parent must be a post of the same tenant, the chain above it short enough, and `self`
// nowhere in it.
Result<void> check_parent(Unit& unit, TenantId tenant, PostId parent, PostId self) {
  int depth = 1;
  for (std::optional<PostId> at = parent; at; ++depth) {
    if (*at == self) {
      return fail(Errc::invalid_argument,
                  fmt::format("parent_id {} would make post {} its own ancestor", parent, self));
    }
    if (depth >= max_depth) {
      return fail(Errc::invalid_argument,
                  fmt::format("parent_id {}: posts nest at most {} levels deep", parent,
                              max_depth));
    }
    QUIRE_TRY(auto ancestor, unit.tx().posts().find(tenant, *at));
    if (!ancestor) {
      return fail(Errc::not_found, fmt::format("parent post {} not found", *at));
    }
    at = ancestor->parent_id;
  }
  return success();
}

// The levels of posts below `post` (0 when it has no children), so a move keeps the whole tree
// within max_depth.
Result<int> subtree_depth(Unit& unit, const Post& post) {
  storage::PostScan scan;
  scan.parent_id = std::optional<PostId>(post.id);
  scan.limit = 1000;
  int deepest = 0;
  QUIRE_TRY(auto children, unit.tx().posts().list(post.tenant_id, scan));
  for (const auto& child : children) {
    QUIRE_TRY(const int below, subtree_depth(unit, child));
    deepest = std::max(deepest, below + 1);
  }
  return deepest;
}

// The first free slug: `base`, then base-2, base-3, …
Result<std::string> free_slug(Unit& unit, TenantId tenant, std::string_view type,
                              std::string_view base, PostId self) {
  for (int n = 1;; ++n) {
    const auto candidate =
        n == 1 ? std::string(base) : detail::slug_with_suffix(base, n, max_slug);
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

const Transition submit_transition{"post.submit", "post.update", PostStatus::in_review,
                                   {PostStatus::draft}};
const Transition publish_transition{
    "post.publish", "post.publish", PostStatus::published,
    {PostStatus::draft, PostStatus::in_review, PostStatus::scheduled, PostStatus::archived}};
const Transition unpublish_transition{
    "post.unpublish", "post.publish", PostStatus::draft,
    {PostStatus::in_review, PostStatus::scheduled, PostStatus::published, PostStatus::archived}};
const Transition archive_transition{"post.archive", "post.publish", PostStatus::archived,
                                    {PostStatus::published}};
const Transition schedule_transition{
    "post.schedule", "post.publish", PostStatus::scheduled,
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
  QUIRE_TRY(post.tenant_id, tenant_of(*ctx_));
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
      QUIRE_TRY(const auto count, unit.tx().posts().count(tenant.id));
      if (count >= plan.max_posts) {
        return fail(Errc::quota_exceeded,
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
      QUIRE_TRY(post.slug, free_slug(unit, post.tenant_id, post.type,
                                     slug_base(post.title, post.type), 0));
    }
    QUIRE_TRY(post.id, unit.tx().posts().insert(post));
    QUIRE_TRY(write_version(unit, post, "create", ""));
    QUIRE_TRY(unit.record({post.tenant_id, "post.create", "post", std::to_string(post.id), {},
                           audited(post)}));
    return post;
  });
}

Result<Post> PostEngine::get(PostId id) noexcept {
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(auto post, find_post(unit, tenant, id));
    if (post.deleted_at) return fail(Errc::not_found, fmt::format("post {} not found", id));
    QUIRE_TRY(require_visible(unit, post));
    return post;
  });
}

Result<Post> PostEngine::get_by_slug(std::string_view slug, std::string_view type) noexcept {
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
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
      QUIRE_TRY(post, unit.tx().posts().find(tenant, *renamed));
    }
    if (!post || post->deleted_at) return not_found();
    QUIRE_TRY(require_visible(unit, *post));
    return std::move(*post);
  });
}

Result<Post> PostEngine::update(PostId id, std::int64_t expected_version,
                                const PostPatch& patch) noexcept {
  std::optional<std::string> title;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::optional<std::string>> category;
  std::optional<std::optional<std::string>> excerpt;
  std::optional<std::string> seo;
  std::optional<std::string> fields;
  if (patch.title) {
    QUIRE_TRY(title, detail::check_text("title", *patch.title, max_title_bytes));
  }
  if (patch.body) {
    QUIRE_TRY(check_body(*patch.body));
  }
  if (patch.slug) {
    QUIRE_TRY(check_slug(*patch.slug));
  }
  if (patch.tags) {
    QUIRE_TRY(tags, normalise_tags(*patch.tags));
  }
  if (patch.category) {
    QUIRE_TRY(category, normalise_category(*patch.category));
  }
  if (patch.excerpt) {
    QUIRE_TRY(excerpt, normalise_excerpt(*patch.excerpt));
  }
  if (patch.seo) {
    QUIRE_TRY(seo, normalise_object("seo", *patch.seo));
  }
  if (patch.fields) {
    QUIRE_TRY(fields, normalise_object("fields", *patch.fields));
  }
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));

  return write_unit(*ctx_, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(const auto before, find_live_post(unit, tenant, id));
    QUIRE_TRY(require_on(unit, "post.update", before, "post.update"));
    if (expected_version != before.version) {
      return fail(Errc::conflict,
                  fmt::format("post {} is at version {}, not {}: reload it and apply the change "
                              "again",
                              id, before.version, expected_version));
    }
    Post post = before;
    if (title) post.title = *title;
    if (patch.body) post.body = *patch.body;
    if (tags) post.tags = *tags;
    if (category) post.category = *category;
    if (seo) post.seo = *seo;
    if (fields) post.fields = *fields;
    // An excerpt that was derived follows the body; a given one stays until changed.
    const bool derived = before.excerpt == detail::derive_excerpt(before.body);
    if (excerpt) {
      post.excerpt = *excerpt ? **excerpt : detail::derive_excerpt(post.body);
    } else if (derived) {
      post.excerpt = detail::derive_excerpt(post.body);
    }
    if (patch.parent_id && *patch.parent_id != before.parent_id) {
      post.parent_id = *patch.parent_id;
      if (post.parent_id) {
        QUIRE_TRY(check_parent(unit, tenant, *post.parent_id, post.id));
        QUIRE_TRY(const int below, subtree_depth(unit, post));
        int above = 0;
        for (auto at = post.parent_id; at; ++above) {
          QUIRE_TRY(auto ancestor, find_post(unit, tenant, *at));
          at = ancestor.parent_id;
        }
        if (above + 1 + below > max_depth) {
          return fail(Errc::invalid_argument,
                      fmt::format("parent_id {}: posts nest at most {} levels deep",
                                  *post.parent_id, max_depth));
        }
      }
    }
    if (patch.slug && *patch.slug != before.slug) {
      QUIRE_TRY(const bool taken,
                unit.tx().posts().slug_taken(tenant, post.type, *patch.slug, post.id));
      if (taken) {
        return fail(Errc::already_exists, fmt::format("slug {} is already used by another {}",
                                                      detail::quoted(*patch.slug), post.type));
      }
      post.slug = *patch.slug;
      // The old slug keeps resolving to this post.
      QUIRE_TRY(unit.tx().posts().add_old_slug(tenant, post.type, before.slug, post.id));
    }
    post.reading_time = detail::reading_time(post.body);
    post.version = before.version + 1;
    post.updated_at = now_ms();
    QUIRE_TRY(unit.tx().posts().update(before, post));
    QUIRE_TRY(write_version(unit, post, "update", ""));
    QUIRE_TRY(record_change(unit, "post.update", before, post));
    return post;
  });
}

namespace {

Result<Post> transition(const detail::ContextState& ctx, PostId id, const Transition& t,
                        std::optional<Timestamp> at = std::nullopt) {
  QUIRE_TRY(const auto tenant, tenant_of(ctx));
  return write_unit(ctx, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(auto post, find_live_post(unit, tenant, id));
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
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<Post>> {
    QUIRE_TRY(auto due, unit.tx().posts().due(tenant, now));
    std::vector<Post> published;
    for (const auto id : due) {
      QUIRE_TRY(auto post, find_post(unit, tenant, id));
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
  QUIRE_TRY(const auto tenant, tenant_of(ctx));
  return write_unit(ctx, [&](Unit& unit) -> Result<Post> {
    QUIRE_TRY(const auto before, find_post(unit, tenant, id));
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
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(const auto post, find_post(unit, tenant, id));
    // Purging is for good: the shared permission, never the .own one.
    QUIRE_TRY(require_role(unit, tenant, "post.delete", "post.purge", id));
    QUIRE_TRY(unit.tx().posts().purge(post));
    return unit.record(
        {tenant, "post.purge", "post", std::to_string(id), audited(post), {}});
  });
}

Result<Page<Post>> PostEngine::list(const PostQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
  QUIRE_TRY(auto cursor, detail::decode_cursor(query.cursor));
  storage::PostScan scan;
  const bool by_title =
      query.order == PostOrder::title_asc || query.order == PostOrder::title_desc;
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
  scan.limit = query.limit + 1;

  return read_unit(*ctx_, [&](Unit& unit) -> Result<Page<Post>> {
    QUIRE_TRY(auto role,
              require_role(unit, tenant, "post.read", query.deleted ? "post.trash" : "post.list"));
    // Those who may not edit every post see published ones, and their own.
    const bool sees_all = detail::role_has(role, query.deleted ? "post.delete" : "post.update");
    Page<Post> page;
    QUIRE_TRY(auto rows, unit.tx().posts().list(tenant, scan));
    for (auto& post : rows) {
      if (page.items.size() == query.limit) {
        const auto& last = page.items.back();
        Json key = by_title ? Json(last.title)
                   : (query.order == PostOrder::updated_desc || query.order == PostOrder::updated_asc)
                       ? Json(last.updated_at)
                   : (query.order == PostOrder::created_desc || query.order == PostOrder::created_asc)
                       ? Json(last.created_at)
                       : Json(last.published_at.value_or(0));
        page.next_cursor = detail::encode_cursor(Json::array({key, last.id}));
        break;
      }
      const bool visible = sees_all || owns(*ctx_, post) ||
                           (!query.deleted && post.status == PostStatus::published);
      if (visible) page.items.push_back(std::move(post));
    }
    return page;
  });
}

Result<std::vector<TermCount>> PostEngine::categories() noexcept {
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<TermCount>> {
    QUIRE_TRY(require_role(unit, tenant, "post.read", "post.categories"));
    return unit.tx().posts().categories(tenant);
  });
}

Result<std::vector<TermCount>> PostEngine::tags() noexcept {
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<TermCount>> {
    QUIRE_TRY(require_role(unit, tenant, "post.read", "post.tags"));
    return unit.tx().posts().tags(tenant);
  });
}

Result<std::vector<SearchHit>> PostEngine::search(std::string_view query, unsigned limit) noexcept {
  QUIRE_TRY(detail::check_limit(limit));
  QUIRE_TRY(auto match, detail::full_text_query(query));
  QUIRE_TRY(const auto tenant, tenant_of(*ctx_));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<SearchHit>> {
    QUIRE_TRY(auto role, require_role(unit, tenant, "post.read", "post.search"));
    if (match.empty()) return std::vector<SearchHit>();
    return unit.tx().posts().search(tenant, match, !detail::role_has(role, "post.update"), limit);
  });
}

}  // namespace quire
