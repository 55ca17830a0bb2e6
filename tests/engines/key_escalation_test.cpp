// API keys cannot climb the role ladder (issue 17, findings 1-3): nobody creates, rotates or
// revokes a key with a scope they lack; a key minted by a key acts for the person behind its
// parent; and at every use a key does at most what that person's current role allows.

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

template <class B>
struct KeyFixture : EngineFixture<B> {
  User olivia = this->make_user("olivia");  // owner of acme
  User alice = this->make_user("alice");    // admin of acme
  bool acme_made = make_acme();
  Context as_olivia = must(this->db.context("acme", olivia.id));
  Context as_alice = must(this->db.context("acme", alice.id));

  bool make_acme() {
    must(this->system.tenants().create({.slug = "acme", .name = "Acme"}));
    must(this->system.tenants().add_member("acme", olivia.id, "owner"));
    must(this->system.tenants().add_member("acme", alice.id, "admin"));
    return true;
  }
};

bool denied(const Result<IssuedKey>& result) {
  return result.has_error() && result.error().code == Errc::permission_denied;
}

}  // namespace

TEST_CASE_TEMPLATE("keys: nobody rotates or revokes a key wider than themselves", B,
                   QUIRE_TEST_BACKENDS) {
  KeyFixture<B> f;
  auto owners = must(
      f.as_olivia.keys().create({.name = "owner's", .scopes = {"tenant.manage", "post.read"}}));

  // An admin holds key.manage but not tenant.manage: rotating the owner's key would hand her a
  // working secret that changes the tenant.
  auto why = expect_error(f.as_alice.keys().rotate(owners.key.id), Errc::permission_denied);
  CHECK(why == "denied: role admin lacks tenant.manage, so it may not rotate API key " +
                   std::to_string(owners.key.id) + ", which has it");
  expect_error(f.as_alice.keys().revoke(owners.key.id), Errc::permission_denied);
  must(f.db.context_from_key(owners.text));  // still the owner's, and working

  // A key holding only key.manage cannot rotate a wider key either, nor mint one.
  auto manager = must(f.as_olivia.keys().create({.name = "manager", .scopes = {"key.manage"}}));
  auto as_manager = must(f.db.context_from_key(manager.text));
  CHECK(denied(as_manager.keys().rotate(owners.key.id)));
  expect_error(as_manager.keys().revoke(owners.key.id), Errc::permission_denied);
  CHECK(denied(as_manager.keys().create({.name = "wider", .scopes = {"post.read"}})));

  // Within one's own permissions it all still works.
  auto alices = must(f.as_alice.keys().create({.name = "alice's", .scopes = {"post.read"}}));
  must(f.as_alice.keys().rotate(alices.key.id));
  must(as_manager.keys().rotate(manager.key.id));
  must(f.as_olivia.keys().rotate(owners.key.id));
  must(f.as_alice.keys().revoke(alices.key.id));
  // Every refusal was audited as denied.
  auto audit = must(f.db.system("acme")).audit();
  AuditQuery denials;
  denials.outcome = "denied";
  CHECK(must(audit.query(denials)).items.size() == 5);
}

TEST_CASE_TEMPLATE("keys: a key minted by a key acts for the person behind its parent", B,
                   QUIRE_TEST_BACKENDS) {
  KeyFixture<B> f;
  auto parent =
      must(f.as_alice.keys().create({.name = "parent", .scopes = {"key.manage", "post.read"}}));
  auto as_parent = must(f.db.context_from_key(parent.text));
  // Its scopes stay within the parent's.
  CHECK(denied(as_parent.keys().create({.name = "wider", .scopes = {"post.create"}})));
  auto child = must(as_parent.keys().create({.name = "child", .scopes = {"post.read"}}));
  CHECK(child.key.created_by == f.alice.id);
  auto as_child = must(f.db.context_from_key(child.text));
  must(as_child.posts().list());

  SUBCASE("it stops when that person is deactivated") {
    must(f.as_alice.keys().revoke(parent.key.id));
    must(f.system.users().deactivate(f.alice.id));
    CHECK(expect_error(as_child.posts().list(), Errc::permission_denied).find("deactivated") !=
          std::string::npos);
    expect_error(f.db.context_from_key(child.text), Errc::unauthenticated);
  }
  SUBCASE("it stops when that person leaves the tenant") {
    must(f.system.tenants().remove_member("acme", f.alice.id));
    CHECK(
        expect_error(as_child.posts().list(), Errc::permission_denied).find("no longer a member") !=
        std::string::npos);
    expect_error(f.db.context_from_key(child.text), Errc::unauthenticated);
  }
  SUBCASE("keys the system makes keep working, and so do theirs") {
    auto system_acme = must(f.db.system("acme"));
    auto made =
        must(system_acme.keys().create({.name = "ops", .scopes = {"key.manage", "post.read"}}));
    CHECK(made.key.created_by == 0);
    auto as_made = must(f.db.context_from_key(made.text));
    auto grandchild = must(as_made.keys().create({.name = "ops child", .scopes = {"post.read"}}));
    CHECK(grandchild.key.created_by == 0);
    must(must(f.db.context_from_key(grandchild.text)).posts().list());
  }
}

TEST_CASE_TEMPLATE("keys: at every use a key does at most what its creator's role allows now", B,
                   QUIRE_TEST_BACKENDS) {
  KeyFixture<B> f;
  auto key = must(f.as_alice.keys().create(
      {.name = "wide", .scopes = {"member.read", "audit.read", "post.create", "post.read"}}));
  auto as_key = must(f.db.context_from_key(key.text));
  must(as_key.audit().query({}));
  must(as_key.posts().create({.title = "before"}));

  // Demoted to viewer: the key loses audit.read and post.create at once, in the context already
  // open too, and keeps what a viewer may do.
  must(f.system.tenants().set_role("acme", f.alice.id, "viewer"));
  auto why = expect_error(as_key.audit().query({}), Errc::permission_denied);
  CHECK(why.find("within role viewer of user") != std::string::npos);
  expect_error(as_key.posts().create({.title = "after"}), Errc::permission_denied);
  must(as_key.posts().list());
  must(must(f.db.context_from_key(key.text)).tenants().members("acme"));

  // Promoted back: the scopes return (the key itself never changed).
  must(f.system.tenants().set_role("acme", f.alice.id, "admin"));
  must(as_key.audit().query({}));

  // Removed: the key stops altogether.
  must(f.system.tenants().remove_member("acme", f.alice.id));
  expect_error(as_key.posts().list(), Errc::permission_denied);
  expect_error(f.db.context_from_key(key.text), Errc::unauthenticated);
}
