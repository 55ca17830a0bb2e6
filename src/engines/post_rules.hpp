#pragma once
// The rules of posts that more than one engine applies: input limits and normalisation, who may
// see and change a post, how a post is audited and versioned, and the update itself. The Post
// engine and the Version engine both go through these, so an update, a restore and a promoted
// autosave are checked, versioned and audited alike.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <quire/post.hpp>
#include <quire/result.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "engines/authorize.hpp"
#include "engines/unit_of_work.hpp"

namespace quire::detail {

inline constexpr std::size_t max_title_bytes = 500;
inline constexpr std::size_t max_body_bytes = std::size_t{4} * 1024 * 1024;
inline constexpr std::size_t max_excerpt_bytes = 2000;
inline constexpr std::size_t max_term_bytes = 100;
inline constexpr std::size_t max_tags = 50;
inline constexpr std::size_t max_slug = 96;
inline constexpr int max_depth = 5;  // a post and four levels of ancestors
inline constexpr std::int64_t default_retention = 50;

// ---- input rules: invalid_argument naming the field and the rule ------------------------------

// At most max_body_bytes of valid UTF-8 without NUL bytes.
Result<void> check_body(std::string_view body);
// At most max_tags, each a text of at most max_term_bytes; duplicates dropped, order kept.
Result<std::vector<std::string>> normalise_tags(const std::vector<std::string>& tags);
Result<std::optional<std::string>> normalise_category(const std::optional<std::string>& category);
// A JSON object ("" counts as {}), as compact text.
Result<std::string> normalise_object(std::string_view field, std::string_view json);
Result<void> check_slug(std::string_view slug);
Result<std::optional<std::string>> normalise_excerpt(const std::optional<std::string>& excerpt);
// `patch` with every field that holds a value checked and normalised, for update_post.
Result<PostPatch> check_patch(const PostPatch& patch);

// ---- permissions ------------------------------------------------------------------------------

// What the actor may do in the tenant: the member's role, a key's scopes, everything for the
// system context. `attempted` is what a denial
// audits.
Result<Permissions> acting_role(Unit& unit, TenantId tenant, const AuditRecord& attempted);
// The acting role, which must grant `permission` on the tenant's posts as a whole; a denial is
// audited as `action` on post `post`. Returns the role.
Result<Permissions> require_role(Unit& unit, TenantId tenant, std::string_view permission,
                                 std::string action, PostId post = 0);
// Whether the actor is the user who wrote the post.
bool owns(const ContextState& ctx, const Post& post);
// `permission` on every post, or `permission.own` on one's own.
Result<void> require_on(Unit& unit, std::string_view permission, const Post& post,
                        std::string action);
// Whether the actor may see the post at all: published posts are for every member; the others
// for those who may edit them. An invisible post is not_found, so drafts cannot be probed.
Result<void> require_visible(Unit& unit, const Post& post);
// The same with the actor's role already at hand (from visitor_role).
Result<void> require_visible(Unit& unit, const Post& post, const Permissions& acting);
// The acting role as require_visible finds it (a denial audited as post.read on the post).
Result<Permissions> visitor_role(Unit& unit, const Post& post);
// What a listing, a search or a count of terms may show the actor, as a store filter: the rule of
// require_visible over many posts. Out of the trash: every post for those with post.update; for
// the others the published ones, their own when they hold post.update.own, and those granted to
// them. In the trash (`trash`): every post for those with post.delete, else their own.
storage::PostVisibility visible_to(const ContextState& ctx, const Permissions& acting, bool trash);
// `acting` must grant `permission`; a denial is audited as `action` on post `post`.
Result<void> require_granted(Unit& unit, const Permissions& acting, std::string_view permission,
                             std::string action, PostId post);

// ---- finding posts ----------------------------------------------------------------------------

// `lock` says whether the unit goes on to change the post (storage::Lock).
// Errors: not_found (also for a post of another tenant).
Result<Post> find_post(Unit& unit, TenantId tenant, PostId id, storage::Lock lock);
// A live post: found and not in the trash. Errors: not_found, conflict (in the trash).
Result<Post> find_live_post(Unit& unit, TenantId tenant, PostId id, storage::Lock lock);

// ---- what the audit trail and versions keep ---------------------------------------------------

// The post as its audit entries show it: the body by version and hash, never copied again.
Json audited(const Post& post);
// The fields of the audited post that differ, before and after (changed_fields of both sides);
// the body is hashed only when it changed.
std::pair<Json, Json> audited_change(const Post& before, const Post& after);
// Appends the audit entry of a change: the fields that changed, before and after.
Result<void> record_change(Unit& unit, std::string action, const Post& before, const Post& after);
// Writes version `post.version` as a full snapshot of `post`, created at post.updated_at, then
// prunes the post's versions to the tenant's `version_retention` (default 50, 0 keeps all): the
// newest N remain, the published version counting as one of them when it is older, so it is never
// pruned and no more than N are kept (the current version always stays, so N = 1 may keep 2).
// Errors: conflict when the number is taken (a concurrent writer got there first).
Result<void> write_version(Unit& unit, const Post& post, std::string kind, std::string summary);

// ---- hierarchy and the update -----------------------------------------------------------------

// The parent must be a post of the same tenant, the chain above it short enough, and `self`
// nowhere in it.
Result<void> check_parent(Unit& unit, TenantId tenant, PostId parent, PostId self);
// The levels of posts below `post` (0 when it has no children).
Result<int> subtree_depth(Unit& unit, const Post& post);

// PostEngine::update inside `unit`: the post must be live, the actor may update it, and
// `expected_version` must be its version (else conflict, naming the current one). Applies
// `checked` (from check_patch), writes the post, version `expected_version + 1` (kind update) and
// the post.update audit entry.
Result<Post> update_post(Unit& unit, TenantId tenant, PostId id, std::int64_t expected_version,
                         const PostPatch& checked);

}  // namespace quire::detail
