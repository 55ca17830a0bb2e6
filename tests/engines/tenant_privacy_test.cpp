// Another tenant is indistinguishable from one that does not exist (issue 17, finding 7): every
// operation a context of tenant B aims at tenant A fails with the very message a tenant that does
// not exist gives, word for word, whichever way A is named (id, slug, domain).

#include <functional>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

TEST_CASE_TEMPLATE("tenants: another tenant's errors read as for a tenant that does not exist", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  auto bob = f.make_user("bob");
  auto a = must(f.system.tenants().create({.slug = "alpha", .name = "Alpha", .domain = "a.test"}));
  must(f.system.tenants().create({.slug = "beta", .name = "Beta"}));
  must(f.system.tenants().add_member("alpha", alice.id, "owner"));
  must(f.system.tenants().add_member("beta", bob.id, "owner"));
  const TenantId ghost_id = a.id + 1000;

  auto as_bob = must(f.db.context("beta", bob.id));
  auto key = must(as_bob.keys().create(
      {.name = "k", .scopes = {"tenant.read", "tenant.manage", "member.read", "member.manage"}}));
  auto as_key = must(f.db.context_from_key(key.text));
  const auto before = f.snapshot();

  for (auto* ctx : {&as_bob, &as_key}) {
    CAPTURE(ctx->actor().type);
    auto& tenants = *ctx;
    // Each operation, aimed at a tenant named `ref`.
    const std::vector<std::pair<const char*, std::function<std::string(const TenantRef&)>>> ops = {
        {"get",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().get(r), Errc::not_found);
         }},
        {"update",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().update(r, {.name = "Pwned"}), Errc::not_found);
         }},
        {"members",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().members(r), Errc::not_found);
         }},
        {"add_member",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().add_member(r, bob.id, "viewer"), Errc::not_found);
         }},
        {"set_role",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().set_role(r, alice.id, "viewer"), Errc::not_found);
         }},
        {"remove_member",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().remove_member(r, alice.id), Errc::not_found);
         }},
        {"deactivate",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().deactivate(r), Errc::not_found);
         }},
        {"remove",
         [&](const TenantRef& r) {
           return expect_error(tenants.tenants().remove(r), Errc::not_found);
         }},
    };
    for (const auto& [name, op] : ops) {
      CAPTURE(name);
      CHECK(op(a.id) == "tenant " + std::to_string(a.id) + " not found");
      CHECK(op(ghost_id) == "tenant " + std::to_string(ghost_id) + " not found");
      CHECK(op("alpha") == "tenant \"alpha\" not found");
      CHECK(op("ghost") == "tenant \"ghost\" not found");
    }
    CHECK(expect_error(tenants.tenants().get_by_domain("a.test"), Errc::not_found) ==
          "no tenant has domain \"a.test\"");
    CHECK(expect_error(tenants.tenants().get_by_domain("ghost.test"), Errc::not_found) ==
          "no tenant has domain \"ghost.test\"");
  }
  CHECK(f.snapshot() == before);
}
