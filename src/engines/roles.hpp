#pragma once
// The built-in roles and what each may do: the one place the matrix lives. Each role has every
// permission of the roles below it: owner ⊇ admin ⊇ editor ⊇ author ⊇ contributor ⊇ viewer.

#include <optional>
#include <quire/result.hpp>
#include <span>
#include <string_view>

namespace quire::detail {

// viewer < contributor < author < editor < admin < owner
std::span<const std::string_view> builtin_roles() noexcept;
// The role's rank (0 for viewer), or nullopt for a name that is not a built-in role.
std::optional<int> role_rank(std::string_view role) noexcept;
bool role_has(std::string_view role, std::string_view permission) noexcept;

// Every permission of the matrix, in its order.
std::span<const std::string_view> known_permissions() noexcept;
// The rank of the lowest built-in role that has the permission; nullopt for an unknown one.
std::optional<int> permission_rank(std::string_view permission) noexcept;

// Errors: invalid_argument naming the built-in roles.
Result<void> check_role(std::string_view role) noexcept;
// A well-formed role name, built-in or custom: [a-z][a-z0-9_-]{0,63}.
Result<void> check_role_name(std::string_view role) noexcept;

}  // namespace quire::detail
