// Invitations: how a tenant's owners and admins add people. The token is 32 random bytes, handed
// out once as text (qi_ and base64url); only its BLAKE2b-256 hash is stored, the row is found by
// that hash and the hashes are compared again in constant time. Accepting takes the invitee's own
// context and an account with the invited e-mail address, so nobody joins a tenant without
// agreeing to, and an admin learns nothing of the accounts of the database.

#include <fmt/format.h>

#include <quire/tenant.hpp>

#include "core/crypto.hpp"
#include "core/cursor.hpp"
#include "core/validate.hpp"
#include "engines/api_keys.hpp"
#include "engines/authorize.hpp"
#include "engines/lookup.hpp"
#include "engines/membership.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

namespace {

constexpr std::string_view token_prefix = "qi_";
constexpr std::size_t token_bytes = 32;

// The one answer for every token that does not let its bearer in: malformed, unknown, expired,
// revoked, used, another account's, or of a tenant that is no longer active. Telling them apart
// would tell a guesser which tokens exist and whose they are.
Error not_valid() {
  return fail(Errc::unauthenticated, "invitation is not valid");
}

// The hash a token is stored and found by. Errors: unauthenticated for anything not of the form
// invite() hands out.
Result<std::string> token_hash(std::string_view token) {
  if (!token.starts_with(token_prefix)) return not_valid();
  const auto bytes = detail::base64url_decode(token.substr(token_prefix.size()));
  if (!bytes || bytes->size() != token_bytes) return not_valid();
  return detail::hash_secret(*bytes);
}

AuditRecord attempt(const detail::ContextState& ctx, std::string action, std::int64_t id) {
  return {ctx.tenant.value_or(0), std::move(action), "invitation", std::to_string(id), {}, {}};
}

// The invitation as its audit entries show it: never the token, nor its hash.
Json audited(const Invitation& invitation) {
  return {{"email", invitation.email},
          {"role", invitation.role},
          {"invited_by", invitation.invited_by},
          {"expires_at", invitation.expires_at}};
}

bool is_pending(const Invitation& invitation, Timestamp now) {
  return !invitation.accepted_at && !invitation.revoked_at && invitation.expires_at > now;
}

// The tenant an admin manages invitations of: visible to the context, and member.manage held.
Result<Tenant> managed_tenant(Unit& unit, const TenantRef& ref, const AuditRecord& attempted) {
  QUIRE_TRY(auto tenant, detail::find_visible_tenant(unit.ctx(), unit.tx(), ref));
  QUIRE_TRY(detail::require(unit, "member.manage", tenant.id, tenant.slug, attempted));
  return tenant;
}

}  // namespace

Result<IssuedInvitation> TenantEngine::invite(const TenantRef& ref, std::string_view email,
                                              std::string_view role) noexcept {
  storage::InvitationRow row;
  auto& invitation = row.invitation;
  QUIRE_TRY(invitation.email, detail::normalise_email(email));
  QUIRE_TRY(detail::check_role_name(role));
  invitation.role = std::string(role);
  invitation.invited_by = ctx_->actor.type == ActorType::user ? ctx_->actor.id : 0;
  invitation.created_at = now_ms();
  invitation.expires_at = invitation.created_at + ctx_->db->options.invitation_ttl_ms;
  const auto secret = detail::random_bytes(token_bytes);
  row.token_hash = detail::hash_secret(secret);
  IssuedInvitation issued{std::string(token_prefix) + detail::base64url_encode(secret), {}};

  return write_unit(*ctx_, [&](Unit& unit) -> Result<IssuedInvitation> {
    const auto attempted = attempt(*ctx_, "invitation.create", 0);
    QUIRE_TRY(auto tenant, managed_tenant(unit, ref, attempted));
    QUIRE_TRY(detail::check_rank(unit, tenant, role, attempted));
    if (tenant.deleted_at) {
      return fail(Errc::conflict,
                  fmt::format("tenant {} is deleted; restore it first", tenant.slug));
    }
    invitation.tenant_id = tenant.id;
    QUIRE_TRY(invitation.id, unit.tx().invitations().insert(row));
    QUIRE_TRY(unit.record({tenant.id,
                           "invitation.create",
                           "invitation",
                           std::to_string(invitation.id),
                           {},
                           audited(invitation)}));
    issued.invitation = invitation;
    return std::move(issued);
  });
}

Result<Page<Invitation>> TenantEngine::list_invitations(const TenantRef& ref,
                                                        const InvitationQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(auto after, detail::decode_id_cursor(query.cursor));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Page<Invitation>> {
    QUIRE_TRY(auto tenant, managed_tenant(unit, ref, attempt(*ctx_, "invitation.list", 0)));
    Page<Invitation> page;
    // One more tells whether another page exists.
    QUIRE_TRY(page.items,
              unit.tx().invitations().list_pending(tenant.id, now_ms(), {after, query.limit + 1}));
    if (page.items.size() > query.limit) {
      page.items.pop_back();
      page.next_cursor = detail::encode_cursor(page.items.back().id);
    }
    return page;
  });
}

Result<Invitation> TenantEngine::revoke_invitation(const TenantRef& ref, std::int64_t id) noexcept {
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Invitation> {
    const auto attempted = attempt(*ctx_, "invitation.revoke", id);
    QUIRE_TRY(auto tenant, managed_tenant(unit, ref, attempted));
    const Timestamp now = now_ms();
    QUIRE_TRY(auto found, unit.tx().invitations().find(tenant.id, id));
    if (!found || !is_pending(*found, now)) {
      return fail(Errc::not_found,
                  fmt::format("no pending invitation {} in tenant {}", id, tenant.slug));
    }
    // Nobody takes back what they could not have handed out.
    QUIRE_TRY(detail::check_rank(unit, tenant, found->role, attempted));
    found->revoked_at = now;
    QUIRE_TRY(unit.tx().invitations().update(*found));
    QUIRE_TRY(unit.record({tenant.id, "invitation.revoke", "invitation", std::to_string(id),
                           audited(*found), Json{{"revoked_at", now}}}));
    return std::move(*found);
  });
}

Result<Member> TenantEngine::accept_invitation(std::string_view token) noexcept {
  if (ctx_->actor.type != ActorType::user) {
    return write_unit(*ctx_, [&](Unit& unit) -> Result<Member> {
      return unit.deny(attempt(*ctx_, "invitation.accept", 0),
                       "denied: an invitation is accepted by the invited user, from their own "
                       "context (Database::user_context)");
    });
  }
  QUIRE_TRY(const auto presented, token_hash(token));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Member> {
    auto& tx = unit.tx();
    QUIRE_TRY(auto account, detail::find_user(tx, ctx_->actor.id));
    if (!account.user.is_active) {
      return unit.deny(attempt(*ctx_, "invitation.accept", 0),
                       fmt::format("denied: user {} is deactivated", account.user.id));
    }
    QUIRE_TRY(auto found, tx.invitations().find_by_token_hash(presented));
    if (!found || !detail::constant_time_equal(presented, found->token_hash)) return not_valid();
    auto& invitation = found->invitation;
    const Timestamp now = now_ms();
    // Both addresses are normalised (trimmed, lower-cased) on the way in.
    if (!is_pending(invitation, now) || invitation.email != account.user.email) {
      return not_valid();
    }
    QUIRE_TRY(auto tenant, tx.tenants().find(invitation.tenant_id));
    if (!tenant || tenant->deleted_at || !tenant->is_active) return not_valid();
    // The invited role may have been deleted since (a custom one): then no membership is made.
    QUIRE_TRY(detail::role_permissions(tx, tenant->id, invitation.role));
    QUIRE_TRY(auto member, detail::join(unit, *tenant, account.user.id, invitation.role,
                                        Json{{"invitation_id", invitation.id}}));
    invitation.accepted_at = now;
    invitation.accepted_by = account.user.id;
    QUIRE_TRY(tx.invitations().update(invitation));
    QUIRE_TRY(unit.record({tenant->id,
                           "invitation.accept",
                           "invitation",
                           std::to_string(invitation.id),
                           {},
                           Json{{"accepted_by", account.user.id}, {"role", invitation.role}}}));
    return member;
  });
}

}  // namespace quire
