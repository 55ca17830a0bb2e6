// The Permission engine: the documented matrix, ownership, per-item grants, custom roles, and
// decisions that explain themselves.

#include <map>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

// The matrix as docs/permissions.md documents it: the lowest built-in role that has each
// permission. Written out again here on purpose, as the specification the code must meet.
const std::map<std::string, int> documented = {
    {"tenant.read", 0},     {"member.read", 0},   {"post.read", 0},        {"post.create", 1},
    {"post.update.own", 1}, {"version.read", 1},  {"post.publish.own", 2}, {"post.delete.own", 2},
    {"post.update", 3},     {"post.publish", 3},  {"post.delete", 3},      {"version.restore", 3},
    {"member.manage", 4},   {"audit.read", 4},    {"audit.export", 4},     {"role.manage", 4},
    {"key.manage", 4},      {"tenant.manage", 5},
};
const std::vector<std::string> roles = {"viewer", "contributor", "author",
                                        "editor", "admin",       "owner"};

struct Team {
  EngineFixture<SqliteMemory> f;
  std::map<std::string, Context> as;  // a member of each built-in role
  std::map<std::string, User> user;
  Context admin;

  Team() : admin(f.system) {
    must(f.system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"}));
    for (const auto& role : roles) {
      user.emplace(role, f.make_user(role));
      must(f.system.tenants().add_member("acme", user.at(role).id, role));
      as.emplace(role, must(f.db.context("acme", user.at(role).id)));
    }
    admin = must(f.db.system("acme"));
  }
};

}  // namespace

TEST_CASE("permissions: every built-in role against every permission, as documented") {
  Team t;
  CHECK(PermissionEngine::all_permissions().size() == documented.size());
  for (std::size_t rank = 0; rank < roles.size(); ++rank) {
    for (const auto& [permission, lowest] : documented) {
      CAPTURE(roles[rank]);
      CAPTURE(permission);
      auto decision = must(t.as.at(roles[rank]).permissions().check(permission));
      CHECK(decision.allowed == (static_cast<int>(rank) >= lowest));
      CHECK(decision.reason.rfind(decision.allowed ? "allowed: role " : "denied: role ", 0) == 0);
    }
  }
}

TEST_CASE("permissions: own, other's and granted posts, for every role") {
  Team t;
  // One post written by the author, one by the editor (someone else's for everybody but them).
  auto own_of_author = must(t.as.at("author").posts().create({.title = "Author's"}));
  auto someone_elses = must(t.as.at("editor").posts().create({.title = "Editor's"}));
  const std::vector<std::string> post_permissions = {"post.update", "post.publish", "post.delete",
                                                     "version.restore"};
  for (std::size_t rank = 0; rank < roles.size(); ++rank) {
    const auto& role = roles[rank];
    auto ctx = t.as.at(role);
    for (const auto& permission : post_permissions) {
      CAPTURE(role);
      CAPTURE(permission);
      const bool has = static_cast<int>(rank) >= documented.at(permission);
      const auto own = documented.find(permission + ".own");
      const bool has_own = own != documented.end() && static_cast<int>(rank) >= own->second;
      const bool is_author = role == "author";
      auto on_own = must(ctx.permissions().check(
          permission, ResourceRef{"post", std::to_string(own_of_author.id)}));
      CHECK(on_own.allowed == (has || (is_author && has_own)));
      auto on_other = must(ctx.permissions().check(
          permission, ResourceRef{"post", std::to_string(someone_elses.id)}));
      CHECK(on_other.allowed == (has || (role == "editor")));
    }
  }
  // Grants widen exactly their level, for the one post.
  const auto viewer = t.user.at("viewer").id;
  const ResourceRef item{"post", std::to_string(someone_elses.id)};
  auto& as_viewer = t.as.at("viewer");
  for (auto [level, update, publish] :
       {std::tuple{GrantLevel::read, false, false}, std::tuple{GrantLevel::write, true, false},
        std::tuple{GrantLevel::admin, true, true}}) {
    CAPTURE(grant_level_name(level));
    must(t.admin.permissions().grant(viewer, item, level));
    auto decision = must(as_viewer.permissions().check("post.update", item));
    CHECK(decision.allowed == update);
    if (update) CHECK(decision.reason.find("grant") != std::string::npos);
    CHECK(must(as_viewer.permissions().check("post.publish", item)).allowed == publish);
    CHECK(must(as_viewer.permissions().check("version.read", item)).allowed);
  }
  const ResourceRef other_item{"post", std::to_string(own_of_author.id)};
  CHECK_FALSE(must(as_viewer.permissions().check("post.update", other_item)).allowed);
}

TEST_CASE("permissions: a grant lets a viewer see and edit one draft, until revoked") {
  Team t;
  auto draft = must(t.as.at("editor").posts().create({.title = "Shared draft"}));
  auto& as_viewer = t.as.at("viewer");
  const auto viewer = t.user.at("viewer").id;
  const ResourceRef item{"post", std::to_string(draft.id)};
  expect_error(as_viewer.posts().get(draft.id), Errc::not_found);
  must(t.admin.permissions().grant(viewer, item, GrantLevel::read));
  CHECK(must(as_viewer.posts().get(draft.id)).title == "Shared draft");
  expect_error(as_viewer.posts().update(draft.id, 1, {.body = "x"}), Errc::permission_denied);
  must(t.admin.permissions().grant(viewer, item, GrantLevel::write));
  must(as_viewer.posts().update(draft.id, 1, {.body = "edited by a viewer"}));
  expect_error(as_viewer.posts().publish(draft.id), Errc::permission_denied);
  must(t.admin.permissions().revoke(viewer, item));
  expect_error(as_viewer.posts().get(draft.id), Errc::not_found);
  expect_error(t.admin.permissions().revoke(viewer, item), Errc::not_found);
  // Only member managers grant, only to members, only on posts that exist.
  expect_error(t.as.at("editor").permissions().grant(viewer, item, GrantLevel::admin),
               Errc::permission_denied);
  expect_error(t.admin.permissions().grant(424242, item, GrantLevel::read), Errc::not_found);
  expect_error(t.admin.permissions().grant(viewer, {"post", "999999"}, GrantLevel::read),
               Errc::not_found);
  expect_error(t.admin.permissions().grant(viewer, {"tenant", "1"}, GrantLevel::read),
               Errc::invalid_argument);
}

TEST_CASE("permissions: custom roles, bounded by who defines them") {
  Team t;
  auto& as_admin = t.as.at("admin");
  auto reviewer = must(as_admin.permissions().define_role(
      "reviewer", {"post.update", "post.read", "version.read", "post.read"}));
  CHECK(reviewer.permissions ==
        std::vector<std::string>{"post.read", "post.update", "version.read"});
  auto newcomer = t.f.make_user("newcomer");
  must(as_admin.tenants().add_member("acme", newcomer.id, "reviewer"));
  auto as_reviewer = must(t.f.db.context("acme", newcomer.id));
  auto post = must(t.as.at("editor").posts().create({.title = "Needs review"}));
  must(as_reviewer.posts().update(post.id, 1, {.body = "reviewed"}));
  auto why = expect_error(as_reviewer.posts().publish(post.id), Errc::permission_denied);
  CHECK(why.find("role reviewer") != std::string::npos);
  expect_error(as_reviewer.posts().create({.title = "x"}), Errc::permission_denied);
  CHECK(must(as_reviewer.permissions().check("post.update")).allowed);

  auto listed = must(as_admin.permissions().roles());
  CHECK(listed.size() == 7);
  CHECK(listed.back().name == "reviewer");
  CHECK_FALSE(listed.back().builtin);

  // Nobody defines a role stronger than they are, or gives one away above their rank.
  expect_error(as_admin.permissions().define_role("boss", {"tenant.manage"}),
               Errc::permission_denied);
  must(t.admin.permissions().define_role("boss", {"tenant.manage", "tenant.read"}));
  expect_error(as_admin.tenants().set_role("acme", newcomer.id, "boss"), Errc::permission_denied);
  expect_error(as_admin.permissions().define_role("owner", {"post.read"}), Errc::invalid_argument);
  expect_error(as_admin.permissions().define_role("typo", {"post.reed"}), Errc::invalid_argument);
  expect_error(as_admin.permissions().define_role("Bad Name", {"post.read"}),
               Errc::invalid_argument);
  expect_error(t.as.at("editor").permissions().define_role("mine", {"post.read"}),
               Errc::permission_denied);
  // A role in use stays; an unused one goes.
  expect_error(as_admin.permissions().delete_role("reviewer"), Errc::conflict);
  must(as_admin.tenants().set_role("acme", newcomer.id, "viewer"));
  must(as_admin.permissions().delete_role("reviewer"));
  expect_error(as_admin.permissions().delete_role("reviewer"), Errc::not_found);
  expect_error(as_admin.permissions().delete_role("editor"), Errc::invalid_argument);
  // Defining and deleting roles is audited.
  AuditQuery q;
  q.resource_type = "role";
  CHECK(must(t.admin.audit().query(q)).items.size() >= 3);
}

TEST_CASE("permissions: checks answer questions and are not audited as attempts") {
  Team t;
  AuditQuery denied;
  denied.outcome = "denied";
  const auto before = must(t.admin.audit().query(denied)).items.size();
  auto decision = must(t.as.at("viewer").permissions().check("tenant.manage"));
  CHECK_FALSE(decision.allowed);
  CHECK(decision.reason == "denied: role viewer lacks tenant.manage");
  CHECK(must(t.admin.audit().query(denied)).items.size() == before);
  expect_error(t.as.at("viewer").permissions().check("no.such"), Errc::invalid_argument);
  // A real attempt is audited.
  expect_error(t.as.at("viewer").tenants().update("acme", {.name = "x"}), Errc::permission_denied);
  CHECK(must(t.admin.audit().query(denied)).items.size() == before + 1);
}
