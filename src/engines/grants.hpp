#pragma once
// How ownership and per-item grants widen what a role allows on one post. One definition, used by
// the Post and Version engines when they enforce and by PermissionEngine::check when it explains.

#include <optional>
#include <quire/permission.hpp>
#include <quire/post.hpp>
#include <quire/storage.hpp>
#include <string_view>

#include "engines/authorize.hpp"

namespace quire::detail {

// What a grant level lets its holder do on its item: read (post.read, version.read), write (also
// post.update), admin (also post.publish, post.delete, version.restore).
bool grant_allows(GrantLevel level, std::string_view permission) noexcept;

// What a decision needs of a post the engine has already read whole.
inline storage::PostAccess access_of(const Post& post) noexcept {
  return {post.tenant_id, post.id, post.author_id, post.status, post.deleted_at.has_value()};
}

// Whether the context's actor is the user who wrote a post by `author`: the ownership rule.
bool owns(const ContextState& ctx, UserId author) noexcept;

// The level of the acting user's grant on `post`, if any.
Result<std::optional<GrantLevel>> grant_on(Unit& unit, const storage::PostAccess& post);

// Whether `permission` reads a post (post.read, version.read): on an unpublished post it also
// needs sees_unpublished.
bool is_read(std::string_view permission) noexcept;

// Whether the actor may see `post` although it is not published: those who may read posts and
// edit this one (post.read with post.update, or post.update.own on their own post) and those it
// was granted to at any level.
// To everyone else it does not exist (not_found), so drafts cannot be probed.
Result<bool> sees_unpublished(Unit& unit, const Permissions& acting,
                              const storage::PostAccess& post);

// The decision for `permission` on `post`: the role's own permission, then `<permission>.own` on
// the actor's own post, then a grant on the post. Reasons name which one decided.
Result<Decision> decide_on_post(Unit& unit, const Permissions& acting, std::string_view permission,
                                const storage::PostAccess& post);

}  // namespace quire::detail
