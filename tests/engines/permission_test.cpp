// The Permission engine: the documented matrix, ownership, per-item grants, custom roles, and
// decisions that explain themselves.

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engines/raw_sqlite.hpp"
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

template <class B = SqliteMemory>
struct Team {
  EngineFixture<B> f;
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
  t.f.invite_and_accept(as_admin, "acme", newcomer, "reviewer");
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

namespace {

// ---- docs/permissions.md, read as the specification -------------------------------------------

struct DocumentedRules {
  std::vector<std::string> roles;                             // the matrix's columns
  std::map<std::string, std::set<std::string>> role_has;      // role → its permissions
  std::map<std::string, std::set<std::string>> grant_allows;  // read/write/admin → permissions
  std::set<std::string> permissions;                          // every one in the matrix
};

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// "a, b, also c" → {a, b, c}
std::vector<std::string> listed(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    auto item = trimmed(text.substr(start, comma - start));
    if (item.rfind("also ", 0) == 0) item = trimmed(item.substr(5));
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

// The cells of a Markdown table row, trimmed.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = line.find('|') + 1;
  for (auto bar = line.find('|', start); bar != std::string::npos; bar = line.find('|', start)) {
    out.push_back(trimmed(std::string_view(line).substr(start, bar - start)));
    start = bar + 1;
  }
  return out;
}

DocumentedRules documented_rules() {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
                    "docs" / "permissions.md";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read ", path.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  DocumentedRules rules;
  // The matrix: a header naming the roles, then one row per group of permissions.
  auto row = std::find_if(lines.begin(), lines.end(),
                          [](const std::string& l) { return l.rfind("| permission |", 0) == 0; });
  REQUIRE(row != lines.end());
  const auto header = cells(*row);
  rules.roles.assign(header.begin() + 1, header.end());
  for (row += 2; row != lines.end() && row->rfind("|", 0) == 0; ++row) {
    const auto columns = cells(*row);
    REQUIRE(columns.size() == rules.roles.size() + 1);
    for (const auto& permission : listed(columns[0])) {
      CHECK_MESSAGE(rules.permissions.insert(permission).second, permission, " listed twice");
      for (std::size_t r = 0; r < rules.roles.size(); ++r) {
        const auto& mark = columns[r + 1];
        REQUIRE_MESSAGE((mark.empty() || mark == "\u2713"), "unexpected cell ", mark);
        if (!mark.empty()) rules.role_has[rules.roles[r]].insert(permission);
      }
    }
  }
  // Grants: "`read` → post.read, version.read; `write` → also post.update; `admin` → also …".
  std::string prose;
  for (const auto& line : lines) prose += trimmed(line) + " ";
  std::set<std::string> so_far;
  for (const char* level : {"read", "write", "admin"}) {
    const std::string marker = std::string("`") + level + "` \u2192 ";
    const auto at = prose.find(marker);
    REQUIRE_MESSAGE(at != std::string::npos, "no ", marker, " in docs/permissions.md");
    const auto from = at + marker.size();
    const auto end = std::min(prose.find(';', from), prose.find(". ", from));
    for (const auto& permission : listed(std::string_view(prose).substr(from, end - from))) {
      CHECK_MESSAGE(rules.permissions.count(permission) == 1, permission, " is not in the matrix");
      so_far.insert(permission);
    }
    rules.grant_allows[level] = so_far;  // each level adds to the one below ("also")
  }
  return rules;
}

// One of the resources a check can be about.
struct Target {
  std::string name;
  std::optional<PostId> post;       // none: the tenant as a whole
  bool own = false;                 // written by the asking user
  std::optional<GrantLevel> grant;  // the asking user's grant on it
};

}  // namespace

TEST_CASE_TEMPLATE("permissions: the whole cube of roles, permissions and posts, as documented", B,
                   QUIRE_TEST_BACKENDS) {
  const auto rules = documented_rules();
  // The docs and the code name the same roles and the same permissions.
  CHECK(rules.roles == roles);
  std::set<std::string> in_code;
  for (const auto permission : PermissionEngine::all_permissions()) in_code.emplace(permission);
  CHECK(in_code == rules.permissions);
  REQUIRE(rules.grant_allows.at("read") == std::set<std::string>{"post.read", "version.read"});

  Team<B> t;
  // Someone else's posts for every role: one without grants, one per grant level.
  auto writer = t.f.make_user("writer");
  must(t.f.system.tenants().add_member("acme", writer.id, "author"));
  auto as_writer = must(t.f.db.context("acme", writer.id));
  auto others = must(as_writer.posts().create({.title = "Someone else's"}));
  std::map<GrantLevel, Post> granted;
  for (const auto level : {GrantLevel::read, GrantLevel::write, GrantLevel::admin}) {
    granted.emplace(level, must(as_writer.posts().create(
                               {.title = "Granted " + std::string(grant_level_name(level))})));
    for (const auto& role : roles) {
      must(t.admin.permissions().grant(t.user.at(role).id,
                                       {"post", std::to_string(granted.at(level).id)}, level));
    }
  }
  // Each role's own post; the viewer's was written when they were a contributor.
  std::map<std::string, Post> own;
  must(t.admin.tenants().set_role("acme", t.user.at("viewer").id, "contributor"));
  for (const auto& role : roles)
    own.emplace(role, must(t.as.at(role).posts().create({.title = role})));
  must(t.admin.tenants().set_role("acme", t.user.at("viewer").id, "viewer"));
  // Published, so every member sees them and the operations below fail only for want of a right.
  for (const auto& post : {others, granted.at(GrantLevel::read), granted.at(GrantLevel::write),
                           granted.at(GrantLevel::admin)}) {
    must(t.admin.posts().publish(post.id));
  }
  for (const auto& [role, post] : own) must(t.admin.posts().publish(post.id));

  std::size_t checked = 0;
  for (const auto& role : roles) {
    const std::vector<Target> targets = {
        {"no resource", std::nullopt, false, std::nullopt},
        {"own post", own.at(role).id, true, std::nullopt},
        {"other's post", others.id, false, std::nullopt},
        {"other's post, read grant", granted.at(GrantLevel::read).id, false, GrantLevel::read},
        {"other's post, write grant", granted.at(GrantLevel::write).id, false, GrantLevel::write},
        {"other's post, admin grant", granted.at(GrantLevel::admin).id, false, GrantLevel::admin},
    };
    const auto& has =
        rules.role_has.count(role) ? rules.role_has.at(role) : std::set<std::string>{};
    auto& ctx = t.as.at(role);
    for (const auto& permission : rules.permissions) {
      for (const auto& target : targets) {
        CAPTURE(role);
        CAPTURE(permission);
        CAPTURE(target.name);
        // The order the docs give: the role, then ownership (<permission>.own), then a grant.
        const bool by_role = has.count(permission) == 1;
        const bool by_ownership = target.own && has.count(permission + ".own") == 1;
        const bool by_grant =
            target.grant &&
            rules.grant_allows.at(std::string(grant_level_name(*target.grant))).count(permission);
        std::optional<ResourceRef> resource;
        if (target.post) resource = ResourceRef{"post", std::to_string(*target.post)};
        const auto decision = must(ctx.permissions().check(permission, resource));
        CHECK(decision.allowed == (by_role || by_ownership || by_grant));
        if (by_role) {
          CHECK(decision.reason == "allowed: role " + role + " has " + permission);
        } else if (by_ownership) {
          CHECK(decision.reason ==
                "allowed: role " + role + " has " + permission + ".own on its own post");
        } else if (by_grant) {
          CHECK(decision.reason.find("has a " + std::string(grant_level_name(*target.grant)) +
                                     " grant on post " + std::to_string(*target.post)) !=
                std::string::npos);
        } else {
          CHECK(decision.reason.rfind("denied: role " + role + " lacks " + permission, 0) == 0);
        }
        ++checked;
      }
    }
  }
  CHECK(checked == roles.size() * rules.permissions.size() * 6);

  // The engines enforce what check() answers: update (post.update), archive (post.publish) and
  // remove (post.delete) on each post, for each role.
  for (const auto& role : roles) {
    auto& ctx = t.as.at(role);
    const auto& has =
        rules.role_has.count(role) ? rules.role_has.at(role) : std::set<std::string>{};
    for (const auto& [post, level] : std::vector<std::pair<Post, std::optional<GrantLevel>>>{
             {own.at(role), std::nullopt},
             {others, std::nullopt},
             {granted.at(GrantLevel::read), GrantLevel::read},
             {granted.at(GrantLevel::write), GrantLevel::write},
             {granted.at(GrantLevel::admin), GrantLevel::admin}}) {
      const bool is_own = post.id == own.at(role).id;
      const auto may = [&](const std::string& permission) {
        return has.count(permission) == 1 || (is_own && has.count(permission + ".own") == 1) ||
               (level &&
                rules.grant_allows.at(std::string(grant_level_name(*level))).count(permission) ==
                    1);
      };
      CAPTURE(role);
      CAPTURE(post.title);
      // Each attempt succeeds exactly when allowed; a success is put back by the system.
      const auto attempt = [&](const std::string& permission, Result<Post> result,
                               const std::function<Result<Post>()>& undo) {
        CAPTURE(permission);
        if (!may(permission)) {
          expect_error(result, Errc::permission_denied);
          return;
        }
        CHECK_MESSAGE(result.has_value(), result.error().message);
        if (undo) must(undo());
      };
      const auto current = must(t.admin.posts().get(post.id));
      attempt("post.update", ctx.posts().update(post.id, current.version, {.body = "by " + role}),
              {});
      attempt("post.publish", ctx.posts().archive(post.id),
              [&] { return t.admin.posts().publish(post.id); });
      attempt("post.delete", ctx.posts().remove(post.id),
              [&] { return t.admin.posts().restore(post.id); });
    }
  }
}

TEST_CASE("permissions: a grant's audit entry records the level it replaced") {
  Team t;
  auto post = must(t.as.at("editor").posts().create({.title = "Shared"}));
  const ResourceRef item{"post", std::to_string(post.id)};
  const auto viewer = t.user.at("viewer").id;
  must(t.admin.permissions().grant(viewer, item, GrantLevel::read));
  must(t.admin.permissions().grant(viewer, item, GrantLevel::admin));
  AuditQuery query;
  query.action = "grant.add";
  const auto entries = must(t.admin.audit().query(query)).items;
  REQUIRE(entries.size() == 2);  // newest first
  CHECK_FALSE(entries[1].old_values);
  CHECK(entries[1].new_values.value_or("").find("\"read\"") != std::string::npos);
  CHECK(entries[0].old_values.value_or("").find("\"read\"") != std::string::npos);
  CHECK(entries[0].new_values.value_or("").find("\"admin\"") != std::string::npos);
}

TEST_CASE("permissions: check() on an unpublished post answers as get() does") {
  Team t;
  auto draft = must(t.as.at("editor").posts().create({.title = "Editor's draft"}));
  auto own = must(t.as.at("author").posts().create({.title = "Author's draft"}));
  const ResourceRef item{"post", std::to_string(draft.id)};
  auto& viewer = t.as.at("viewer");
  for (const auto* permission : {"post.read", "version.read"}) {
    CAPTURE(permission);
    // A role that may read, but not this draft: denied with the reason, as get() finds nothing.
    auto decision = must(t.as.at("author").permissions().check(permission, item));
    CHECK_FALSE(decision.allowed);
    CHECK(decision.reason.find("is not published") != std::string::npos);
    // The author's own draft, and any draft for an editor.
    CHECK(must(t.as.at("author").permissions().check(permission,
                                                     ResourceRef{"post", std::to_string(own.id)}))
              .allowed);
    CHECK(must(t.as.at("editor").permissions().check(permission, item)).allowed);
  }
  expect_error(t.as.at("author").posts().get(draft.id), Errc::not_found);
  CHECK_FALSE(must(viewer.permissions().check("post.read", item)).allowed);
  must(t.admin.permissions().grant(t.user.at("viewer").id, item, GrantLevel::read));
  CHECK(must(viewer.permissions().check("post.read", item)).allowed);
  CHECK(must(viewer.posts().get(draft.id)).id == draft.id);
  must(t.admin.permissions().revoke(t.user.at("viewer").id, item));
  must(t.as.at("editor").posts().publish(draft.id));
  CHECK(must(viewer.permissions().check("post.read", item)).allowed);
  CHECK(must(t.as.at("author").permissions().check("post.read", item)).allowed);
}

TEST_CASE_TEMPLATE("permissions: a deactivated tenant's members lose access at once", B,
                   QUIRE_TEST_BACKENDS) {
  Team<B> t;
  auto& editor = t.as.at("editor");
  auto post = must(editor.posts().create({.title = "Before"}));
  // An API key of the admin's and one of the system context's, opened before as well.
  auto by_admin =
      must(t.as.at("admin").keys().create({.name = "admin's", .scopes = {"post.read"}}));
  auto by_system = must(t.admin.keys().create({.name = "system's", .scopes = {"post.read"}}));
  auto as_admin_key = must(t.f.db.context_from_key(by_admin.text));
  auto as_system_key = must(t.f.db.context_from_key(by_system.text));
  must(editor.posts().publish(post.id));
  CHECK(must(as_admin_key.posts().get(post.id)).title == "Before");

  must(t.f.system.tenants().deactivate("acme"));
  // The contexts were opened before: they are refused all the same, for reads and writes.
  for (auto* ctx : {&editor, &as_admin_key, &as_system_key}) {
    const auto message = expect_error(ctx->posts().get(post.id), Errc::permission_denied);
    CHECK(message.find("tenant") != std::string::npos);
    CHECK(message.find("deactivated") != std::string::npos);
  }
  expect_error(editor.posts().create({.title = "After"}), Errc::permission_denied);
  CHECK_FALSE(must(editor.permissions().check("post.create")).allowed);
  must(t.f.system.tenants().activate("acme"));
  CHECK(must(editor.posts().get(post.id)).title == "Before");
  CHECK(must(as_system_key.posts().get(post.id)).title == "Before");

  // A key whose creator is deactivated stops working at once; the system's key does not.
  must(t.f.system.users().deactivate(t.user.at("admin").id));
  const auto message = expect_error(as_admin_key.posts().get(post.id), Errc::permission_denied);
  CHECK(message.find("deactivated") != std::string::npos);
  CHECK(must(as_system_key.posts().get(post.id)).title == "Before");
}

// Checks remember what a reader connection read (members, post authors, grants) for as long as
// the file is unchanged. Any commit, from anywhere, must be seen by the very next check.
TEST_CASE(
    "permissions: a check sees every commit at once, from this handle, another or another "
    "program") {
  Team<SqliteFile> t;
  auto post = must(t.as.at("editor").posts().create({.title = "Editor's"}));
  const ResourceRef item{"post", std::to_string(post.id)};
  auto& author = t.as.at("author");
  const auto author_id = t.user.at("author").id;
  const auto may_update = [&] {
    return must(author.permissions().check("post.update", item)).allowed;
  };
  // Asked twice: the second answer may come from what the reader remembers.
  CHECK_FALSE(may_update());
  CHECK_FALSE(may_update());

  SUBCASE("a grant and its revocation through this handle") {
    must(t.admin.permissions().grant(author_id, item, GrantLevel::write));
    CHECK(may_update());
    CHECK(may_update());
    must(t.admin.permissions().revoke(author_id, item));
    CHECK_FALSE(may_update());
  }
  SUBCASE("a role changed through a second handle on the same file") {
    auto other = must(Database::open(t.f.kind.url(), test_options()));
    must(other.system().tenants().set_role("acme", author_id, "editor"));
    CHECK(may_update());
    must(other.system().tenants().set_role("acme", author_id, "author"));
    CHECK_FALSE(may_update());
    must(other.system().users().deactivate(author_id));
    const auto decision = must(author.permissions().check("post.create"));
    CHECK_FALSE(decision.allowed);
    CHECK(decision.reason.find("deactivated") != std::string::npos);
  }
  SUBCASE("rows changed by another program") {
    const auto file = t.f.kind.dir_->path() / "test.db";
    raw_exec(file,
             "UPDATE members SET role = 'editor' WHERE user_id = " + std::to_string(author_id));
    CHECK(may_update());
    raw_exec(file, "UPDATE posts SET author_id = " + std::to_string(author_id) +
                       ", status = 'published' WHERE id = " + std::to_string(post.id));
    raw_exec(file,
             "UPDATE members SET role = 'author' WHERE user_id = " + std::to_string(author_id));
    CHECK(may_update());  // now the author's own post
  }
  SUBCASE("nothing a rolled-back transaction read is remembered") {
    // Inside the transaction the author's new post exists, and the check says so; after the
    // rollback the post never was.
    PostId made = 0;
    const auto rolled_back = t.f.db.transaction(author, [&](Context& tx) -> Result<void> {
      made = must(tx.posts().create({.title = "Never committed"})).id;
      CHECK(must(tx.permissions().check("post.update", ResourceRef{"post", std::to_string(made)}))
                .allowed);
      return fail(Errc::conflict, "changed my mind");
    });
    REQUIRE_FALSE(rolled_back);
    expect_error(
        author.permissions().check("post.update", ResourceRef{"post", std::to_string(made)}),
        Errc::not_found);
  }
}
