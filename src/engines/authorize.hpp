#pragma once
// Permission checks inside a unit of work. A denial fails with permission_denied and a reason a
// person can act on, and the unit audits the attempt after it has rolled back.

#include "engines/unit_of_work.hpp"

#include <quire/result.hpp>

#include <string_view>

namespace quire::detail {

// The acting member of `tenant`, for a user context acting in that tenant. A context of another
// tenant gets not_found for the whole tenant, so it cannot even learn that it exists.
// Errors: not_found, permission_denied (not a member, or a deactivated account).
Result<Member> acting_member(Unit& unit, TenantId tenant, std::string_view tenant_label,
                             const AuditRecord& attempt);

// Allows the system context; otherwise the acting member's role must grant `permission`.
// Errors: permission_denied with the reason ("denied: role author lacks member.manage in tenant
// acme"), not_found (another tenant).
Result<void> require(Unit& unit, std::string_view permission, TenantId tenant,
                     std::string_view tenant_label, const AuditRecord& attempt);

// Errors: permission_denied unless the context is the system one.
Result<void> require_system(Unit& unit, std::string_view what, const AuditRecord& attempt);

}  // namespace quire::detail
