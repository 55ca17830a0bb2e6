#include "engines/grants.hpp"

#include <fmt/format.h>

#include <array>

namespace quire::detail {

bool is_read(std::string_view permission) noexcept {
  return permission == "post.read" || permission == "version.read";
}

bool grant_allows(GrantLevel level, std::string_view permission) noexcept {
  constexpr std::array<std::string_view, 1> write = {"post.update"};
  constexpr std::array<std::string_view, 3> admin = {"post.publish", "post.delete",
                                                     "version.restore"};
  const auto in = [&](const auto& list) {
    return std::find(list.begin(), list.end(), permission) != list.end();
  };
  switch (level) {
    case GrantLevel::admin:
      if (in(admin)) return true;
      [[fallthrough]];
    case GrantLevel::write:
      if (in(write)) return true;
      [[fallthrough]];
    case GrantLevel::read:
      return is_read(permission);
  }
  return false;
}

bool owns(const ContextState& ctx, UserId author) noexcept {
  return ctx.actor.type == ActorType::user && author == ctx.actor.id;
}

Result<std::optional<GrantLevel>> grant_on(Unit& unit, const storage::PostAccess& post) {
  const auto& ctx = unit.ctx();
  if (ctx.actor.type != ActorType::user) return std::optional<GrantLevel>();
  return unit.tx().grants().find(post.tenant_id, ResourceRef{"post", std::to_string(post.id)},
                                 ctx.actor.id);
}

Result<bool> sees_unpublished(Unit& unit, const Permissions& acting,
                              const storage::PostAccess& post) {
  // Editing a post lets one see its draft only with reading: a key or custom role holding
  // post.update without post.read reads neither drafts nor published posts.
  if (acting.has("post.read")) {
    if (acting.has("post.update")) return true;
    if (owns(unit.ctx(), post.author_id) && acting.has("post.update.own")) return true;
  }
  QUIRE_TRY(auto level, grant_on(unit, post));
  return level.has_value();
}

Result<Decision> decide_on_post(Unit& unit, const Permissions& acting, std::string_view permission,
                                const storage::PostAccess& post) {
  const auto& ctx = unit.ctx();
  if (acting.has(permission)) {
    return Decision{true, fmt::format("allowed: {} has {}", acting.holder, permission)};
  }
  const bool own = owns(ctx, post.author_id);
  const auto own_permission = std::string(permission) + ".own";
  if (own && acting.has(own_permission)) {
    return Decision{
        true, fmt::format("allowed: {} has {} on its own post", acting.holder, own_permission)};
  }
  QUIRE_TRY(auto level, grant_on(unit, post));
  if (level && grant_allows(*level, permission)) {
    return Decision{true, fmt::format("allowed: user {} has a {} grant on post {}", ctx.actor.id,
                                      grant_level_name(*level), post.id)};
  }
  return Decision{false, fmt::format("denied: {} lacks {} on a post owned by user {}",
                                     acting.holder, permission, post.author_id)};
}

}  // namespace quire::detail
