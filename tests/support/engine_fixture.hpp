#pragma once
// A Database on one backend kind, with the helpers the engine tests share: unwrapping results and
// taking a snapshot of everything the system context can see, to prove a failure changed nothing.

#include <doctest/doctest.h>

#include <quire/quire.hpp>
#include <sstream>
#include <string>

#include "support/backends.hpp"

namespace quire::test {

template <class T>
T must(Result<T> result) {
  REQUIRE_MESSAGE(result.has_value(), result.error().message);
  return std::move(result).value();
}

inline void must(Result<void> result) {
  REQUIRE_MESSAGE(result.has_value(), result.error().message);
}

// Checks that `result` failed with `code` and returns the message for further checks.
template <class T>
std::string expect_error(const Result<T>& result, Errc code) {
  REQUIRE_MESSAGE(result.has_error(), "expected a failure with ", errc_name(code));
  CHECK_MESSAGE(result.error().code == code, "got ", errc_name(result.error().code), ": ",
                result.error().message);
  return result.error().message;
}

template <class BackendKind>
struct EngineFixture {
  BackendKind kind;
  Database db;
  Context system;

  explicit EngineFixture(Options options = test_options())
      : db(must(Database::open(kind.url(), options))), system(db.system()) {}

  User make_user(const std::string& name) {
    return must(system.users().create(
        {.username = name, .email = name + "@example.test", .password = "password-" + name}));
  }

  // How an admin brings `user` in: `by` invites the account's e-mail address with `role`, and the
  // user accepts from their own context.
  Member invite_and_accept(const Context& by, const TenantRef& tenant, const User& user,
                           std::string_view role) {
    auto issued = must(by.tenants().invite(tenant, user.email, role));
    return must(must(db.user_context(user.id)).tenants().accept_invitation(issued.token));
  }

  // Every tenant (deleted ones too), member, pending invitation and user, as text.
  std::string snapshot() {
    std::ostringstream out;
    TenantQuery query;
    query.include_deleted = true;
    query.limit = 1000;
    for (const auto& t : must(system.tenants().list(query)).items) {
      out << "tenant " << t.id << ' ' << t.slug << ' ' << t.name << ' ' << t.plan << ' '
          << t.domain.value_or("-") << ' ' << t.settings << ' ' << t.is_active << ' '
          << t.updated_at << ' ' << t.deleted_at.value_or(0) << '\n';
      for (const auto& m : must(system.tenants().members(t.id))) {
        out << "  member " << m.user_id << ' ' << m.role << '\n';
      }
      InvitationQuery pending;
      pending.limit = 1000;
      for (const auto& i : must(system.tenants().list_invitations(t.id, pending)).items) {
        out << "  invitation " << i.id << ' ' << i.email << ' ' << i.role << '\n';
      }
    }
    UserQuery users;
    users.limit = 1000;
    for (const auto& u : must(system.users().list(users)).items) {
      out << "user " << u.id << ' ' << u.username << ' ' << u.email << ' ' << u.display_name << ' '
          << u.is_active << ' ' << u.updated_at << '\n';
    }
    return out.str();
  }
};

}  // namespace quire::test
