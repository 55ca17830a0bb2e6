// The Tenant engine through the public API: lifecycle, plans and quotas, memberships, permissions
// and tenant isolation. Every refusal is checked to leave the database as it was.

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

TEST_CASE_TEMPLATE("tenants: create and get by id, slug and domain", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  const Timestamp before = now_ms();
  auto acme = must(f.system.tenants().create(
      {.slug = "acme", .name = "  Acme Corp ", .plan = "pro", .domain = "Blog.Acme.TEST"}));
  CHECK(acme.id > 0);
  CHECK(acme.name == "Acme Corp");  // trimmed
  CHECK(acme.plan == "pro");
  CHECK(acme.domain == std::optional<std::string>("blog.acme.test"));  // lower-cased
  CHECK(acme.settings == "{}");
  CHECK(acme.is_active);
  CHECK(acme.created_at >= before);
  CHECK(acme.created_at == acme.updated_at);
  CHECK_FALSE(acme.deleted_at);

  CHECK(must(f.system.tenants().get(acme.id)).slug == "acme");
  CHECK(must(f.system.tenants().get("acme")).id == acme.id);
  CHECK(must(f.system.tenants().get_by_domain("BLOG.acme.test")).id == acme.id);

  auto defaulted = must(f.system.tenants().create({.slug = "beta", .name = "Beta"}));
  CHECK(defaulted.plan == "free");  // Options::default_plan
}

TEST_CASE_TEMPLATE("tenants: settings are a JSON object, stored compactly", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto t = must(f.system.tenants().create(
      {.slug = "acme", .name = "Acme", .settings = R"( { "retention" : 10 } )"}));
  CHECK(t.settings == R"({"retention":10})");
  const auto before = f.snapshot();
  expect_error(f.system.tenants().create({.slug = "b1", .name = "B", .settings = "[1,2]"}),
               Errc::invalid_argument);
  auto msg = expect_error(f.system.tenants().update("acme", {.settings = "{not json"}),
                          Errc::invalid_argument);
  // Deep nesting would exhaust the stack of whoever dumps it: refused, whatever the size.
  const std::string deep = R"({"a":)" + std::string(20000, '[') + std::string(20000, ']') + "}";
  CHECK(expect_error(f.system.tenants().update("acme", {.settings = deep}), Errc::invalid_argument)
            .find("nest") != std::string::npos);
  CHECK(msg.find("settings") != std::string::npos);
  CHECK(f.snapshot() == before);
}

TEST_CASE_TEMPLATE("tenants: bad input is refused with the rule and changes nothing", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  must(f.system.tenants().create({.slug = "acme", .name = "Acme", .domain = "acme.test"}));
  const auto before = f.snapshot();

  struct Case {
    NewTenant input;
    Errc code;
    const char* names;  // the field the message must name
  };
  const std::string long_slug = "a" + std::string(63, 'b');  // 64 characters
  const std::vector<Case> cases = {
      {{.slug = "", .name = "X"}, Errc::invalid_argument, "slug"},
      {{.slug = "Acme", .name = "X"}, Errc::invalid_argument, "slug"},
      {{.slug = "a", .name = "X"}, Errc::invalid_argument, "slug"},
      {{.slug = "1abc", .name = "X"}, Errc::invalid_argument, "slug"},
      {{.slug = "ab_c", .name = "X"}, Errc::invalid_argument, "slug"},
      {{.slug = "héllo", .name = "X"}, Errc::invalid_argument, "slug"},
      {{.slug = long_slug, .name = "X"}, Errc::invalid_argument, "slug"},
      {{.slug = "okay", .name = ""}, Errc::invalid_argument, "name"},
      {{.slug = "okay", .name = "   "}, Errc::invalid_argument, "name"},
      {{.slug = "okay", .name = std::string(201, 'n')}, Errc::invalid_argument, "name"},
      {{.slug = "okay", .name = "bad\x01name"}, Errc::invalid_argument, "name"},
      {{.slug = "okay", .name = "bad \xff utf8"}, Errc::invalid_argument, "name"},
      {{.slug = "okay", .name = "X", .plan = "platinum"}, Errc::invalid_argument, "plan"},
      {{.slug = "okay", .name = "X", .domain = "not a domain"}, Errc::invalid_argument, "domain"},
      {{.slug = "okay", .name = "X", .domain = "localhost"}, Errc::invalid_argument, "domain"},
      {{.slug = "okay", .name = "X", .domain = "-bad.test"}, Errc::invalid_argument, "domain"},
      {{.slug = "acme", .name = "Again"}, Errc::already_exists, "acme"},
      {{.slug = "okay", .name = "X", .domain = "ACME.test"}, Errc::already_exists, "domain"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input.slug);
    CAPTURE(c.input.name);
    auto msg = expect_error(f.system.tenants().create(c.input), c.code);
    CHECK_MESSAGE(msg.find(c.names) != std::string::npos, msg);
  }
  CHECK(f.snapshot() == before);
  CHECK(must(f.system.tenants().create({.slug = long_slug.substr(0, 63), .name = "Max"})).id > 0);
}

TEST_CASE_TEMPLATE("tenants: unknown tenants are not_found", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto user = f.make_user("alice");
  const auto before = f.snapshot();
  CHECK(expect_error(f.system.tenants().get("ghost"), Errc::not_found).find("ghost") !=
        std::string::npos);
  expect_error(f.system.tenants().get(TenantId{4242}), Errc::not_found);
  expect_error(f.system.tenants().get_by_domain("ghost.test"), Errc::not_found);
  expect_error(f.system.tenants().update("ghost", {.name = "X"}), Errc::not_found);
  expect_error(f.system.tenants().deactivate("ghost"), Errc::not_found);
  expect_error(f.system.tenants().remove("ghost"), Errc::not_found);
  expect_error(f.system.tenants().add_member("ghost", user.id, "viewer"), Errc::not_found);
  expect_error(f.system.tenants().members("ghost"), Errc::not_found);
  expect_error(f.db.context("ghost", user.id), Errc::not_found);
  expect_error(f.system.tenants().get(""), Errc::invalid_argument);
  CHECK(f.snapshot() == before);
}

TEST_CASE_TEMPLATE("tenants: partial update", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto t = must(f.system.tenants().create({.slug = "acme", .name = "Acme", .domain = "a.test"}));
  auto renamed = must(f.system.tenants().update("acme", {.name = "Acme Inc"}));
  CHECK(renamed.name == "Acme Inc");
  CHECK(renamed.domain == t.domain);  // untouched
  CHECK(renamed.plan == t.plan);
  CHECK(renamed.updated_at >= t.updated_at);
  CHECK(renamed.created_at == t.created_at);
  auto cleared = must(f.system.tenants().update(t.id, {.domain = std::optional<std::string>()}));
  CHECK_FALSE(cleared.domain);
  auto moved = must(f.system.tenants().update(t.id, {.plan = "pro", .domain = "New.test"}));
  CHECK(moved.domain == std::optional<std::string>("new.test"));
  CHECK(moved.plan == "pro");
  CHECK(must(f.system.tenants().get("acme")).name == "Acme Inc");
}

TEST_CASE_TEMPLATE("tenants: deactivate, activate, delete and restore", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  auto t = must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  must(f.system.tenants().add_member("acme", alice.id, "editor"));
  must(f.db.context("acme", alice.id));

  CHECK_FALSE(must(f.system.tenants().deactivate("acme")).is_active);
  CHECK(expect_error(f.db.context("acme", alice.id), Errc::permission_denied).find("deactivated") !=
        std::string::npos);
  TenantQuery active_only;
  active_only.include_inactive = false;
  CHECK(must(f.system.tenants().list(active_only)).items.empty());
  CHECK(must(f.system.tenants().activate("acme")).is_active);
  must(f.db.context("acme", alice.id));

  auto deleted = must(f.system.tenants().remove("acme"));
  REQUIRE(deleted.deleted_at);
  CHECK(must(f.system.tenants().remove("acme")).deleted_at == deleted.deleted_at);  // idempotent
  expect_error(f.db.context("acme", alice.id), Errc::not_found);
  CHECK(must(f.system.tenants().list()).items.empty());
  TenantQuery trash;
  trash.include_deleted = true;
  CHECK(must(f.system.tenants().list(trash)).items.size() == 1);
  CHECK(must(f.system.tenants().get(t.id)).deleted_at);  // still readable by id
  expect_error(f.system.tenants().add_member("acme", f.make_user("bob").id, "viewer"),
               Errc::conflict);

  CHECK_FALSE(must(f.system.tenants().restore("acme")).deleted_at);
  must(f.db.context("acme", alice.id));  // memberships survived the trash
}

TEST_CASE_TEMPLATE("tenants: list pages stay correct while tenants are added", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  for (int i = 0; i < 5; ++i) {
    must(f.system.tenants().create({.slug = "t" + std::to_string(i), .name = "T"}));
  }
  TenantQuery query;
  query.limit = 2;
  std::vector<std::string> seen;
  for (int page_no = 0;; ++page_no) {
    auto page = must(f.system.tenants().list(query));
    for (const auto& t : page.items) seen.push_back(t.slug);
    if (page_no == 0) must(f.system.tenants().create({.slug = "late", .name = "Late"}));
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  CHECK(seen == std::vector<std::string>{"t0", "t1", "t2", "t3", "t4", "late"});

  query.cursor = "not-a-cursor!";
  expect_error(f.system.tenants().list(query), Errc::invalid_argument);
  query.cursor.clear();
  query.limit = 0;
  expect_error(f.system.tenants().list(query), Errc::invalid_argument);
  query.limit = 1001;
  expect_error(f.system.tenants().list(query), Errc::invalid_argument);
}

TEST_CASE_TEMPLATE("tenants: the plan's member quota is enforced", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  must(f.system.tenants().create({.slug = "small", .name = "Small", .plan = "free"}));
  for (int i = 0; i < 5; ++i) {
    must(f.system.tenants().add_member("small", f.make_user("u" + std::to_string(i)).id, "viewer"));
  }
  auto extra = f.make_user("extra");
  const auto before = f.snapshot();
  auto msg = expect_error(f.system.tenants().add_member("small", extra.id, "viewer"),
                          Errc::quota_exceeded);
  CHECK(msg.find("free") != std::string::npos);
  CHECK(msg.find('5') != std::string::npos);
  CHECK(f.snapshot() == before);

  must(f.system.tenants().update("small", {.plan = "pro"}));
  must(f.system.tenants().add_member("small", extra.id, "viewer"));
  // Six members no longer fit the free plan: the downgrade is refused.
  expect_error(f.system.tenants().update("small", {.plan = "free"}), Errc::quota_exceeded);
  CHECK(must(f.system.tenants().get("small")).plan == "pro");
}

TEST_CASE_TEMPLATE("tenants: plans and their quotas come from Options", B, QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.plans = {{"solo", 1, 10}, {"team", 3, 100}};
  options.default_plan = "solo";
  EngineFixture<B> f(options);
  auto t = must(f.system.tenants().create({.slug = "me", .name = "Me"}));
  CHECK(t.plan == "solo");
  must(f.system.tenants().add_member("me", f.make_user("one").id, "owner"));
  expect_error(f.system.tenants().add_member("me", f.make_user("two").id, "viewer"),
               Errc::quota_exceeded);
  expect_error(f.system.tenants().create({.slug = "x1", .name = "X", .plan = "free"}),
               Errc::invalid_argument);
}

TEST_CASE_TEMPLATE("tenants: memberships add, change and remove", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  auto bob = f.make_user("bob");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  auto m = must(f.system.tenants().add_member("acme", alice.id, "owner"));
  CHECK(m.role == "owner");
  CHECK(m.joined_at > 0);
  must(f.system.tenants().add_member("acme", bob.id, "viewer"));

  const auto before = f.snapshot();
  expect_error(f.system.tenants().add_member("acme", bob.id, "editor"), Errc::already_exists);
  CHECK(expect_error(f.system.tenants().add_member("acme", alice.id, "superuser"),
                     Errc::invalid_argument)
            .find("role") != std::string::npos);
  expect_error(f.system.tenants().add_member("acme", 999999, "viewer"), Errc::not_found);
  expect_error(f.system.tenants().set_role("acme", bob.id, "root"), Errc::invalid_argument);
  expect_error(f.system.tenants().set_role("acme", 999999, "viewer"), Errc::not_found);
  expect_error(f.system.tenants().remove_member("acme", 999999), Errc::not_found);
  CHECK(f.snapshot() == before);

  CHECK(must(f.system.tenants().set_role("acme", bob.id, "editor")).role == "editor");
  auto members = must(f.system.tenants().members("acme"));
  REQUIRE(members.size() == 2);
  CHECK(members[1].role == "editor");
  must(f.system.tenants().remove_member("acme", bob.id));
  CHECK(must(f.system.tenants().members("acme")).size() == 1);
  expect_error(f.db.context("acme", bob.id), Errc::permission_denied);

  must(f.system.users().deactivate(bob.id));
  expect_error(f.system.tenants().add_member("acme", bob.id, "viewer"), Errc::conflict);
}

TEST_CASE_TEMPLATE("tenants: roles decide what a member may do, with the reason", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto owner = f.make_user("owner");
  auto admin = f.make_user("admin");
  auto viewer = f.make_user("viewer");
  auto newcomer = f.make_user("newcomer");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  must(f.system.tenants().add_member("acme", owner.id, "owner"));
  must(f.system.tenants().add_member("acme", admin.id, "admin"));
  must(f.system.tenants().add_member("acme", viewer.id, "viewer"));

  auto as_viewer = must(f.db.context("acme", viewer.id));
  CHECK(must(as_viewer.tenants().get("acme")).name == "Acme");
  CHECK(must(as_viewer.tenants().members("acme")).size() == 3);
  const auto before = f.snapshot();
  auto why =
      expect_error(as_viewer.tenants().update("acme", {.name = "Mine"}), Errc::permission_denied);
  CHECK(why == "denied: role viewer lacks tenant.manage in tenant acme");
  expect_error(as_viewer.tenants().add_member("acme", newcomer.id, "viewer"),
               Errc::permission_denied);
  expect_error(as_viewer.tenants().create({.slug = "mine", .name = "Mine"}),
               Errc::permission_denied);

  auto as_admin = must(f.db.context("acme", admin.id));
  expect_error(as_admin.tenants().update("acme", {.name = "Admin's"}), Errc::permission_denied);
  // An admin manages members up to their own rank, never an owner.
  expect_error(as_admin.tenants().add_member("acme", newcomer.id, "owner"),
               Errc::permission_denied);
  expect_error(as_admin.tenants().set_role("acme", owner.id, "viewer"), Errc::permission_denied);
  expect_error(as_admin.tenants().remove_member("acme", owner.id), Errc::permission_denied);
  expect_error(as_admin.tenants().deactivate("acme"), Errc::permission_denied);
  CHECK(f.snapshot() == before);

  // Admins bring people in by invitation (add_member is the system context's).
  f.invite_and_accept(as_admin, "acme", newcomer, "editor");
  must(as_admin.tenants().set_role("acme", newcomer.id, "author"));
  must(as_admin.tenants().remove_member("acme", newcomer.id));

  auto as_owner = must(f.db.context("acme", owner.id));
  CHECK(must(as_owner.tenants().update("acme", {.name = "Owned"})).name == "Owned");
  f.invite_and_accept(as_owner, "acme", newcomer, "owner");
}

TEST_CASE_TEMPLATE("tenants: a context never crosses into another tenant", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  auto bob = f.make_user("bob");
  must(f.system.tenants().create({.slug = "aaa", .name = "A", .domain = "a.test"}));
  auto b = must(f.system.tenants().create({.slug = "bbb", .name = "B", .domain = "b.test"}));
  must(f.system.tenants().add_member("aaa", alice.id, "owner"));
  must(f.system.tenants().add_member("bbb", bob.id, "owner"));

  // Alice is nobody in bbb.
  expect_error(f.db.context("bbb", alice.id), Errc::permission_denied);
  auto ctx = must(f.db.context("aaa", alice.id));
  const auto before = f.snapshot();
  // Another tenant looks exactly like a tenant that does not exist.
  CHECK(expect_error(ctx.tenants().get("bbb"), Errc::not_found) == "tenant \"bbb\" not found");
  expect_error(ctx.tenants().get(b.id), Errc::not_found);
  expect_error(ctx.tenants().get_by_domain("b.test"), Errc::not_found);
  expect_error(ctx.tenants().members("bbb"), Errc::not_found);
  expect_error(ctx.tenants().update("bbb", {.name = "Pwned"}), Errc::not_found);
  expect_error(ctx.tenants().add_member("bbb", alice.id, "owner"), Errc::not_found);
  expect_error(ctx.tenants().remove_member("bbb", bob.id), Errc::not_found);
  expect_error(ctx.users().get(bob.id), Errc::not_found);
  auto listed = must(ctx.tenants().list());
  REQUIRE(listed.items.size() == 1);
  CHECK(listed.items[0].slug == "aaa");
  CHECK(f.snapshot() == before);
}
