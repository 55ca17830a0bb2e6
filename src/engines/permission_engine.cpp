// The Permission engine: explained decisions, per-item grants and custom roles. The checks every
// engine makes live in authorize.cpp and the built-in matrix in roles.cpp.

#include <fmt/format.h>

#include <algorithm>
#include <quire/permission.hpp>

#include "core/validate.hpp"
#include "engines/authorize.hpp"
#include "engines/grants.hpp"
#include "engines/lookup.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

std::string_view grant_level_name(GrantLevel level) noexcept {
  switch (level) {
    case GrantLevel::read:
      return "read";
    case GrantLevel::write:
      return "write";
    case GrantLevel::admin:
      return "admin";
  }
  return "read";
}

namespace {

Result<void> check_permission(std::string_view permission) {
  if (detail::permission_rank(permission)) return success();
  return fail(Errc::invalid_argument,
              fmt::format("permission {} is not one quire knows", detail::quoted(permission)));
}

Result<void> check_resource(const ResourceRef& resource) {
  std::int64_t id = 0;
  const bool numeric = !resource.id.empty() && resource.id.size() <= 18 &&
                       std::all_of(resource.id.begin(), resource.id.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
  if (numeric) id = std::stoll(resource.id);
  if (resource.type != "post" || id <= 0) {
    return fail(Errc::invalid_argument,
                fmt::format("resource must be (\"post\", <id>), got ({}, {})",
                            detail::quoted(resource.type), detail::quoted(resource.id)));
  }
  return success();
}

AuditRecord attempt(TenantId tenant, std::string action, std::string resource_type,
                    std::string resource_id) {
  return {tenant, std::move(action), std::move(resource_type), std::move(resource_id), {}, {}};
}

}  // namespace

PermissionEngine::PermissionEngine(std::shared_ptr<detail::ContextState> ctx) noexcept
    : ctx_(std::move(ctx)) {}

std::span<const std::string_view> PermissionEngine::all_permissions() noexcept {
  return detail::known_permissions();
}

Result<Decision> PermissionEngine::check(std::string_view permission,
                                         const std::optional<ResourceRef>& resource) noexcept {
  QUIRE_TRY(check_permission(permission));
  if (resource) {
    QUIRE_TRY(check_resource(*resource));
  }
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "permissions"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Decision> {
    // A question, not an attempt: a "no" is an answer, and nothing is audited.
    auto found = detail::acting_permissions(unit, tenant, std::to_string(tenant),
                                            attempt(tenant, "permission.check", "", ""));
    unit.denied().reset();
    if (!found) {
      if (found.error().code != Errc::permission_denied) return found.error();
      return Decision{false, found.error().message};
    }
    const auto& acting = found.value();
    if (!resource) {
      if (acting.has(permission)) {
        return Decision{true, fmt::format("allowed: {} has {}", acting.holder, permission)};
      }
      return Decision{false, fmt::format("denied: {} lacks {}", acting.holder, permission)};
    }
    QUIRE_TRY(auto post, unit.tx().posts().find_access(tenant, std::stoll(resource->id)));
    if (!post) return fail(Errc::not_found, fmt::format("post {} not found", resource->id));
    // Reading an unpublished post takes more than a read permission: the same answer as get().
    if (post->status != PostStatus::published && detail::is_read(permission)) {
      QUIRE_TRY(const bool visible, detail::sees_unpublished(unit, acting, *post));
      if (!visible) {
        return Decision{false, fmt::format("denied: post {} is not published, and {} may not "
                                           "edit it or hold a grant on it",
                                           post->id, acting.holder)};
      }
    }
    // As the version engine decides: versions are read by those who may read the post, and
    // restored by those who may also update it.
    const std::string_view through = permission == "version.read"      ? "post.read"
                                     : permission == "version.restore" ? "post.update"
                                                                       : "";
    QUIRE_TRY(auto decision, detail::decide_on_post(unit, acting, permission, *post));
    if (decision.allowed && !through.empty()) {
      QUIRE_TRY(auto also, detail::decide_on_post(unit, acting, through, *post));
      if (!also.allowed) return also;
    }
    return decision;
  });
}

Result<Grant> PermissionEngine::grant(UserId user, const ResourceRef& resource,
                                      GrantLevel level) noexcept {
  QUIRE_TRY(check_resource(resource));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "permissions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Grant> {
    QUIRE_TRY(detail::require(unit, "member.manage", tenant, std::to_string(tenant),
                              attempt(tenant, "grant.add", resource.type, resource.id)));
    QUIRE_TRY(auto member, unit.tx().members().find(tenant, user));
    if (!member) {
      return fail(Errc::not_found, fmt::format("user {} is not a member of this tenant", user));
    }
    QUIRE_TRY(auto post,
              unit.tx().posts().find(tenant, std::stoll(resource.id), storage::Lock::none));
    if (!post) return fail(Errc::not_found, fmt::format("post {} not found", resource.id));
    // A grant replaces the user's earlier one on the item: the entry says which it was.
    QUIRE_TRY(const auto before, unit.tx().grants().find(tenant, resource, user));
    Grant grant{tenant, resource, user, level};
    QUIRE_TRY(unit.tx().grants().save(grant));
    QUIRE_TRY(unit.record(
        {tenant, "grant.add", resource.type, resource.id,
         before ? std::optional<Json>(Json{{"user_id", user}, {"level", grant_level_name(*before)}})
                : std::nullopt,
         Json{{"user_id", user}, {"level", grant_level_name(level)}}}));
    return grant;
  });
}

Result<void> PermissionEngine::revoke(UserId user, const ResourceRef& resource) noexcept {
  QUIRE_TRY(check_resource(resource));
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "permissions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(detail::require(unit, "member.manage", tenant, std::to_string(tenant),
                              attempt(tenant, "grant.revoke", resource.type, resource.id)));
    QUIRE_TRY(unit.tx().grants().remove(tenant, resource, user));
    return unit.record(
        {tenant, "grant.revoke", resource.type, resource.id, Json{{"user_id", user}}, {}});
  });
}

Result<std::vector<Role>> PermissionEngine::roles() noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "permissions"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<Role>> {
    QUIRE_TRY(detail::require(unit, "tenant.read", tenant, std::to_string(tenant),
                              attempt(tenant, "role.list", "role", "")));
    std::vector<Role> roles;
    for (const auto name : detail::builtin_roles()) {
      Role role{std::string(name), {}, true};
      for (const auto permission : detail::known_permissions()) {
        if (detail::role_has(name, permission)) role.permissions.emplace_back(permission);
      }
      std::sort(role.permissions.begin(), role.permissions.end());
      roles.push_back(std::move(role));
    }
    QUIRE_TRY(auto custom, unit.tx().roles().list(tenant));
    for (auto& role : custom) roles.push_back(std::move(role));
    return roles;
  });
}

Result<Role> PermissionEngine::define_role(std::string_view name,
                                           const std::vector<std::string>& permissions) noexcept {
  QUIRE_TRY(detail::check_role_name(name));
  if (detail::role_rank(name)) {
    return fail(Errc::invalid_argument,
                fmt::format("role \"{}\" is built in and cannot be redefined", name));
  }
  Role role{std::string(name), permissions, false};
  for (const auto& permission : role.permissions) {
    QUIRE_TRY(check_permission(permission));
  }
  std::sort(role.permissions.begin(), role.permissions.end());
  role.permissions.erase(std::unique(role.permissions.begin(), role.permissions.end()),
                         role.permissions.end());
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "permissions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Role> {
    const auto attempted = attempt(tenant, "role.define", "role", role.name);
    QUIRE_TRY(detail::require(unit, "role.manage", tenant, std::to_string(tenant), attempted));
    // Nobody hands out more than they hold.
    QUIRE_TRY(auto acting,
              detail::acting_permissions(unit, tenant, std::to_string(tenant), attempted));
    for (const auto& permission : role.permissions) {
      if (!acting.has(permission)) {
        return unit.deny(
            attempted,
            fmt::format("denied: {} lacks {}, so it cannot give it", acting.holder, permission),
            permission, acting.actor_role());
      }
    }
    QUIRE_TRY(auto before, unit.tx().roles().find(tenant, role.name));
    QUIRE_TRY(unit.tx().roles().save(tenant, role));
    QUIRE_TRY(unit.record(
        {tenant, "role.define", "role", role.name,
         before ? std::optional<Json>(Json{{"permissions", before->permissions}}) : std::nullopt,
         Json{{"permissions", role.permissions}}}));
    return role;
  });
}

Result<void> PermissionEngine::delete_role(std::string_view name) noexcept {
  QUIRE_TRY(detail::check_role_name(name));
  if (detail::role_rank(name)) {
    return fail(Errc::invalid_argument, fmt::format("role \"{}\" is built in", name));
  }
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "permissions"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(detail::require(unit, "role.manage", tenant, std::to_string(tenant),
                              attempt(tenant, "role.delete", "role", std::string(name))));
    QUIRE_TRY(const auto holders, unit.tx().roles().holders(tenant, name));
    if (holders > 0) {
      return fail(Errc::conflict,
                  fmt::format("role \"{}\" is held by {} member(s); change their role first", name,
                              holders));
    }
    QUIRE_TRY(auto before, unit.tx().roles().find(tenant, name));
    QUIRE_TRY(unit.tx().roles().remove(tenant, name));
    return unit.record(
        {tenant,
         "role.delete",
         "role",
         std::string(name),
         Json{{"permissions", before ? before->permissions : std::vector<std::string>{}}},
         {}});
  });
}

}  // namespace quire
