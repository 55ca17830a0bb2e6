#include <doctest/doctest.h>

#include <array>
#include <ostream>  // doctest prints std::error_code
#include <quire/error.hpp>
#include <quire/result.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

using quire::Errc;
using quire::Error;
using quire::Result;

namespace {

struct NamedCode {
  Errc code;
  int value;
  std::string_view name;
};

constexpr std::array<NamedCode, 12> all_codes = {{
    {Errc::invalid_argument, 1, "invalid_argument"},
    {Errc::not_found, 2, "not_found"},
    {Errc::already_exists, 3, "already_exists"},
    {Errc::conflict, 4, "conflict"},
    {Errc::permission_denied, 5, "permission_denied"},
    {Errc::unauthenticated, 6, "unauthenticated"},
    {Errc::quota_exceeded, 7, "quota_exceeded"},
    {Errc::busy, 8, "busy"},
    {Errc::storage, 9, "storage"},
    {Errc::corrupt, 10, "corrupt"},
    {Errc::internal, 11, "internal"},
    {Errc::not_supported, 12, "not_supported"},
}};

}  // namespace

TEST_CASE("Errc values are the stable C ABI numbers") {
  for (const auto& entry : all_codes) {
    CAPTURE(entry.name);
    CHECK(static_cast<int>(entry.code) == entry.value);
  }
}

TEST_CASE("errc_name names every Errc") {
  for (const auto& entry : all_codes) {
    CAPTURE(entry.value);
    CHECK(quire::errc_name(entry.code) == entry.name);
  }
  CHECK(quire::errc_name(static_cast<Errc>(0)) == "unknown");
  CHECK(quire::errc_name(static_cast<Errc>(13)) == "unknown");
  CHECK(quire::errc_name(static_cast<Errc>(-1)) == "unknown");
}

TEST_CASE("error_category") {
  const std::error_category& category = quire::error_category();
  CHECK(std::string_view(category.name()) == "quire");
  CHECK(&category == &quire::error_category());  // one instance
  CHECK(category != std::generic_category());
  CHECK(category != std::system_category());
  for (const auto& entry : all_codes) {
    CAPTURE(entry.name);
    CHECK(category.message(entry.value) == entry.name);
  }
  CHECK(category.message(0) == "unknown");
  CHECK(category.message(999) == "unknown");
}

TEST_CASE("make_error_code") {
  for (const auto& entry : all_codes) {
    CAPTURE(entry.name);
    const std::error_code ec = quire::make_error_code(entry.code);
    CHECK(ec.value() == entry.value);
    CHECK(&ec.category() == &quire::error_category());
    CHECK(ec.message() == entry.name);
    CHECK(static_cast<bool>(ec));
  }

  // Errc is an error code enum: it converts implicitly and compares with error codes.
  const std::error_code implicit = Errc::not_found;
  CHECK(implicit.value() == 2);
  CHECK(&implicit.category() == &quire::error_category());
  CHECK(implicit == Errc::not_found);
  CHECK(implicit != Errc::conflict);
  // Same number, other category: not equal.
  CHECK(std::error_code(2, std::generic_category()) != Errc::not_found);

  // The Error overload, used by Outcome, takes the code and ignores the message.
  const Error error{Errc::conflict, "row changed", "SQLITE_BUSY"};
  const std::error_code from_error = quire::make_error_code(error);
  CHECK(from_error.value() == 4);
  CHECK(&from_error.category() == &quire::error_category());
}

TEST_CASE("Error") {
  const Error defaulted;
  CHECK(defaulted.code == Errc::internal);
  CHECK(defaulted.message.empty());
  CHECK(defaulted.backend_detail.empty());

  const Error error = quire::fail(Errc::not_found, "tenant \"acme\" not found", "detail");
  CHECK(error.code == Errc::not_found);
  CHECK(error.message == "tenant \"acme\" not found");
  CHECK(error.backend_detail == "detail");
  CHECK(error == Errc::not_found);
  CHECK_FALSE(error == Errc::internal);

  const Error no_detail = quire::fail(Errc::busy, "try again");
  CHECK(no_detail.code == Errc::busy);
  CHECK(no_detail.message == "try again");
  CHECK(no_detail.backend_detail.empty());
}

TEST_CASE("Result<int> holding a value") {
  Result<int> result = 42;
  CHECK(result.has_value());
  CHECK_FALSE(result.has_error());
  CHECK(static_cast<bool>(result));
  CHECK(result.value() == 42);
}

TEST_CASE("Result<int> holding an Error") {
  Result<int> result = quire::fail(Errc::quota_exceeded, "plan free allows 5 tenants", "native");
  CHECK(result.has_error());
  CHECK_FALSE(result.has_value());
  CHECK_FALSE(static_cast<bool>(result));
  CHECK(result.error().code == Errc::quota_exceeded);
  CHECK(result.error().message == "plan free allows 5 tenants");
  CHECK(result.error().backend_detail == "native");
}

TEST_CASE(".value() on a failed Result throws std::system_error carrying the message") {
  // Guards the ADL payload hook (outcome_throw_as_system_error_with_payload): if it is not found,
  // Outcome silently falls back to a system_error without the message.
  const std::string message = "tenant \"acme\" not found";

  SUBCASE("lvalue") {
    Result<int> result = quire::fail(Errc::not_found, message);
    try {
      (void)result.value();
      FAIL("value() did not throw");
    } catch (const std::system_error& e) {
      CHECK(std::string_view(e.what()).find(message) != std::string_view::npos);
      CHECK(e.code() == Errc::not_found);
      CHECK(e.code().value() == 2);
      CHECK(&e.code().category() == &quire::error_category());
    }
  }
  SUBCASE("const lvalue") {
    const Result<int> result = quire::fail(Errc::permission_denied, message);
    try {
      (void)result.value();
      FAIL("value() did not throw");
    } catch (const std::system_error& e) {
      CHECK(std::string_view(e.what()).find(message) != std::string_view::npos);
      CHECK(e.code() == Errc::permission_denied);
    }
  }
  SUBCASE("rvalue") {
    Result<std::string> result = quire::fail(Errc::conflict, message);
    try {
      (void)std::move(result).value();
      FAIL("value() did not throw");
    } catch (const std::system_error& e) {
      CHECK(std::string_view(e.what()).find(message) != std::string_view::npos);
      CHECK(e.code() == Errc::conflict);
    }
  }
  SUBCASE("Result<void>") {
    Result<void> result = quire::fail(Errc::storage, message);
    try {
      result.value();
      FAIL("value() did not throw");
    } catch (const std::system_error& e) {
      CHECK(std::string_view(e.what()).find(message) != std::string_view::npos);
      CHECK(e.code() == Errc::storage);
    }
  }
  SUBCASE("CHECK_THROWS_AS") {
    Result<int> result = quire::fail(Errc::busy, message);
    CHECK_THROWS_AS((void)result.value(), std::system_error);
    CHECK_THROWS_WITH((void)result.value(), doctest::Contains(message.c_str()));
  }
}

// ---- QUIRE_TRY ----------------------------------------------------------------------------------

namespace {

int evaluations = 0;

Result<int> number(bool ok, int value = 7) {
  ++evaluations;
  if (!ok) return quire::fail(Errc::not_found, "no number", "detail");
  return value;
}

Result<void> step(bool ok) {
  ++evaluations;
  if (!ok) return quire::fail(Errc::conflict, "step failed");
  return quire::success();
}

Result<std::string> text(bool ok) {
  ++evaluations;
  if (!ok) return quire::fail(Errc::invalid_argument, "no text");
  return std::string("hello");
}

// Form 1: only the failure matters.
Result<int> void_form(bool ok, int& reached) {
  QUIRE_TRY(step(ok));
  ++reached;
  return 1;
}

// Form 1 on a Result that has a value, which is discarded.
Result<void> void_form_on_value(bool ok, int& reached) {
  QUIRE_TRY(number(ok));
  ++reached;
  return quire::success();
}

// Form 2: declares the variable.
Result<int> declare_form(bool ok, int& reached) {
  QUIRE_TRY(auto value, number(ok, 20));
  ++reached;
  return value + 1;
}

// Form 2, twice in one scope, and across value types.
Result<std::string> declare_twice(bool first_ok, bool second_ok) {
  QUIRE_TRY(auto n, number(first_ok, 3));
  QUIRE_TRY(auto s, text(second_ok));
  return s + std::to_string(n);
}

struct Target {
  int count = -1;
  std::string name = "unset";
};

// Form 3: assigns into an existing lvalue (struct members).
Result<Target> assign_form(bool count_ok, bool name_ok, Target& seen) {
  Target target;
  QUIRE_TRY(target.count, number(count_ok, 99));
  seen = target;
  QUIRE_TRY(target.name, text(name_ok));
  seen = target;
  return target;
}

// Form 3 into a plain local variable.
Result<int> assign_local(bool ok) {
  int local = 5;
  QUIRE_TRY(local, number(ok, 11));
  return local * 2;
}

}  // namespace

TEST_CASE("QUIRE_TRY(expr)") {
  int reached = 0;
  evaluations = 0;
  auto ok = void_form(true, reached);
  REQUIRE(ok.has_value());
  CHECK(ok.value() == 1);
  CHECK(reached == 1);
  CHECK(evaluations == 1);

  reached = 0;
  evaluations = 0;
  auto failed = void_form(false, reached);
  REQUIRE(failed.has_error());
  CHECK(failed.error().code == Errc::conflict);
  CHECK(failed.error().message == "step failed");
  CHECK(reached == 0);
  CHECK(evaluations == 1);

  reached = 0;
  auto on_value = void_form_on_value(true, reached);
  CHECK(on_value.has_value());
  CHECK(reached == 1);

  reached = 0;
  auto on_value_failed = void_form_on_value(false, reached);
  REQUIRE(on_value_failed.has_error());
  CHECK(on_value_failed.error().code == Errc::not_found);
  CHECK(on_value_failed.error().message == "no number");
  CHECK(on_value_failed.error().backend_detail == "detail");
  CHECK(reached == 0);
}

TEST_CASE("QUIRE_TRY(auto x, expr)") {
  int reached = 0;
  evaluations = 0;
  auto ok = declare_form(true, reached);
  REQUIRE(ok.has_value());
  CHECK(ok.value() == 21);
  CHECK(reached == 1);
  CHECK(evaluations == 1);

  reached = 0;
  evaluations = 0;
  auto failed = declare_form(false, reached);
  REQUIRE(failed.has_error());
  CHECK(failed.error().code == Errc::not_found);
  CHECK(failed.error().message == "no number");
  CHECK(reached == 0);
  CHECK(evaluations == 1);

  evaluations = 0;
  auto both = declare_twice(true, true);
  REQUIRE(both.has_value());
  CHECK(both.value() == "hello3");
  CHECK(evaluations == 2);

  evaluations = 0;
  auto first = declare_twice(false, true);
  REQUIRE(first.has_error());
  CHECK(first.error().code == Errc::not_found);
  CHECK(evaluations == 1);  // the second call never ran

  evaluations = 0;
  auto second = declare_twice(true, false);
  REQUIRE(second.has_error());
  CHECK(second.error().code == Errc::invalid_argument);
  CHECK(second.error().message == "no text");
  CHECK(evaluations == 2);
}

TEST_CASE("QUIRE_TRY(lvalue, expr)") {
  Target seen;
  evaluations = 0;
  auto ok = assign_form(true, true, seen);
  REQUIRE(ok.has_value());
  CHECK(ok.value().count == 99);
  CHECK(ok.value().name == "hello");
  CHECK(seen.count == 99);
  CHECK(seen.name == "hello");
  CHECK(evaluations == 2);

  seen = Target{};
  evaluations = 0;
  auto first = assign_form(false, true, seen);
  REQUIRE(first.has_error());
  CHECK(first.error().code == Errc::not_found);
  CHECK(seen.count == -1);  // never assigned
  CHECK(seen.name == "unset");
  CHECK(evaluations == 1);

  seen = Target{};
  evaluations = 0;
  auto second = assign_form(true, false, seen);
  REQUIRE(second.has_error());
  CHECK(second.error().code == Errc::invalid_argument);
  CHECK(second.error().message == "no text");
  CHECK(seen.count == 99);  // the first assignment happened, the second did not
  CHECK(seen.name == "unset");
  CHECK(evaluations == 2);

  auto local = assign_local(true);
  REQUIRE(local.has_value());
  CHECK(local.value() == 22);
  auto local_failed = assign_local(false);
  REQUIRE(local_failed.has_error());
  CHECK(local_failed.error().code == Errc::not_found);
}
