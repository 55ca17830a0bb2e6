#pragma once
// The failures that carry facts (ErrorFacts) beside their message, built in one place so that
// every engine sets the same facts for the same failure.

#include <cstdint>
#include <quire/result.hpp>
#include <string>
#include <string_view>

namespace quire::detail {

// conflict: the record is at `current_version`, not the version the caller expected.
inline Error version_conflict(std::int64_t current_version, std::string message) {
  Error error = fail(Errc::conflict, std::move(message));
  error.facts.current_version = current_version;
  return error;
}

// quota_exceeded: `quota` ("members", "posts") is at the `limit` of `plan`.
inline Error quota_exceeded(std::string_view quota, std::int64_t limit, std::string_view plan,
                            std::string message) {
  Error error = fail(Errc::quota_exceeded, std::move(message));
  error.facts.quota = quota;
  error.facts.limit = limit;
  error.facts.plan = plan;
  return error;
}

// invalid_argument about one named field.
inline Error invalid_field(std::string_view field, std::string message) {
  Error error = fail(Errc::invalid_argument, std::move(message));
  error.facts.field = field;
  return error;
}

}  // namespace quire::detail
