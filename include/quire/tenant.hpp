#pragma once
// The Tenant engine: tenants, their plans and quotas, and memberships of users in tenants.

#include <quire/quire_export.h>

#include <memory>
#include <optional>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <string>

namespace quire {

namespace detail {
struct ContextState;
}

struct Tenant {
  TenantId id = 0;
  std::string slug;  // [a-z][a-z0-9-]{1,62}, unique
  std::string name;
  std::string plan;
  std::optional<std::string> domain;  // lower-case host name, unique
  std::string settings = "{}";        // a JSON object
  bool is_active = true;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  std::optional<Timestamp> deleted_at;  // set while the tenant is in the trash
};

struct NewTenant {
  std::string slug;
  std::string name;
  std::string plan;  // empty: Options::default_plan
  std::optional<std::string> domain;
  std::string settings = "{}";
};

// A partial update: only the fields that hold a value change.
struct TenantPatch {
  std::optional<std::string> name;
  std::optional<std::string> plan;
  std::optional<std::optional<std::string>> domain;  // {std::nullopt} clears the domain
  std::optional<std::string> settings;
};

struct TenantQuery {
  bool include_inactive = true;
  bool include_deleted = false;
  unsigned limit = 50;  // 1..1000
  std::string cursor;   // from a previous Page::next_cursor
};

struct Member {
  TenantId tenant_id = 0;
  UserId user_id = 0;
  std::string role;  // owner, admin, editor, author, contributor, viewer
  Timestamp joined_at = 0;
};

// Reached through Context::tenants(). Creating, deactivating, deleting and restoring tenants is for
// the system context; a member may read their own tenant, and its owners and admins manage it.
class QUIRE_EXPORT TenantEngine {
 public:
  explicit TenantEngine(std::shared_ptr<detail::ContextState> ctx) noexcept;

  // Errors: invalid_argument (slug, name, plan, domain or settings), already_exists (slug, domain).
  [[nodiscard]] Result<Tenant> create(const NewTenant& input) noexcept;
  // Errors: not_found. Tenants in the trash are returned too, with deleted_at set.
  [[nodiscard]] Result<Tenant> get(const TenantRef& tenant) noexcept;
  [[nodiscard]] Result<Tenant> get_by_domain(std::string_view domain) noexcept;
  // Ordered by id; keyset-paginated.
  [[nodiscard]] Result<Page<Tenant>> list(const TenantQuery& query = {}) noexcept;
  // Errors: not_found, invalid_argument, already_exists (domain).
  [[nodiscard]] Result<Tenant> update(const TenantRef& tenant, const TenantPatch& patch) noexcept;
  // A deactivated tenant keeps its data, but no context can be opened on it.
  [[nodiscard]] Result<Tenant> deactivate(const TenantRef& tenant) noexcept;
  [[nodiscard]] Result<Tenant> activate(const TenantRef& tenant) noexcept;
  // Soft delete: moves the tenant to the trash; `restore` brings it back.
  [[nodiscard]] Result<Tenant> remove(const TenantRef& tenant) noexcept;
  [[nodiscard]] Result<Tenant> restore(const TenantRef& tenant) noexcept;

  // Errors: not_found (tenant, user), already_exists, invalid_argument (role), quota_exceeded.
  [[nodiscard]] Result<Member> add_member(const TenantRef& tenant, UserId user,
                                          std::string_view role) noexcept;
  [[nodiscard]] Result<Member> set_role(const TenantRef& tenant, UserId user,
                                        std::string_view role) noexcept;
  [[nodiscard]] Result<void> remove_member(const TenantRef& tenant, UserId user) noexcept;
  // Ordered by user id.
  [[nodiscard]] Result<std::vector<Member>> members(const TenantRef& tenant) noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
