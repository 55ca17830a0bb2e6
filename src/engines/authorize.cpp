#include "engines/authorize.hpp"

#include "engines/roles.hpp"

#include <fmt/format.h>

namespace quire::detail {

Result<Member> acting_member(Unit& unit, TenantId tenant, std::string_view tenant_label,
                             const AuditRecord& attempt) {
  const auto& ctx = unit.ctx();
  if (ctx.tenant != tenant) {
    return fail(Errc::not_found, fmt::format("tenant {} not found", tenant_label));
  }
  QUIRE_TRY(auto member, unit.tx().members().find(tenant, ctx.actor.id));
  if (!member) {
    return unit.deny(attempt, fmt::format("denied: user {} is not a member of tenant {}",
                                          ctx.actor.id, tenant_label));
  }
  // A deactivated account loses access at once, even through contexts opened before.
  QUIRE_TRY(auto user, unit.tx().users().find(ctx.actor.id));
  if (!user || !user->user.is_active) {
    return unit.deny(attempt, fmt::format("denied: user {} is deactivated", ctx.actor.id));
  }
  return std::move(*member);
}

Result<void> require(Unit& unit, std::string_view permission, TenantId tenant,
                     std::string_view tenant_label, const AuditRecord& attempt) {
  if (unit.ctx().is_system()) return success();
  QUIRE_TRY(auto member, acting_member(unit, tenant, tenant_label, attempt));
  if (!role_has(member.role, permission)) {
    return unit.deny(attempt, fmt::format("denied: role {} lacks {} in tenant {}", member.role,
                                          permission, tenant_label));
  }
  return success();
}

Result<void> require_system(Unit& unit, std::string_view what, const AuditRecord& attempt) {
  if (unit.ctx().is_system()) return success();
  return unit.deny(attempt, fmt::format("denied: only the system context may {}", what));
}

}  // namespace quire::detail
