#pragma once
// The rules of memberships shared by the ways into a tenant: the system context's add_member and
// an accepted invitation. Internal to the tenant engine (tenant_engine.cpp, invitations.cpp).

#include <quire/options.hpp>
#include <quire/result.hpp>
#include <quire/tenant.hpp>
#include <string_view>

#include "engines/unit_of_work.hpp"

namespace quire::detail {

// The plan of that name in `options`. Errors: invalid_argument naming the known plans.
Result<const Plan*> find_plan(const Options& options, std::string_view name);

// A member may only hand out, change or remove roles up to their own rank, so an admin cannot make
// an owner or demote one. Custom roles rank by their strongest permission. The role must exist in
// the tenant. Errors: invalid_argument (no such role), permission_denied (above the actor's rank).
Result<void> check_rank(Unit& unit, const Tenant& tenant, std::string_view role,
                        const AuditRecord& attempted);

// Makes `user` a member of `tenant` with `role` and records it (member.add, with `details` merged
// into the entry's new values). The account must be active, not a member yet, and the plan's
// member quota not reached. Errors: not_found (user), conflict (deactivated account),
// already_exists, quota_exceeded.
Result<Member> join(Unit& unit, const Tenant& tenant, UserId user, std::string_view role,
                    Json details = Json::object());

}  // namespace quire::detail
