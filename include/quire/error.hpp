#pragma once
// The one error type of the C++ API. Every fallible call returns quire::Result<T>, whose error is
// an Error: a code from Errc (mirrored by the C status codes, QUIRE_E* == -Errc), a message a
// person can act on, and the facts a program acts on (ErrorFacts). No exception leaves the library.

#include <quire/quire_export.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace quire {

// Values are only ever appended, never renumbered: the C ABI and the bindings depend on them.
enum class Errc : int {
  invalid_argument = 1,   // QUIRE_EINVAL
  not_found = 2,          // QUIRE_ENOTFOUND
  already_exists = 3,     // QUIRE_EEXISTS
  conflict = 4,           // QUIRE_ECONFLICT
  permission_denied = 5,  // QUIRE_EPERM
  unauthenticated = 6,    // QUIRE_EAUTH
  quota_exceeded = 7,     // QUIRE_EQUOTA
  busy = 8,               // QUIRE_EBUSY
  storage = 9,            // QUIRE_ESTORAGE
  corrupt = 10,           // QUIRE_ECORRUPT
  internal = 11,          // QUIRE_EINTERNAL
  not_supported = 12,     // QUIRE_ENOTSUP: a backend that lacks an operation
};

// The code's snake_case name, as in the table above ("not_found").
QUIRE_EXPORT std::string_view errc_name(Errc code) noexcept;

QUIRE_EXPORT const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc code) noexcept {
  return {static_cast<int>(code), error_category()};
}

// What a program needs to act on a failure without reading its message. Each fact is set only by
// the failures it belongs to, and is empty (or unset, or false) otherwise.
struct ErrorFacts {
  // conflict over an expected_version: the version the record is at now.
  std::optional<std::int64_t> current_version;
  // permission_denied: the permission that was lacking (or, when the actor's standing failed —
  // not a member, deactivated, a revoked key — the action attempted), and the actor's role: a
  // role's name, "api_key" for an API key, empty when the user is not a member.
  std::string permission;
  std::string role;
  // quota_exceeded: which quota ("members", "posts"), the plan's limit and the plan.
  std::string quota;
  std::optional<std::int64_t> limit;
  std::string plan;
  // invalid_argument: the one field the message names ("title", "post_json.tags"), when it names
  // one.
  std::string field;
  // busy: the whole transaction failed only because of a concurrent one (a serialization failure
  // or a deadlock on PostgreSQL) and running it again may succeed.
  bool retryable = false;

  bool operator==(const ErrorFacts&) const = default;
};

struct Error {
  Errc code = Errc::internal;
  std::string message;         // one line, names the field and the rule; never a secret
  std::string backend_detail;  // the native code ("SQLITE_CONSTRAINT_UNIQUE", "40001"), or empty
  ErrorFacts facts;

  bool operator==(Errc other) const noexcept { return code == other; }
};

// Lets Boost.Outcome treat Error as an error code (found by ADL).
inline std::error_code make_error_code(const Error& error) noexcept {
  return make_error_code(error.code);
}

// Called by Outcome when .value() is used on a failed Result: throws std::system_error carrying the
// message. The library itself never calls .value() on a failure.
[[noreturn]] QUIRE_EXPORT void outcome_throw_as_system_error_with_payload(const Error& error);

}  // namespace quire

template <>
struct std::is_error_code_enum<quire::Errc> : std::true_type {};
