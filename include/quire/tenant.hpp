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

// An invitation to join a tenant: the way its owners and admins add people (only the system
// context adds a member directly). Pending until it is accepted, revoked or expires.
struct Invitation {
  std::int64_t id = 0;
  TenantId tenant_id = 0;
  std::string email;      // normalised: trimmed and lower-cased
  std::string role;       // the role the membership gets
  UserId invited_by = 0;  // the inviting user; 0 for the system context or an API key
  Timestamp created_at = 0;
  Timestamp expires_at = 0;
  std::optional<Timestamp> accepted_at;
  std::optional<UserId> accepted_by;
  std::optional<Timestamp> revoked_at;
};

// What invite() returns: the token, shown only this once (quire keeps only its hash), to hand to
// the invitee, who presents it to accept_invitation().
struct IssuedInvitation {
  std::string token;  // qi_ and 43 base64url characters (32 random bytes)
  Invitation invitation;
};

struct InvitationQuery {
  unsigned limit = 50;  // 1..1000
  std::string cursor;   // from a previous Page::next_cursor
};

// Reached through Context::tenants(). Creating, deactivating, deleting and restoring tenants is for
// the system context; a member may read their own tenant, and its owners and admins manage it.
// People join a tenant by invitation: an admin invites an e-mail address with a role, and the user
// with that address accepts from their own context (Database::user_context). Only the system
// context adds an account directly, so no admin can pull in, and then read, an account of the
// database that did not agree to join.
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

  // The system context only: anyone else is permission_denied, with a reason that says to invite.
  // Errors: not_found (tenant, user), already_exists, invalid_argument (role), quota_exceeded.
  [[nodiscard]] Result<Member> add_member(const TenantRef& tenant, UserId user,
                                          std::string_view role) noexcept;
  [[nodiscard]] Result<Member> set_role(const TenantRef& tenant, UserId user,
                                        std::string_view role) noexcept;
  [[nodiscard]] Result<void> remove_member(const TenantRef& tenant, UserId user) noexcept;
  // Ordered by user id.
  [[nodiscard]] Result<std::vector<Member>> members(const TenantRef& tenant) noexcept;

  // Invites `email` to join with `role`, for Options::invitation_ttl_ms. Needs member.manage, and
  // the role may not rank above the inviter's own (as set_role). Whether an account has the
  // address is not looked at, so an invitation tells nothing about the accounts of the database.
  // Errors: not_found (tenant), invalid_argument (email, role), permission_denied, conflict (the
  // tenant is deleted).
  [[nodiscard]] Result<IssuedInvitation> invite(const TenantRef& tenant, std::string_view email,
                                                std::string_view role) noexcept;
  // The pending invitations (neither accepted, revoked nor expired), ordered by id; keyset-paged.
  // Needs member.manage. Errors: not_found (tenant), invalid_argument (limit, cursor).
  [[nodiscard]] Result<Page<Invitation>> list_invitations(
      const TenantRef& tenant, const InvitationQuery& query = {}) noexcept;
  // Revokes a pending invitation: its token stops working. Needs member.manage, and the invited
  // role within the actor's rank. Errors: not_found (no pending invitation with this id in the
  // tenant), permission_denied.
  [[nodiscard]] Result<Invitation> revoke_invitation(const TenantRef& tenant,
                                                     std::int64_t invitation) noexcept;
  // Accepts an invitation as the context's user (any context of a user: one from
  // Database::user_context, which needs no membership, or one of another tenant). The account's
  // e-mail must be the invitation's. Makes the membership with the invited role, and uses the
  // invitation up, in one transaction with their audit entries. Errors: unauthenticated
  // ("invitation is not valid", the same for a malformed, unknown, expired, revoked or used token,
  // another account's invitation, or a tenant no longer active), permission_denied (not a user
  // context, a deactivated account), already_exists (already a member), quota_exceeded (the
  // plan's members, counted now).
  [[nodiscard]] Result<Member> accept_invitation(std::string_view token) noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
