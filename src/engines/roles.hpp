#pragma once
// The built-in roles and what each may do: the one place the matrix lives. Each role has every
// permission of the roles below it: owner ⊇ admin ⊇ editor ⊇ author ⊇ contributor ⊇ viewer.

#include <optional>
#include <quire/result.hpp>
#include <quire/storage.hpp>
#include <span>
#include <string_view>

#include "state.hpp"

namespace quire::detail {

// viewer < contributor < author < editor < admin < owner
std::span<const std::string_view> builtin_roles() noexcept;
// The role's rank (0 for viewer), or nullopt for a name that is not a built-in role.
std::optional<int> role_rank(std::string_view role) noexcept;
bool role_has(std::string_view role, std::string_view permission) noexcept;

// Errors: invalid_argument naming the built-in roles.
Result<void> check_role(std::string_view role) noexcept;

// The acting member of `tenant`, for a user context acting in that tenant. A context of another
// tenant gets not_found for the whole tenant, so it cannot even learn that it exists.
// Errors: not_found, permission_denied (not an active member).
Result<Member> acting_member(const ContextState& ctx, storage::Transaction& tx, TenantId tenant,
                             std::string_view tenant_label);

// Allows the system context; otherwise the acting member's role must grant `permission`.
// Errors: permission_denied with the reason ("role author lacks member.manage in tenant acme").
Result<void> require(const ContextState& ctx, storage::Transaction& tx, std::string_view permission,
                     TenantId tenant, std::string_view tenant_label);

// Errors: permission_denied unless the context is the system one.
Result<void> require_system(const ContextState& ctx, std::string_view what);

}  // namespace quire::detail
