#pragma once
// Permission checks inside a unit of work. A denial fails with permission_denied and a reason a
// person can act on, and the unit audits the attempt after it has rolled back.

#include <optional>
#include <quire/result.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engines/unit_of_work.hpp"

namespace quire::detail {

// What an actor may do in a tenant: a built-in role's permissions from the matrix, a custom
// role's list, or an API key's scopes.
struct Permissions {
  std::string holder;                              // for reasons: "role editor", "API key 3"
  std::string role;                                // the role's name; empty for an API key
  std::optional<std::vector<std::string>> listed;  // a custom role's or a key's permissions

  bool has(std::string_view permission) const noexcept;
  // The role a denial reports (ErrorFacts::role): the role's name, "api_key" for a key.
  // (Both arms string_view: `"api_key" : role` would make a temporary std::string and dangle.)
  std::string_view actor_role() const noexcept {
    return listed && role.empty() ? std::string_view("api_key") : std::string_view(role);
  }
  // Where it stands among the built-in roles: the rank of its strongest permission.
  int rank() const noexcept;
};

// A role of the tenant, built-in or custom. Errors: invalid_argument (no such role).
Result<Permissions> role_permissions(storage::Transaction& tx, TenantId tenant,
                                     std::string_view role);

// The acting member of `tenant`, for a user context acting in that tenant. A context of another
// tenant gets not_found for the whole tenant, so it cannot even learn that it exists.
// Errors: not_found, permission_denied (not a member, or a deactivated account).
Result<Member> acting_member(Unit& unit, TenantId tenant, std::string_view tenant_label,
                             const AuditRecord& attempt);

// What the context's actor may do in `tenant`: everything for the system context, the member's
// role for a user, the scopes of a live key for an API key. Errors as acting_member, and
// permission_denied for a revoked or expired key.
Result<Permissions> acting_permissions(Unit& unit, TenantId tenant, std::string_view tenant_label,
                                       const AuditRecord& attempt);

// Allows the system context; otherwise the actor's permissions must include `permission`.
// Errors: permission_denied with the reason ("denied: role author lacks member.manage in tenant
// acme"), not_found (another tenant).
Result<void> require(Unit& unit, std::string_view permission, TenantId tenant,
                     std::string_view tenant_label, const AuditRecord& attempt);

// Errors: permission_denied unless the context is the system one.
Result<void> require_system(Unit& unit, std::string_view what, const AuditRecord& attempt);

}  // namespace quire::detail
