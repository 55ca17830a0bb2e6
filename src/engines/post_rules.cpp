#include "engines/post_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <quire/version.hpp>
#include <tuple>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/slug.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "engines/authorize.hpp"
#include "engines/grants.hpp"
#include "engines/lookup.hpp"
#include "engines/roles.hpp"

namespace quire::detail {

// ---- input rules ------------------------------------------------------------------------------

Result<void> check_body(std::string_view body) {
  if (body.size() > max_body_bytes) {
    return fail(Errc::invalid_argument,
                fmt::format("body must be at most {} bytes, got {}", max_body_bytes, body.size()));
  }
  if (!is_valid_utf8(body) || body.find('\0') != std::string_view::npos) {
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
    QUIRE_TRY(auto text, check_text("tag", tag, max_term_bytes));
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
  }
  return out;
}

Result<std::optional<std::string>> normalise_category(const std::optional<std::string>& category) {
  if (!category) return std::optional<std::string>();
  QUIRE_TRY(auto text, check_text("category", *category, max_term_bytes));
  return std::optional<std::string>(std::move(text));
}

Result<std::string> normalise_object(std::string_view field, std::string_view json) {
  QUIRE_TRY(auto value, parse_json_object(field, json.empty() ? "{}" : json));
  return dump_json(value);
}

Result<void> check_slug(std::string_view slug) {
  if (is_valid_slug(slug, max_slug)) return success();
  return fail(Errc::invalid_argument,
              fmt::format("slug {} must be 1..96 of [a-z0-9-], without leading, trailing or "
                          "double '-'",
                          detail::quoted(slug)));
}

Result<std::optional<std::string>> normalise_excerpt(const std::optional<std::string>& excerpt) {
  if (!excerpt) return std::optional<std::string>();
  QUIRE_TRY(auto text, check_text("excerpt", *excerpt, max_excerpt_bytes));
  return std::optional<std::string>(std::move(text));
}

Result<PostPatch> check_patch(const PostPatch& patch) {
  PostPatch checked;
  if (patch.title) {
    QUIRE_TRY(checked.title, check_text("title", *patch.title, max_title_bytes));
  }
  if (patch.body) {
    QUIRE_TRY(check_body(*patch.body));
    checked.body = patch.body;
  }
  if (patch.slug) {
    QUIRE_TRY(check_slug(*patch.slug));
    checked.slug = patch.slug;
  }
  if (patch.tags) {
    QUIRE_TRY(checked.tags, normalise_tags(*patch.tags));
  }
  if (patch.category) {
    QUIRE_TRY(checked.category, normalise_category(*patch.category));
  }
  if (patch.excerpt) {
    QUIRE_TRY(checked.excerpt, normalise_excerpt(*patch.excerpt));
  }
  if (patch.seo) {
    QUIRE_TRY(checked.seo, normalise_object("seo", *patch.seo));
  }
  if (patch.fields) {
    QUIRE_TRY(checked.fields, normalise_object("fields", *patch.fields));
  }
  checked.parent_id = patch.parent_id;
  return checked;
}

// ---- what the audit trail and versions keep ---------------------------------------------------

namespace {

std::string body_hash(std::string_view body) {
  const auto digest = blake2b_256(body);
  return to_hex_public(std::string_view(reinterpret_cast<const char*>(digest.data()), 16));
}

AuditRecord attempt(const ContextState& ctx, std::string action, PostId post) {
  return {ctx.tenant.value_or(0), std::move(action), "post", std::to_string(post), {}, {}};
}

std::int64_t retention_of(const Tenant& tenant) {
  const auto settings = Json::parse(tenant.settings);
  const auto found = settings.find("version_retention");
  if (found == settings.end() || !found->is_number_integer()) return default_retention;
  return std::max<std::int64_t>(0, found->get<std::int64_t>());
}

}  // namespace

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

std::pair<Json, Json> audited_change(const Post& before, const Post& after) {
  // changed_fields(audited(before), audited(after)), field by field: only what changed is
  // converted, and the body is hashed only when it changed.
  Json old_values = Json::object();
  Json new_values = Json::object();
  const auto put = [&](const char* key, Json was, Json is) {
    old_values[key] = std::move(was);
    new_values[key] = std::move(is);
  };
  const auto optional = [](const auto& value) { return value ? Json(*value) : Json(); };
  if (before.type != after.type) put("type", before.type, after.type);
  if (before.slug != after.slug) put("slug", before.slug, after.slug);
  if (before.title != after.title) put("title", before.title, after.title);
  if (before.status != after.status) {
    put("status", post_status_name(before.status), post_status_name(after.status));
  }
  if (before.category != after.category) {
    put("category", optional(before.category), optional(after.category));
  }
  if (before.tags != after.tags) put("tags", before.tags, after.tags);
  if (before.parent_id != after.parent_id) {
    put("parent_id", optional(before.parent_id), optional(after.parent_id));
  }
  if (before.version != after.version) put("version", before.version, after.version);
  if (before.body != after.body) put("body_hash", body_hash(before.body), body_hash(after.body));
  if (before.excerpt != after.excerpt) put("excerpt", before.excerpt, after.excerpt);
  // seo and fields are compared as JSON, as audited() holds them.
  for (const auto& [key, was, is] : {std::tuple{"seo", &before.seo, &after.seo},
                                     std::tuple{"fields", &before.fields, &after.fields}}) {
    if (*was == *is) continue;
    auto was_json = Json::parse(*was);
    auto is_json = Json::parse(*is);
    if (was_json != is_json) put(key, std::move(was_json), std::move(is_json));
  }
  if (before.published_at != after.published_at) {
    put("published_at", optional(before.published_at), optional(after.published_at));
  }
  if (before.scheduled_at != after.scheduled_at) {
    put("scheduled_at", optional(before.scheduled_at), optional(after.scheduled_at));
  }
  if (before.deleted_at != after.deleted_at) {
    put("deleted_at", optional(before.deleted_at), optional(after.deleted_at));
  }
  return {std::move(old_values), std::move(new_values)};
}

Result<void> record_change(Unit& unit, std::string action, const Post& before, const Post& after) {
  auto [old_values, new_values] = audited_change(before, after);
  return unit.record({after.tenant_id, std::move(action), "post", std::to_string(after.id),
                      std::move(old_values), std::move(new_values)});
}

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
  row.snapshot = dump_json(Json{{"slug", post.slug},
                                {"status", post_status_name(post.status)},
                                {"category", post.category ? Json(*post.category) : Json()},
                                {"tags", post.tags},
                                {"excerpt", post.excerpt},
                                {"seo", Json::parse(post.seo)},
                                {"fields", Json::parse(post.fields)}});
  if (auto inserted = unit.tx().versions().insert(row); !inserted) {
    // The number is taken: another writer changed the post since this unit read it. A backend
    // whose write transactions do not serialise on the post row reports the race here.
    if (inserted.error().code != Errc::already_exists) return std::move(inserted).as_failure();
    return fail(Errc::conflict,
                fmt::format("post {} was changed by another writer while at version {}: reload "
                            "it and apply the change again",
                            post.id, post.version - 1));
  }
  // Retention keeps at least one version, so a post's first has nothing to prune.
  if (post.version <= 1) return success();
  QUIRE_TRY(auto tenant, find_tenant(unit.tx(), post.tenant_id));
  const auto keep = retention_of(tenant);
  if (keep > 0 && post.version > keep) {
    // The published version counts towards the N kept when it is older than the newest N.
    const auto published = post.published_version.value_or(0);
    const bool published_is_older = published > 0 && published <= post.version - keep;
    const auto newest = published_is_older ? std::max<std::int64_t>(1, keep - 1) : keep;
    QUIRE_TRY(unit.tx().versions().prune(post.tenant_id, post.id, newest, published));
  }
  return success();
}

// ---- permissions ------------------------------------------------------------------------------

Result<Permissions> acting_role(Unit& unit, TenantId tenant, const AuditRecord& attempted) {
  return acting_permissions(unit, tenant, std::to_string(tenant), attempted);
}

Result<Permissions> require_role(Unit& unit, TenantId tenant, std::string_view permission,
                                 std::string action, PostId post) {
  const auto attempted = attempt(unit.ctx(), std::move(action), post);
  QUIRE_TRY(auto acting, acting_role(unit, tenant, attempted));
  if (!acting.has(permission)) {
    return unit.deny(attempted, fmt::format("denied: {} lacks {}", acting.holder, permission),
                     permission, acting.actor_role());
  }
  return acting;
}

bool owns(const ContextState& ctx, const Post& post) {
  return owns(ctx, post.author_id);
}

Result<void> require_on(Unit& unit, std::string_view permission, const Post& post,
                        std::string action) {
  const auto attempted = attempt(unit.ctx(), std::move(action), post.id);
  QUIRE_TRY(auto acting, acting_role(unit, post.tenant_id, attempted));
  // Allowed by the role alone, on every post or on one's own: no grant to look up, no reason to
  // format (decide_on_post's allowing reasons are for callers that report them).
  if (acting.has(permission)) return success();
  if (owns(unit.ctx(), post) && acting.has(fmt::format("{}.own", permission))) return success();
  QUIRE_TRY(auto decision, decide_on_post(unit, acting, permission, access_of(post)));
  if (!decision.allowed) {
    return unit.deny(attempted, std::move(decision.reason), permission, acting.actor_role());
  }
  return success();
}

Result<void> require_visible(Unit& unit, const Post& post) {
  QUIRE_TRY(auto acting, visitor_role(unit, post));
  return require_visible(unit, post, acting);
}

Result<Permissions> visitor_role(Unit& unit, const Post& post) {
  return acting_role(unit, post.tenant_id, attempt(unit.ctx(), "post.read", post.id));
}

Result<void> require_granted(Unit& unit, const Permissions& acting, std::string_view permission,
                             std::string action, PostId post) {
  if (acting.has(permission)) return success();
  return unit.deny(attempt(unit.ctx(), std::move(action), post),
                   fmt::format("denied: {} lacks {}", acting.holder, permission), permission,
                   acting.actor_role());
}

storage::PostVisibility visible_to(const ContextState& ctx, const Permissions& acting, bool trash) {
  storage::PostVisibility visible;
  const bool user = ctx.actor.type == ActorType::user;
  if (trash) {
    visible.all = acting.has("post.delete");
    // Their own trash while their role still lets them delete their own (as get() decides).
    if (user && acting.has("post.delete.own")) visible.author = ctx.actor.id;
    return visible;
  }
  // sees_unpublished (grants.hpp), said of every post at once. Listings require post.read of the
  // role already; `reads` keeps this rule whole for any caller.
  const bool reads = acting.has("post.read");
  visible.all = reads && acting.has("post.update");
  visible.published = reads;
  if (user && reads && acting.has("post.update.own")) visible.author = ctx.actor.id;
  if (user) visible.grantee = ctx.actor.id;
  return visible;
}

Result<void> require_visible(Unit& unit, const Post& post, const Permissions& acting) {
  // The role's own permissions first: they decide almost every read without a reason to format
  // or a grant to look up.
  if (post.status == PostStatus::published) {
    if (acting.has("post.read")) return success();
    QUIRE_TRY(auto read, decide_on_post(unit, acting, "post.read", access_of(post)));
    if (!read.allowed) {
      return unit.deny(attempt(unit.ctx(), "post.read", post.id), std::move(read.reason),
                       "post.read", acting.actor_role());
    }
    return success();
  }
  QUIRE_TRY(auto visible, sees_unpublished(unit, acting, access_of(post)));
  if (visible) return success();
  return fail(Errc::not_found, fmt::format("post {} not found", post.id));
}

// ---- finding posts ----------------------------------------------------------------------------

Result<Post> find_post(Unit& unit, TenantId tenant, PostId id, storage::Lock lock) {
  QUIRE_TRY(auto post, unit.tx().posts().find(tenant, id, lock));
  if (!post) return fail(Errc::not_found, fmt::format("post {} not found", id));
  return std::move(*post);
}

Result<Post> find_live_post(Unit& unit, TenantId tenant, PostId id, storage::Lock lock) {
  QUIRE_TRY(auto post, find_post(unit, tenant, id, lock));
  if (post.deleted_at) {
    return fail(Errc::conflict, fmt::format("post {} is in the trash; restore it first", id));
  }
  return post;
}

// ---- hierarchy and the update -----------------------------------------------------------------

Result<void> check_parent(Unit& unit, TenantId tenant, PostId parent, PostId self) {
  int depth = 1;
  for (std::optional<PostId> at = parent; at; ++depth) {
    if (*at == self) {
      return fail(Errc::invalid_argument,
                  fmt::format("parent_id {} would make post {} its own ancestor", parent, self));
    }
    if (depth >= max_depth) {
      return fail(
          Errc::invalid_argument,
          fmt::format("parent_id {}: posts nest at most {} levels deep", parent, max_depth));
    }
    QUIRE_TRY(auto ancestor, unit.tx().posts().find(tenant, *at, storage::Lock::none));
    if (!ancestor) {
      return fail(Errc::not_found, fmt::format("parent post {} not found", *at));
    }
    at = ancestor->parent_id;
  }
  return success();
}

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

Result<Post> update_post(Unit& unit, TenantId tenant, PostId id, std::int64_t expected_version,
                         const PostPatch& checked) {
  QUIRE_TRY(const auto before, find_live_post(unit, tenant, id, storage::Lock::for_update));
  QUIRE_TRY(require_on(unit, "post.update", before, "post.update"));
  if (expected_version != before.version) {
    return version_conflict(before.version,
                            fmt::format("post {} is at version {}, not {}: reload it and apply "
                                        "the change again",
                                        id, before.version, expected_version));
  }
  Post post = before;
  if (checked.title) post.title = *checked.title;
  if (checked.body) post.body = *checked.body;
  if (checked.tags) post.tags = *checked.tags;
  if (checked.category) post.category = *checked.category;
  if (checked.seo) post.seo = *checked.seo;
  if (checked.fields) post.fields = *checked.fields;
  // An excerpt that was derived follows the body; a given one stays until changed.
  const bool derived = before.excerpt == derive_excerpt(before.body);
  if (checked.excerpt) {
    post.excerpt = *checked.excerpt ? **checked.excerpt : derive_excerpt(post.body);
  } else if (derived) {
    post.excerpt = derive_excerpt(post.body);
  }
  if (checked.parent_id && *checked.parent_id != before.parent_id) {
    post.parent_id = *checked.parent_id;
    if (post.parent_id) {
      QUIRE_TRY(check_parent(unit, tenant, *post.parent_id, post.id));
      QUIRE_TRY(const int below, subtree_depth(unit, post));
      int above = 0;
      for (auto at = post.parent_id; at; ++above) {
        QUIRE_TRY(auto ancestor, find_post(unit, tenant, *at, storage::Lock::none));
        at = ancestor.parent_id;
      }
      if (above + 1 + below > max_depth) {
        return fail(Errc::invalid_argument,
                    fmt::format("parent_id {}: posts nest at most {} levels deep", *post.parent_id,
                                max_depth));
      }
    }
  }
  if (checked.slug && *checked.slug != before.slug) {
    QUIRE_TRY(const bool taken,
              unit.tx().posts().slug_taken(tenant, post.type, *checked.slug, post.id));
    if (taken) {
      return fail(Errc::already_exists, fmt::format("slug {} is already used by another {}",
                                                    detail::quoted(*checked.slug), post.type));
    }
    post.slug = *checked.slug;
    // The old slug keeps resolving to this post.
    QUIRE_TRY(unit.tx().posts().add_old_slug(tenant, post.type, before.slug, post.id));
  }
  post.reading_time = reading_time(post.body);
  post.version = before.version + 1;
  post.updated_at = now_ms();
  QUIRE_TRY(unit.tx().posts().update(before, post));
  QUIRE_TRY(write_version(unit, post, "update", ""));
  QUIRE_TRY(record_change(unit, "post.update", before, post));
  return post;
}

}  // namespace quire::detail
