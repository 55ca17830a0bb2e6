// Invitations (issue 17, finding 11): a tenant's admins add people by invitation, and only the
// system context adds a member directly. Before, an admin could add any account of the database
// to their tenant without its consent and then read its username and e-mail; the first test fails
// on that code. Every refusal is checked to leave the database as it was.

#include <chrono>
#include <thread>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

// acme (plan free: 5 members) with an owner, an admin and an editor; beta with its own admin; and
// an outsider, a member of neither.
template <class B>
struct Invitations {
  EngineFixture<B> f;
  User owner = f.make_user("owner"), admin = f.make_user("admin"), editor = f.make_user("editor");
  User beta_admin = f.make_user("betaadmin"), outsider = f.make_user("outsider");
  Context as_owner, as_admin, as_editor, as_beta;

  explicit Invitations(Options options = test_options())
      : f(options),
        as_owner(setup(f.db)),
        as_admin(must(f.db.context("acme", admin.id))),
        as_editor(must(f.db.context("acme", editor.id))),
        as_beta(must(f.db.context("beta", beta_admin.id))) {}

  Context setup(Database& db) {
    auto system = db.system();
    must(system.tenants().create({.slug = "acme", .name = "Acme"}));
    must(system.tenants().create({.slug = "beta", .name = "Beta"}));
    must(system.tenants().add_member("acme", owner.id, "owner"));
    must(system.tenants().add_member("acme", admin.id, "admin"));
    must(system.tenants().add_member("acme", editor.id, "editor"));
    must(system.tenants().add_member("beta", beta_admin.id, "admin"));
    return must(db.context("acme", owner.id));
  }

  Context user(const User& account) { return must(f.db.user_context(account.id)); }

  std::vector<AuditEntry> entries(std::string action) {
    AuditQuery query;
    query.action = std::move(action);
    return must(must(f.db.system("acme")).audit().query(query)).items;
  }
};

}  // namespace

TEST_CASE_TEMPLATE("invitations: an admin cannot add an account of the database directly", B,
                   QUIRE_TEST_BACKENDS) {
  Invitations<B> t;
  const auto before = t.f.snapshot();
  for (auto* ctx : {&t.as_admin, &t.as_owner}) {
    const auto why = expect_error(ctx->tenants().add_member("acme", t.outsider.id, "viewer"),
                                  Errc::permission_denied);
    CHECK(why.find("invite") != std::string::npos);
  }
  // Without the membership, the account stays out of sight.
  expect_error(t.as_admin.users().get(t.outsider.id), Errc::not_found);
  expect_error(t.as_admin.users().get_by_username("outsider"), Errc::not_found);
  for (const auto& user : must(t.as_admin.users().list()).items) CHECK(user.id != t.outsider.id);
  CHECK(t.f.snapshot() == before);
  // A viewer is told what they lack, as before; the system context still adds directly.
  must(t.f.system.tenants().add_member("acme", t.outsider.id, "viewer"));
  auto as_viewer = must(t.f.db.context("acme", t.outsider.id));
  CHECK(expect_error(as_viewer.tenants().add_member("acme", t.beta_admin.id, "viewer"),
                     Errc::permission_denied)
            .find("lacks member.manage") != std::string::npos);
}

TEST_CASE_TEMPLATE("invitations: invite, then the invitee accepts from their own context", B,
                   QUIRE_TEST_BACKENDS) {
  Invitations<B> t;
  const Timestamp start = now_ms();
  auto issued = must(t.as_admin.tenants().invite("acme", "  Outsider@Example.TEST ", "editor"));
  const auto& invitation = issued.invitation;
  CHECK(invitation.id > 0);
  CHECK(invitation.tenant_id == must(t.f.system.tenants().get("acme")).id);
  CHECK(invitation.email == "outsider@example.test");  // normalised
  CHECK(invitation.role == "editor");
  CHECK(invitation.invited_by == t.admin.id);
  CHECK(invitation.created_at >= start);
  CHECK(invitation.expires_at == invitation.created_at + std::int64_t{7} * 24 * 3600 * 1000);
  CHECK_FALSE(invitation.accepted_at);
  CHECK_FALSE(invitation.revoked_at);
  // qi_ and 32 random bytes as unpadded base64url.
  REQUIRE(issued.token.size() == 3 + 43);
  CHECK(issued.token.starts_with("qi_"));
  CHECK(issued.token.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 3) ==
        std::string::npos);
  CHECK(must(t.as_admin.tenants().invite("acme", "outsider@example.test", "editor")).token !=
        issued.token);

  auto pending = must(t.as_admin.tenants().list_invitations("acme"));
  REQUIRE(pending.items.size() == 2);
  CHECK(pending.items[0].id == invitation.id);

  // Not a member of acme, so no context of acme; the user context needs no membership.
  expect_error(t.f.db.context("acme", t.outsider.id), Errc::permission_denied);
  auto me = t.user(t.outsider);
  CHECK_FALSE(me.tenant_id());
  auto member = must(me.tenants().accept_invitation(issued.token));
  CHECK(member.user_id == t.outsider.id);
  CHECK(member.role == "editor");
  CHECK(must(t.f.db.context("acme", t.outsider.id)).tenant_id() == invitation.tenant_id);
  CHECK(must(t.as_admin.users().get(t.outsider.id)).username == "outsider");
  CHECK(must(t.as_admin.tenants().list_invitations("acme")).items.size() == 1);

  // Audited in acme's chain, never with the token.
  const auto invited = t.entries("invitation.create");
  REQUIRE(invited.size() == 2);
  CHECK(invited.front().actor_id == t.admin.id);
  const auto accepted = t.entries("invitation.accept");
  REQUIRE(accepted.size() == 1);
  CHECK(accepted[0].actor_id == t.outsider.id);
  CHECK(accepted[0].resource_id == std::to_string(invitation.id));
  const auto added = t.entries("member.add");  // newest first
  CHECK(added.front().resource_id == std::to_string(t.outsider.id));
  CHECK(added.front().seq + 1 == accepted[0].seq);  // one transaction, one after the other
  const auto exported = must(must(t.f.db.system("acme")).audit().export_text(ExportFormat::jsonl));
  CHECK(exported.find(issued.token.substr(3)) == std::string::npos);

  // The tenant-less user context reaches only the account itself.
  CHECK(must(me.users().get(t.outsider.id)).id == t.outsider.id);
  expect_error(me.users().get(t.admin.id), Errc::not_found);
  expect_error(me.users().list(), Errc::permission_denied);
  CHECK(must(me.tenants().list()).items.empty());
  expect_error(me.tenants().get("acme"), Errc::not_found);
  expect_error(me.posts().create({.title = "x"}), Errc::invalid_argument);
  expect_error(me.audit().head(), Errc::permission_denied);
}

TEST_CASE_TEMPLATE("invitations: wrong account, reuse, revocation and garbage all read the same", B,
                   QUIRE_TEST_BACKENDS) {
  Invitations<B> t;
  auto issued = must(t.as_admin.tenants().invite("acme", "outsider@example.test", "author"));
  const auto before = t.f.snapshot();
  std::vector<std::string> messages;
  const auto refused = [&](Context ctx, const std::string& token) {
    messages.push_back(expect_error(ctx.tenants().accept_invitation(token), Errc::unauthenticated));
  };
  // Another account (here beta's admin) cannot take it, even with the token.
  refused(t.user(t.beta_admin), issued.token);
  refused(t.as_beta, issued.token);
  auto flipped = issued.token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  refused(t.user(t.outsider), flipped);
  for (const std::string& garbage : std::vector<std::string>{
           "", "qi_", "qi_short", "qk_" + issued.token.substr(3), issued.token + "A",
           issued.token.substr(3), std::string(2000, 'q')}) {
    refused(t.user(t.outsider), garbage);
  }
  CHECK(t.f.snapshot() == before);

  must(t.user(t.outsider).tenants().accept_invitation(issued.token));
  must(t.f.system.tenants().remove_member("acme", t.outsider.id));
  refused(t.user(t.outsider), issued.token);  // used up

  auto second = must(t.as_admin.tenants().invite("acme", "outsider@example.test", "author"));
  must(t.as_admin.tenants().revoke_invitation("acme", second.invitation.id));
  refused(t.user(t.outsider), second.token);
  CHECK(expect_error(t.as_admin.tenants().revoke_invitation("acme", second.invitation.id),
                     Errc::not_found)
            .find("no pending invitation") != std::string::npos);
  CHECK(must(t.as_admin.tenants().list_invitations("acme")).items.empty());
  for (const auto& message : messages) CHECK(message == "invitation is not valid");
  CHECK(t.entries("invitation.revoke").size() == 1);

  // Contexts that are not a user's cannot accept at all.
  expect_error(t.f.system.tenants().accept_invitation(second.token), Errc::permission_denied);
}

TEST_CASE_TEMPLATE("invitations: expire after Options::invitation_ttl_ms", B, QUIRE_TEST_BACKENDS) {
  auto options = test_options();
  options.invitation_ttl_ms = 30;
  Invitations<B> t(options);
  auto issued = must(t.as_admin.tenants().invite("acme", "outsider@example.test", "viewer"));
  CHECK(issued.invitation.expires_at == issued.invitation.created_at + 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  const auto before = t.f.snapshot();
  CHECK(expect_error(t.user(t.outsider).tenants().accept_invitation(issued.token),
                     Errc::unauthenticated) == "invitation is not valid");
  CHECK(must(t.as_admin.tenants().list_invitations("acme")).items.empty());
  expect_error(t.as_admin.tenants().revoke_invitation("acme", issued.invitation.id),
               Errc::not_found);
  CHECK(t.f.snapshot() == before);
  options.invitation_ttl_ms = 0;
  expect_error(Database::open("sqlite::memory:", options), Errc::invalid_argument);
}

TEST_CASE_TEMPLATE("invitations: one tenant's token never joins another", B, QUIRE_TEST_BACKENDS) {
  Invitations<B> t;
  auto to_beta = must(t.as_beta.tenants().invite("beta", "outsider@example.test", "viewer"));
  auto member = must(t.user(t.outsider).tenants().accept_invitation(to_beta.token));
  CHECK(member.tenant_id == must(t.f.system.tenants().get("beta")).id);
  CHECK_FALSE(must(t.f.system.tenants().members("acme")).size() == 4);
  expect_error(t.f.db.context("acme", t.outsider.id), Errc::permission_denied);
  // acme's admins see nothing of beta's invitations, and cannot manage them.
  CHECK(must(t.as_admin.tenants().list_invitations("acme")).items.empty());
  expect_error(t.as_admin.tenants().list_invitations("beta"), Errc::not_found);
  expect_error(t.as_admin.tenants().invite("beta", "x@example.test", "viewer"), Errc::not_found);
  auto other = must(t.as_beta.tenants().invite("beta", "x@example.test", "viewer"));
  expect_error(t.as_admin.tenants().revoke_invitation("acme", other.invitation.id),
               Errc::not_found);
  expect_error(t.as_admin.tenants().revoke_invitation("beta", other.invitation.id),
               Errc::not_found);
  CHECK(must(t.as_beta.tenants().list_invitations("beta")).items.size() == 1);
}

TEST_CASE_TEMPLATE("invitations: within the inviter's rank, and member.manage to invite", B,
                   QUIRE_TEST_BACKENDS) {
  Invitations<B> t;
  const auto before = t.f.snapshot();
  CHECK(expect_error(t.as_admin.tenants().invite("acme", "x@example.test", "owner"),
                     Errc::permission_denied)
            .find("cannot manage role owner") != std::string::npos);
  CHECK(expect_error(t.as_editor.tenants().invite("acme", "x@example.test", "viewer"),
                     Errc::permission_denied)
            .find("lacks member.manage") != std::string::npos);
  expect_error(t.as_editor.tenants().list_invitations("acme"), Errc::permission_denied);
  CHECK(expect_error(t.as_admin.tenants().invite("acme", "not an address", "viewer"),
                     Errc::invalid_argument)
            .find("email") != std::string::npos);
  expect_error(t.as_admin.tenants().invite("acme", "x@example.test", "nosuchrole"),
               Errc::invalid_argument);
  expect_error(t.as_admin.tenants().invite("acme", "x@example.test", "Bad Role"),
               Errc::invalid_argument);
  CHECK(t.f.snapshot() == before);

  // An owner may invite an owner; an admin may not revoke it (above their rank).
  auto owner_invite = must(t.as_owner.tenants().invite("acme", "x@example.test", "owner"));
  expect_error(t.as_admin.tenants().revoke_invitation("acme", owner_invite.invitation.id),
               Errc::permission_denied);
  must(t.as_owner.tenants().revoke_invitation("acme", owner_invite.invitation.id));

  // Demoted after inviting: accepting still gives the invited role (the rank held at invite).
  auto invited = must(t.as_admin.tenants().invite("acme", "outsider@example.test", "admin"));
  CHECK(must(t.user(t.outsider).tenants().accept_invitation(invited.token)).role == "admin");
}

TEST_CASE_TEMPLATE("invitations: the member quota is checked at acceptance", B,
                   QUIRE_TEST_BACKENDS) {
  Invitations<B> t;  // acme is on plan free: 5 members, 3 taken
  std::vector<User> people;
  std::vector<std::string> tokens;
  for (const char* name : {"p1", "p2", "p3"}) {
    people.push_back(t.f.make_user(name));
    tokens.push_back(
        must(t.as_admin.tenants().invite("acme", people.back().email, "viewer")).token);
  }
  must(t.user(people[0]).tenants().accept_invitation(tokens[0]));
  must(t.user(people[1]).tenants().accept_invitation(tokens[1]));
  const auto before = t.f.snapshot();
  const auto heads = t.entries("member.add").size();
  expect_error(t.user(people[2]).tenants().accept_invitation(tokens[2]), Errc::quota_exceeded);
  CHECK(t.f.snapshot() == before);  // nothing half-written: the invitation is still pending
  CHECK(t.entries("member.add").size() == heads);
  CHECK(t.entries("invitation.accept").size() == 2);
  // Room again: the same token works.
  must(t.f.system.tenants().remove_member("acme", people[0].id));
  CHECK(must(t.user(people[2]).tenants().accept_invitation(tokens[2])).role == "viewer");
}

TEST_CASE_TEMPLATE("invitations: a member, a deactivated account or tenant cannot accept", B,
                   QUIRE_TEST_BACKENDS) {
  Invitations<B> t;
  auto to_editor = must(t.as_admin.tenants().invite("acme", t.editor.email, "viewer"));
  const auto before = t.f.snapshot();
  expect_error(t.as_editor.tenants().accept_invitation(to_editor.token), Errc::already_exists);
  CHECK(t.f.snapshot() == before);

  auto issued = must(t.as_admin.tenants().invite("acme", "outsider@example.test", "viewer"));
  auto me = t.user(t.outsider);
  must(t.f.system.tenants().deactivate("acme"));
  expect_error(me.tenants().accept_invitation(issued.token), Errc::unauthenticated);
  must(t.f.system.tenants().activate("acme"));
  must(t.f.system.users().deactivate(t.outsider.id));
  expect_error(me.tenants().accept_invitation(issued.token), Errc::permission_denied);
  expect_error(t.f.db.user_context(t.outsider.id), Errc::permission_denied);
  expect_error(t.f.db.user_context(424242), Errc::not_found);
  must(t.f.system.users().activate(t.outsider.id));
  must(me.tenants().accept_invitation(issued.token));
}

TEST_CASE_TEMPLATE("invitations: listings are keyset-paged", B, QUIRE_TEST_BACKENDS) {
  Invitations<B> t;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(must(t.as_admin.tenants().invite(
                           "acme", "p" + std::to_string(i) + "@example.test", "viewer"))
                      .invitation.id);
  }
  std::vector<std::int64_t> seen;
  InvitationQuery query;
  query.limit = 2;
  for (;;) {
    auto page = must(t.as_admin.tenants().list_invitations("acme", query));
    CHECK(page.items.size() <= 2);
    for (const auto& i : page.items) seen.push_back(i.id);
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  CHECK(seen == ids);
  query.limit = 0;
  expect_error(t.as_admin.tenants().list_invitations("acme", query), Errc::invalid_argument);
  query.limit = 2;
  query.cursor = "garbage";
  expect_error(t.as_admin.tenants().list_invitations("acme", query), Errc::invalid_argument);
}
