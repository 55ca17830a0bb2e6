// The user engine through the public API: accounts, their rules, their visibility across tenants.

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

TEST_CASE_TEMPLATE("users: create, normalise and read back", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = must(f.system.users().create({.username = "alice",
                                             .email = "  Alice@Example.TEST ",
                                             .password = "correct horse",
                                             .display_name = " Alice L. "}));
  CHECK(alice.id > 0);
  CHECK(alice.email == "alice@example.test");
  CHECK(alice.display_name == "Alice L.");
  CHECK(alice.is_active);
  CHECK(must(f.system.users().get(alice.id)).username == "alice");
  CHECK(must(f.system.users().get_by_username("alice")).id == alice.id);
  expect_error(f.system.users().get(424242), Errc::not_found);
  expect_error(f.system.users().get_by_username("nobody"), Errc::not_found);
}

TEST_CASE_TEMPLATE("users: bad input is refused with the rule and changes nothing", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  f.make_user("alice");
  const auto before = f.snapshot();
  struct Case {
    NewUser input;
    Errc code;
    const char* names;
  };
  const std::vector<Case> cases = {
      {{.username = "", .email = "x@y.test", .password = "long enough"},
       Errc::invalid_argument,
       "username"},
      {{.username = "Bob", .email = "x@y.test", .password = "long enough"},
       Errc::invalid_argument,
       "username"},
      {{.username = "bo b", .email = "x@y.test", .password = "long enough"},
       Errc::invalid_argument,
       "username"},
      {{.username = std::string(65, 'b'), .email = "x@y.test", .password = "long enough"},
       Errc::invalid_argument,
       "username"},
      {{.username = "bob", .email = "", .password = "long enough"},
       Errc::invalid_argument,
       "email"},
      {{.username = "bob", .email = "bob", .password = "long enough"},
       Errc::invalid_argument,
       "email"},
      {{.username = "bob", .email = "bob@@y.test", .password = "long enough"},
       Errc::invalid_argument,
       "email"},
      {{.username = "bob", .email = "bob@localhost", .password = "long enough"},
       Errc::invalid_argument,
       "email"},
      {{.username = "bob", .email = "bob@y.test", .password = ""},
       Errc::invalid_argument,
       "password"},
      {{.username = "bob", .email = "bob@y.test", .password = "short"},
       Errc::invalid_argument,
       "password"},
      {{.username = "bob", .email = "bob@y.test", .password = std::string(4097, 'p')},
       Errc::invalid_argument,
       "password"},
      {{.username = "bob",
        .email = "bob@y.test",
        .password = "long enough",
        .display_name = std::string(201, 'd')},
       Errc::invalid_argument,
       "display_name"},
      {{.username = "alice", .email = "new@y.test", .password = "long enough"},
       Errc::already_exists,
       "username"},
      {{.username = "bob", .email = "ALICE@example.test", .password = "long enough"},
       Errc::already_exists,
       "email"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input.username);
    CAPTURE(c.input.email);
    auto msg = expect_error(f.system.users().create(c.input), c.code);
    CHECK_MESSAGE(msg.find(c.names) != std::string::npos, msg);
  }
  CHECK(f.snapshot() == before);
}

TEST_CASE_TEMPLATE("users: update, rename and change the password", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  f.make_user("bob");
  auto updated = must(f.system.users().update(alice.id, {.display_name = "Alice"}));
  CHECK(updated.display_name == "Alice");
  CHECK(updated.email == alice.email);
  updated = must(f.system.users().update(alice.id, {.username = "alice2", .email = "A2@x.test"}));
  CHECK(updated.username == "alice2");
  CHECK(updated.email == "a2@x.test");

  const auto before = f.snapshot();
  expect_error(f.system.users().update(alice.id, {.username = "bob"}), Errc::already_exists);
  expect_error(f.system.users().update(alice.id, {.email = "bob@example.test"}),
               Errc::already_exists);
  expect_error(f.system.users().update(alice.id, {.email = "nope"}), Errc::invalid_argument);
  expect_error(f.system.users().update(424242, {.display_name = "x"}), Errc::not_found);
  expect_error(f.system.users().set_password(alice.id, ""), Errc::invalid_argument);
  expect_error(f.system.users().set_password(424242, "long enough"), Errc::not_found);
  CHECK(f.snapshot() == before);
  must(f.system.users().set_password(alice.id, "a new long password"));
}

TEST_CASE_TEMPLATE("users: a user sees themselves and the members of their tenant only", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  auto carol = f.make_user("carol");
  auto bob = f.make_user("bob");
  must(f.system.tenants().create({.slug = "aaa", .name = "A"}));
  must(f.system.tenants().create({.slug = "bbb", .name = "B"}));
  must(f.system.tenants().add_member("aaa", alice.id, "viewer"));
  must(f.system.tenants().add_member("aaa", carol.id, "editor"));
  must(f.system.tenants().add_member("bbb", bob.id, "owner"));

  auto ctx = must(f.db.context("aaa", alice.id));
  CHECK(must(ctx.users().get(alice.id)).username == "alice");
  CHECK(must(ctx.users().get(carol.id)).username == "carol");
  CHECK(must(ctx.users().get_by_username("carol")).id == carol.id);
  // Bob is in another tenant: to Alice he does not exist.
  CHECK(expect_error(ctx.users().get(bob.id), Errc::not_found) ==
        "user " + std::to_string(bob.id) + " not found");
  expect_error(ctx.users().get_by_username("bob"), Errc::not_found);
  auto page = must(ctx.users().list());
  REQUIRE(page.items.size() == 2);
  CHECK(page.items[0].id == alice.id);
  CHECK(page.items[1].id == carol.id);

  const auto before = f.snapshot();
  CHECK(must(ctx.users().update(alice.id, {.display_name = "Me"})).display_name == "Me");
  const auto after_own = f.snapshot();
  CHECK(after_own != before);
  expect_error(ctx.users().update(carol.id, {.display_name = "Hacked"}), Errc::permission_denied);
  expect_error(ctx.users().set_password(carol.id, "long enough"), Errc::permission_denied);
  expect_error(ctx.users().create({.username = "eve", .email = "e@x.test", .password = "12345678"}),
               Errc::permission_denied);
  expect_error(ctx.users().deactivate(carol.id), Errc::permission_denied);
  CHECK(f.snapshot() == after_own);
}

TEST_CASE_TEMPLATE("users: deactivation cuts access at once, even for open contexts", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  must(f.system.tenants().add_member("acme", alice.id, "owner"));
  auto ctx = must(f.db.context("acme", alice.id));
  CHECK_FALSE(must(f.system.users().deactivate(alice.id)).is_active);
  expect_error(ctx.tenants().update("acme", {.name = "Still mine?"}), Errc::permission_denied);
  expect_error(ctx.tenants().get("acme"), Errc::permission_denied);
  expect_error(f.db.context("acme", alice.id), Errc::permission_denied);
  CHECK(must(f.system.users().activate(alice.id)).is_active);
  must(ctx.tenants().get("acme"));
}

TEST_CASE_TEMPLATE("users: a deactivated account's open context cannot change its own account", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  must(f.system.tenants().add_member("acme", alice.id, "owner"));
  auto ctx = must(f.db.context("acme", alice.id));
  must(f.system.users().deactivate(alice.id));
  const auto before = f.snapshot();
  auto updated = ctx.users().update(alice.id, {.email = "new@example.test"});
  expect_error(updated, Errc::permission_denied);
  CHECK(updated.error().message.find("deactivated") != std::string::npos);
  auto password = ctx.users().set_password(alice.id, "a new password");
  expect_error(password, Errc::permission_denied);
  CHECK(password.error().message.find("deactivated") != std::string::npos);
  CHECK(f.snapshot() == before);  // neither the email nor updated_at (the password's) moved
}

TEST_CASE_TEMPLATE("users: system lists every account, page by page", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  for (int i = 0; i < 5; ++i) f.make_user("user" + std::to_string(i));
  UserQuery query;
  query.limit = 2;
  std::vector<std::string> names;
  for (;;) {
    auto page = must(f.system.users().list(query));
    for (const auto& u : page.items) names.push_back(u.username);
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  CHECK(names == std::vector<std::string>{"user0", "user1", "user2", "user3", "user4"});
}
