// A login tells nobody which tenants and accounts exist (issue 17, finding 6): an unknown tenant,
// an unknown name and a wrong password give the same message, take about as long (a password hash
// is checked in every case), and are throttled alike, since failures are counted per name as typed.

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

template <class B>
struct LoginFixture : EngineFixture<B> {
  explicit LoginFixture(Options options) : EngineFixture<B>(options) {
    must(this->system.tenants().create({.slug = "acme", .name = "Acme"}));
    must(this->system.tenants().create({.slug = "other", .name = "Other"}));
    auto alice = this->make_user("alice");
    must(this->system.tenants().add_member("acme", alice.id, "editor"));
  }
};

struct Try {
  const char* what;
  const char* tenant;
  const char* name;
};

// The four ways in that must look alike from outside.
constexpr Try tries[] = {{"an unknown tenant", "ghost", "alice"},
                         {"an unknown user", "acme", "nobody"},
                         {"a wrong password", "acme", "alice"},
                         {"a tenant she is not in", "other", "alice"}};

}  // namespace

TEST_CASE_TEMPLATE("login: unknown tenants, unknown users and wrong passwords look alike", B,
                   QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.free_login_failures = 1000;  // no throttle here: only the answers and their timing
  LoginFixture<B> f(options);
  const auto attempt = [&](const Try& t) {
    const auto start = std::chrono::steady_clock::now();
    auto result = f.db.login(t.tenant, t.name, "a-wrong-password");
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    CHECK(expect_error(result, Errc::unauthenticated) == "invalid credentials");
    return took.count();
  };
  for (const auto& t : tries) attempt(t);  // the dummy hash is made on first use
  // Interleaved rounds, so that the machine's load falls on each kind alike; the fastest of each
  // is what the kind costs (other work on the machine only ever adds to it).
  constexpr int rounds = 9;
  std::vector<double> fastest_of(std::size(tries), 1e300);
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < std::size(tries); ++i) {
      fastest_of[i] = std::min(fastest_of[i], attempt(tries[i]));
    }
  }
  for (std::size_t i = 0; i < std::size(tries); ++i) {
    MESSAGE(std::string(tries[i].what), ": fastest ", fastest_of[i], " ms");
  }
  const auto& medians = fastest_of;
  const auto [fastest, slowest] = std::minmax_element(medians.begin(), medians.end());
  CHECK_MESSAGE(*slowest < 3 * *fastest, "the slowest kind of failed login took ", *slowest,
                " ms, the fastest ", *fastest, " ms");
}

TEST_CASE_TEMPLATE("login: too many failures throttle names nobody has too", B,
                   QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.free_login_failures = 2;
  LoginFixture<B> f(options);
  for (const auto& t : tries) {
    CAPTURE(t.what);
    for (int i = 0; i < 2; ++i) {
      CHECK(expect_error(f.db.login(t.tenant, t.name, "a-wrong-password"), Errc::unauthenticated) ==
            "invalid credentials");
    }
    CHECK(expect_error(f.db.login(t.tenant, t.name, "a-wrong-password"), Errc::unauthenticated) ==
          "too many failed logins; try again in 1 s");
  }
  // Counted per tenant and name as typed, case aside: "ALICE" in acme is alice's count, the same
  // name in another (or no) tenant is not.
  CHECK(expect_error(f.db.login("acme", "ALICE", "password-alice"), Errc::unauthenticated)
            .starts_with("too many failed logins"));
  CHECK(expect_error(f.db.login("GHOST", "Alice", "x-wrong-password"), Errc::unauthenticated)
            .starts_with("too many failed logins"));
  CHECK(expect_error(f.db.login("ghost", "bob", "a-wrong-password"), Errc::unauthenticated) ==
        "invalid credentials");
  CHECK(expect_error(f.db.login(TenantId{4242}, "alice", "a-wrong-password"),
                     Errc::unauthenticated) == "invalid credentials");
}
