#include "engines/roles.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>
#include <string_view>

#include "core/validate.hpp"

using quire::Errc;
using namespace quire::detail;

namespace {

constexpr std::array<std::string_view, 6> roles_low_to_high = {"viewer", "contributor", "author",
                                                               "editor", "admin",       "owner"};

struct Expected {
  std::string_view permission;
  std::string_view lowest_role;  // the lowest role that has it
};

// The whole matrix, written out again so that any change to it is deliberate.
constexpr std::array<Expected, 18> matrix = {{
    {"tenant.read", "viewer"},
    {"member.read", "viewer"},
    {"post.read", "viewer"},
    {"post.create", "contributor"},
    {"post.update.own", "contributor"},
    {"version.read", "contributor"},
    {"post.publish.own", "author"},
    {"post.delete.own", "author"},
    {"post.update", "editor"},
    {"post.publish", "editor"},
    {"post.delete", "editor"},
    {"version.restore", "editor"},
    {"member.manage", "admin"},
    {"audit.read", "admin"},
    {"audit.export", "admin"},
    {"role.manage", "admin"},
    {"key.manage", "admin"},
    {"tenant.manage", "owner"},
}};

int rank_of(std::string_view role) {
  for (std::size_t i = 0; i < roles_low_to_high.size(); ++i) {
    if (roles_low_to_high[i] == role) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

TEST_CASE("builtin_roles lists the roles from lowest to highest") {
  const auto roles = builtin_roles();
  REQUIRE(roles.size() == roles_low_to_high.size());
  for (std::size_t i = 0; i < roles.size(); ++i) {
    CAPTURE(i);
    CHECK(roles[i] == roles_low_to_high[i]);
  }
}

TEST_CASE("role_rank") {
  CHECK(role_rank("viewer") == 0);
  CHECK(role_rank("contributor") == 1);
  CHECK(role_rank("author") == 2);
  CHECK(role_rank("editor") == 3);
  CHECK(role_rank("admin") == 4);
  CHECK(role_rank("owner") == 5);
  CHECK(*role_rank("viewer") < *role_rank("contributor"));
  CHECK(*role_rank("admin") < *role_rank("owner"));
  for (const std::string_view unknown :
       {"", "Owner", "OWNER", "owner ", " owner", "superuser", "root", "member", "viewers"}) {
    CAPTURE(unknown);
    CHECK_FALSE(role_rank(unknown).has_value());
  }
}

TEST_CASE("the role matrix, permission by permission") {
  for (const auto& entry : matrix) {
    const int lowest = rank_of(entry.lowest_role);
    REQUIRE(lowest >= 0);
    for (const auto role : roles_low_to_high) {
      CAPTURE(entry.permission);
      CAPTURE(role);
      CHECK(role_has(role, entry.permission) == (rank_of(role) >= lowest));
    }
  }
}

TEST_CASE("each role has every permission of the role below it") {
  for (std::size_t i = 1; i < roles_low_to_high.size(); ++i) {
    const auto lower = roles_low_to_high[i - 1];
    const auto higher = roles_low_to_high[i];
    int lower_count = 0;
    int higher_count = 0;
    for (const auto& entry : matrix) {
      CAPTURE(lower);
      CAPTURE(higher);
      CAPTURE(entry.permission);
      if (role_has(lower, entry.permission)) {
        ++lower_count;
        CHECK(role_has(higher, entry.permission));
      }
      if (role_has(higher, entry.permission)) ++higher_count;
    }
    // And strictly more: every step up the ladder grants something.
    CHECK(higher_count > lower_count);
  }
}

TEST_CASE("role examples") {
  CHECK(role_has("viewer", "post.read"));
  CHECK(role_has("viewer", "tenant.read"));
  CHECK_FALSE(role_has("viewer", "post.create"));
  CHECK_FALSE(role_has("viewer", "version.read"));

  CHECK(role_has("contributor", "post.create"));
  CHECK(role_has("contributor", "post.update.own"));
  CHECK_FALSE(role_has("contributor", "post.publish.own"));

  CHECK(role_has("author", "post.publish.own"));
  CHECK_FALSE(role_has("author", "post.publish"));
  CHECK_FALSE(role_has("author", "post.update"));

  CHECK(role_has("editor", "post.publish"));
  CHECK(role_has("editor", "version.restore"));
  CHECK_FALSE(role_has("editor", "member.manage"));

  CHECK(role_has("admin", "member.manage"));
  CHECK(role_has("admin", "key.manage"));
  CHECK_FALSE(role_has("admin", "tenant.manage"));

  for (const auto& entry : matrix) {
    CAPTURE(entry.permission);
    CHECK(role_has("owner", entry.permission));
  }
}

TEST_CASE("unknown roles and permissions grant nothing") {
  for (const std::string_view role : {"", "Owner", "owner ", "root", "superuser", "*"}) {
    for (const auto& entry : matrix) {
      CAPTURE(role);
      CAPTURE(entry.permission);
      CHECK_FALSE(role_has(role, entry.permission));
    }
  }
  for (const auto role : roles_low_to_high) {
    CAPTURE(role);
    for (const std::string_view permission : {"", "*", "post", "post.", "Post.read", "post.read ",
                                              "post.read.own", "tenant.delete", "everything"}) {
      CAPTURE(permission);
      CHECK_FALSE(role_has(role, permission));
    }
  }
}

TEST_CASE("check_role") {
  for (const auto role : roles_low_to_high) {
    CAPTURE(role);
    CHECK(check_role(role).has_value());
  }
  for (const std::string_view role : {"", "Owner", "owner ", "root", "viewers"}) {
    CAPTURE(role);
    const auto result = check_role(role);
    REQUIRE(result.has_error());
    CHECK(result.error().code == Errc::invalid_argument);
    CHECK(result.error().message == "role " + quoted(role) +
                                        " must be one of owner, admin, editor, author, "
                                        "contributor, viewer");
  }
  const auto superuser = check_role("superuser");
  REQUIRE(superuser.has_error());
  CHECK(superuser.error().message ==
        R"(role "superuser" must be one of owner, admin, editor, author, contributor, viewer)");
  const auto control = check_role("x\ny");
  REQUIRE(control.has_error());
  CHECK(control.error().message ==
        R"(role "x\x0ay" must be one of owner, admin, editor, author, contributor, viewer)");
}
