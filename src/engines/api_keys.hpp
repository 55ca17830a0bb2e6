#pragma once
// The text of an API key, qk_<public id>_<secret>: how it is made, read back and hashed. The
// secret is never stored; its BLAKE2b-256 hash is, and a presented key is compared in constant
// time.

#include <quire/result.hpp>
#include <string>
#include <string_view>

namespace quire::detail {

struct KeyText {
  std::string public_id;  // 12 of [a-z0-9]
  std::string secret;     // 32 of [A-Za-z0-9]
};

KeyText new_key_text();
std::string format_key(const KeyText& key);
// Errors: unauthenticated ("API key is malformed") for anything not of that exact form.
Result<KeyText> parse_key(std::string_view text) noexcept;
// BLAKE2b-256 of the secret, 32 raw bytes.
std::string hash_secret(std::string_view secret);

}  // namespace quire::detail
