#pragma once
// How ownership and per-item grants widen what a role allows on one post. One definition, used by
// the Post and Version engines when they enforce and by PermissionEngine::check when it explains.

#include <optional>
#include <quire/permission.hpp>
#include <quire/post.hpp>
#include <string_view>

#include "engines/authorize.hpp"

namespace quire::detail {

// What a grant level lets its holder do on its item: read (post.read, version.read), write (also
// post.update), admin (also post.publish, post.delete, version.restore).
bool grant_allows(GrantLevel level, std::string_view permission) noexcept;

// The level of the acting user's grant on `post`, if any.
Result<std::optional<GrantLevel>> grant_on(Unit& unit, const Post& post);

// The decision for `permission` on `post`: the role's own permission, then `<permission>.own` on
// the actor's own post, then a grant on the post. Reasons name which one decided.
Result<Decision> decide_on_post(Unit& unit, const Permissions& acting, std::string_view permission,
                                const Post& post);

}  // namespace quire::detail
