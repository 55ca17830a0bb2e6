// ErrorFacts: what a failure tells a program beside its message. A conflict over an
// expected_version names the current version, a denial the permission and the role, a quota its
// limit and plan, a refused field its name.

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

template <class T>
Error error_of(Result<T> result, Errc code) {
  REQUIRE(result.has_error());
  CHECK(result.error().code == code);
  return result.error();
}

}  // namespace

TEST_CASE_TEMPLATE("error facts: conflicts, denials, quotas and fields", B, QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.plans = {{"solo", 2, 2}};
  options.default_plan = "solo";
  EngineFixture<B> f(options);
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  const auto owner = f.make_user("olga");
  const auto viewer = f.make_user("vic");
  const auto third = f.make_user("tom");
  must(f.system.tenants().add_member("acme", owner.id, "owner"));
  must(f.system.tenants().add_member("acme", viewer.id, "viewer"));
  auto as_owner = must(f.db.context("acme", owner.id));
  auto as_viewer = must(f.db.context("acme", viewer.id));

  SUBCASE("a stale expected_version names the current one") {
    auto post = must(as_owner.posts().create({.title = "Draft"}));
    post = must(as_owner.posts().update(post.id, post.version, {.body = "v2"}));
    auto conflict = error_of(as_owner.posts().update(post.id, 1, {.body = "v3"}), Errc::conflict);
    CHECK(conflict.facts.current_version == post.version);
    CHECK(conflict.facts.permission.empty());
    // Promoting an autosave goes through the same rule.
    must(as_owner.versions().autosave(post.id, "Draft", "typed"));
    conflict = error_of(as_owner.versions().promote(post.id, 1), Errc::conflict);
    CHECK(conflict.facts.current_version == post.version);
  }

  SUBCASE("a denial names the permission and the role") {
    auto denial = error_of(as_viewer.posts().create({.title = "No"}), Errc::permission_denied);
    CHECK(denial.facts.permission == "post.create");
    CHECK(denial.facts.role == "viewer");
    denial = error_of(as_viewer.tenants().update("acme", {.name = "x"}), Errc::permission_denied);
    CHECK(denial.facts.permission == "tenant.manage");
    CHECK(denial.facts.role == "viewer");
    // An API key acts with its scopes, not a role.
    auto issued = must(as_owner.keys().create({.name = "reader", .scopes = {"post.read"}}));
    auto as_key = must(f.db.context_from_key(issued.text));
    denial = error_of(as_key.posts().create({.title = "No"}), Errc::permission_denied);
    CHECK(denial.facts.permission == "post.create");
    CHECK(denial.facts.role == "api_key");
    // Not a member any more: the action attempted, and no role.
    must(f.system.tenants().remove_member("acme", viewer.id));
    denial = error_of(as_viewer.posts().list(), Errc::permission_denied);
    CHECK_FALSE(denial.facts.permission.empty());
    CHECK(denial.facts.role.empty());
  }

  SUBCASE("a quota names itself, its limit and the plan") {
    auto full =
        error_of(f.system.tenants().add_member("acme", third.id, "viewer"), Errc::quota_exceeded);
    CHECK(full.facts.quota == "members");
    CHECK(full.facts.limit == 2);
    CHECK(full.facts.plan == "solo");
    must(as_owner.posts().create({.title = "One"}));
    must(as_owner.posts().create({.title = "Two"}));
    full = error_of(as_owner.posts().create({.title = "Three"}), Errc::quota_exceeded);
    CHECK(full.facts.quota == "posts");
    CHECK(full.facts.limit == 2);
  }

  SUBCASE("a refused field is named") {
    auto refused = error_of(as_owner.posts().create({.title = " "}), Errc::invalid_argument);
    CHECK(refused.facts.field == "title");
    refused =
        error_of(f.system.tenants().create({.slug = "A!", .name = "Bad"}), Errc::invalid_argument);
    CHECK(refused.facts.field == "slug");
    refused =
        error_of(f.system.users().create(
                     {.username = "ok", .email = "not-an-address", .password = "long enough"}),
                 Errc::invalid_argument);
    CHECK(refused.facts.field == "email");
    CHECK_FALSE(refused.facts.retryable);
  }
}
