#pragma once
// Input rules shared by the engines. Each check returns invalid_argument with a message that names
// the field and the rule, and quotes the offending value only when it is not a secret.

#include <cstddef>
#include <quire/result.hpp>
#include <string>
#include <string_view>

namespace quire::detail {

// The value in double quotes for a message: control characters escaped, cut to 64 bytes.
std::string quoted(std::string_view value);

bool is_valid_utf8(std::string_view text) noexcept;

// 1..max_bytes of valid UTF-8 without control characters, not blank. Returns the text trimmed of
// surrounding spaces.
Result<std::string> check_text(std::string_view field, std::string_view value,
                               std::size_t max_bytes) noexcept;
// A tenant slug: [a-z][a-z0-9-]{1,62}.
Result<void> check_tenant_slug(std::string_view slug) noexcept;
// A username: [a-z0-9][a-z0-9._-]{0,63}.
Result<void> check_username(std::string_view username) noexcept;
// Trims and lower-cases an address, then requires local@domain with a dotted domain, at most 254
// bytes. Returns the normalised address.
Result<std::string> normalise_email(std::string_view email) noexcept;
// A host name, lower-cased: dot-separated labels of [a-z0-9-] (1..63, no leading or trailing '-'),
// at least two labels, at most 253 bytes. Returns the normalised name.
Result<std::string> normalise_domain(std::string_view domain) noexcept;
// 8..4096 bytes. The message never contains the password.
Result<void> check_password(std::string_view password) noexcept;
// A page size: 1..1000.
Result<void> check_limit(unsigned limit) noexcept;

}  // namespace quire::detail
