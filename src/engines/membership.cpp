#include "engines/membership.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"
#include "core/validate.hpp"
#include "engines/authorize.hpp"
#include "engines/lookup.hpp"

namespace quire::detail {

Result<const Plan*> find_plan(const Options& options, std::string_view name) {
  for (const auto& plan : options.plans) {
    if (plan.name == name) return &plan;
  }
  std::string known;
  for (const auto& plan : options.plans) known += (known.empty() ? "" : ", ") + plan.name;
  return fail(Errc::invalid_argument,
              fmt::format("plan {} must be one of: {}", detail::quoted(name), known));
}

Result<void> check_rank(Unit& unit, const Tenant& tenant, std::string_view role,
                        const AuditRecord& attempted) {
  QUIRE_TRY(auto target, role_permissions(unit.tx(), tenant.id, role));
  if (unit.ctx().is_system()) return success();
  QUIRE_TRY(auto acting, acting_permissions(unit, tenant.id, tenant.slug, attempted));
  if (target.rank() > acting.rank()) {
    return unit.deny(attempted,
                     fmt::format("denied: {} cannot manage role {} in tenant {}", acting.holder,
                                 role, tenant.slug),
                     {}, acting.actor_role());
  }
  return success();
}

Result<Member> join(Unit& unit, const Tenant& tenant, UserId user, std::string_view role,
                    Json details) {
  auto& tx = unit.tx();
  QUIRE_TRY(auto account, find_user(tx, user));
  if (!account.user.is_active) {
    return fail(Errc::conflict, fmt::format("user {} is deactivated", user));
  }
  QUIRE_TRY(auto existing, tx.members().find(tenant.id, user));
  if (existing) {
    return fail(Errc::already_exists,
                fmt::format("user {} is already a member of tenant {}", user, tenant.slug));
  }
  // The count walks the tenant's slice of the members key; under a quota the slice holds at most
  // max_members rows, and an unlimited plan counts nothing.
  QUIRE_TRY(const Plan* plan, find_plan(unit.ctx().db->options, tenant.plan));
  if (plan->max_members > 0) {
    QUIRE_TRY(const auto members, tx.members().count(tenant.id));
    if (members >= plan->max_members) {
      return quota_exceeded("members", plan->max_members, plan->name,
                            fmt::format("plan {} allows at most {} members; tenant {} has {}",
                                        plan->name, plan->max_members, tenant.slug, members));
    }
  }
  Member member{tenant.id, user, std::string(role), now_ms()};
  QUIRE_TRY(tx.members().insert(member));
  details["user_id"] = user;
  details["role"] = member.role;
  QUIRE_TRY(unit.record(
      {tenant.id, "member.add", "member", std::to_string(user), {}, std::move(details)}));
  return member;
}

}  // namespace quire::detail
