#include "engines/authorize.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engines/roles.hpp"

namespace quire::detail {

namespace {
constexpr std::string_view api_key_role = "api_key";  // ErrorFacts::role of a key's denials
}  // namespace

bool Permissions::has(std::string_view permission) const noexcept {
  if (!listed) return role_has(role, permission);
  return std::find(listed->begin(), listed->end(), permission) != listed->end();
}

int Permissions::rank() const noexcept {
  if (!listed) return role_rank(role).value_or(0);
  int rank = 0;
  for (const auto& permission : *listed)
    rank = std::max(rank, permission_rank(permission).value_or(0));
  return rank;
}

Result<Permissions> role_permissions(storage::Transaction& tx, TenantId tenant,
                                     std::string_view role) {
  if (role_rank(role)) return Permissions{fmt::format("role {}", role), std::string(role), {}};
  QUIRE_TRY(auto custom, tx.roles().find(tenant, role));
  if (!custom) {
    return fail(Errc::invalid_argument,
                fmt::format("role \"{}\" must be one of owner, admin, editor, author, "
                            "contributor, viewer, or a custom role of this tenant",
                            role));
  }
  return Permissions{fmt::format("role {}", role), std::string(role),
                     std::move(custom->permissions)};
}

Result<Member> acting_member(Unit& unit, TenantId tenant, std::string_view tenant_label,
                             const AuditRecord& attempt) {
  const auto& ctx = unit.ctx();
  if (ctx.tenant != tenant) {
    return fail(Errc::not_found, fmt::format("tenant {} not found", tenant_label));
  }
  // The membership and the account in one lookup: every permission check makes it.
  QUIRE_TRY(auto found, unit.tx().members().find_with_account(tenant, ctx.actor.id));
  if (!found) {
    return unit.deny(attempt, fmt::format("denied: user {} is not a member of tenant {}",
                                          ctx.actor.id, tenant_label));
  }
  // A deactivated account loses access at once, even through contexts opened before.
  if (!found->user_active) {
    return unit.deny(attempt, fmt::format("denied: user {} is deactivated", ctx.actor.id), {},
                     found->member.role);
  }
  // So does every member of a deactivated tenant.
  if (!found->tenant_active) {
    return unit.deny(attempt, fmt::format("denied: tenant {} is deactivated", tenant_label), {},
                     found->member.role);
  }
  return std::move(found->member);
}

Result<Permissions> acting_permissions(Unit& unit, TenantId tenant, std::string_view tenant_label,
                                       const AuditRecord& attempt) {
  const auto& ctx = unit.ctx();
  if (ctx.is_system()) return Permissions{"the system context", "owner", {}};
  if (ctx.actor.type == ActorType::api_key) {
    if (ctx.tenant != tenant) {
      return fail(Errc::not_found, fmt::format("tenant {} not found", tenant_label));
    }
    // Checked on every use: a key revoked or expired a moment ago no longer works.
    // So does a key whose tenant or creator was deactivated since the context was opened.
    QUIRE_TRY(auto found, unit.tx().keys().find_with_standing(tenant, ctx.actor.id));
    if (!found || found->row.key.revoked_at) {
      return unit.deny(attempt, fmt::format("denied: API key {} is revoked", ctx.actor.id), {},
                       api_key_role);
    }
    auto& key = found->row.key;
    if (key.expires_at && *key.expires_at <= now_ms()) {
      return unit.deny(attempt, fmt::format("denied: API key {} has expired", ctx.actor.id), {},
                       api_key_role);
    }
    if (!found->tenant_active) {
      return unit.deny(attempt, fmt::format("denied: tenant {} is deactivated", tenant_label), {},
                       api_key_role);
    }
    if (found->row.made_by_system) {
      return Permissions{fmt::format("API key {}", key.id), "", std::move(key.scopes)};
    }
    // A key acts for the person behind it, and never does more than they may do now: its scopes
    // within their current role, so demoting or removing them narrows or stops the key at once.
    if (!found->creator_active) {
      return unit.deny(attempt,
                       fmt::format("denied: API key {} was made by user {}, who is "
                                   "deactivated",
                                   key.id, key.created_by),
                       {}, api_key_role);
    }
    if (!found->creator_role) {
      return unit.deny(attempt, fmt::format("denied: API key {} was made by user {}, who is no "
                                            "longer a member of tenant {}",
                                            key.id, key.created_by, tenant_label));
    }
    QUIRE_TRY(const auto creator, role_permissions(unit.tx(), tenant, *found->creator_role));
    std::vector<std::string> effective;
    for (auto& scope : key.scopes) {
      if (creator.has(scope)) effective.push_back(std::move(scope));
    }
    const bool narrowed = effective.size() < key.scopes.size();
    return Permissions{narrowed ? fmt::format("API key {} (within {} of user {}, who made it)",
                                              key.id, creator.holder, key.created_by)
                                : fmt::format("API key {}", key.id),
                       "", std::move(effective)};
  }
  QUIRE_TRY(auto member, acting_member(unit, tenant, tenant_label, attempt));
  return role_permissions(unit.tx(), tenant, member.role);
}

Result<void> require(Unit& unit, std::string_view permission, TenantId tenant,
                     std::string_view tenant_label, const AuditRecord& attempt) {
  if (unit.ctx().is_system()) return success();
  QUIRE_TRY(auto permissions, acting_permissions(unit, tenant, tenant_label, attempt));
  if (!permissions.has(permission)) {
    return unit.deny(attempt,
                     fmt::format("denied: {} lacks {} in tenant {}", permissions.holder, permission,
                                 tenant_label),
                     permission, permissions.actor_role());
  }
  return success();
}

Result<void> require_system(Unit& unit, std::string_view what, const AuditRecord& attempt) {
  if (unit.ctx().is_system()) return success();
  return unit.deny(attempt, fmt::format("denied: only the system context may {}", what));
}

}  // namespace quire::detail
