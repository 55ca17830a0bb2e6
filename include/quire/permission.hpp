#pragma once
// The Permission engine: permissions are strings ("post.update"); roles bundle them (six built-in,
// each a superset of the next: owner ⊇ admin ⊇ editor ⊇ author ⊇ contributor ⊇ viewer, plus custom
// roles per tenant); grants give one user read, write or admin on one item; ownership lets an
// author work on their own posts. Every engine enforces them itself; check() explains a decision.

#include <quire/quire_export.h>

#include <memory>
#include <optional>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

namespace detail {
struct ContextState;
}

// read: see the item; write: edit it (post.update); admin: also publish and delete it.
enum class GrantLevel : int { read = 0, write = 1, admin = 2 };

QUIRE_EXPORT std::string_view grant_level_name(GrantLevel level) noexcept;

struct Decision {
  bool allowed = false;
  std::string reason;  // "allowed: role editor has post.update", "denied: role author lacks …"
};

// An item permissions and grants can be about.
struct ResourceRef {
  std::string type;  // "post"
  std::string id;    // "42"
};

struct Role {
  std::string name;
  std::vector<std::string> permissions;  // sorted
  bool builtin = false;
};

struct Grant {
  TenantId tenant_id = 0;
  ResourceRef resource;
  UserId user_id = 0;
  GrantLevel level = GrantLevel::read;
};

// Reached through Context::permissions(); acts in the context's tenant.
class QUIRE_EXPORT PermissionEngine {
 public:
  explicit PermissionEngine(std::shared_ptr<detail::ContextState> ctx) noexcept;

  // Every permission quire knows, in the order of the built-in matrix.
  static std::span<const std::string_view> all_permissions() noexcept;

  // Whether the context's actor may do `permission` (on `resource`, when given), and why.
  // A decision is not an error: only a bad argument or a storage failure is.
  [[nodiscard]] Result<Decision> check(std::string_view permission,
                                       const std::optional<ResourceRef>& resource = {}) noexcept;

  // Grants and revokes per-item access (member.manage). Errors: not_found (user not a member,
  // or no such post), invalid_argument.
  [[nodiscard]] Result<Grant> grant(UserId user, const ResourceRef& resource,
                                    GrantLevel level) noexcept;
  [[nodiscard]] Result<void> revoke(UserId user, const ResourceRef& resource) noexcept;

  // The built-in roles and the tenant's custom ones.
  [[nodiscard]] Result<std::vector<Role>> roles() noexcept;
  // Defines or redefines a custom role (role.manage). Its permissions must be known ones, and no
  // more than the defining member has. Errors: invalid_argument, permission_denied.
  [[nodiscard]] Result<Role> define_role(std::string_view name,
                                         const std::vector<std::string>& permissions) noexcept;
  // Errors: not_found, conflict (a member still has it), invalid_argument (a built-in role).
  [[nodiscard]] Result<void> delete_role(std::string_view name) noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
