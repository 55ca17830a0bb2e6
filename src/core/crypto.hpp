#pragma once
// A thin wrapper over libsodium: initialised once, thread-safe, no hand-rolled cryptography.

#include <array>
#include <cstddef>
#include <optional>
#include <quire/options.hpp>
#include <quire/result.hpp>
#include <string>
#include <string_view>

namespace quire::detail {

// Initialises libsodium once per process; every function below calls it. Errors: internal.
Result<void> ensure_sodium() noexcept;

// argon2id via crypto_pwhash_str: a self-describing "$argon2id$v=19$m=…" string. Errors: busy (out
// of memory for the hash), internal.
Result<std::string> hash_password(std::string_view password, const PasswordHashing& cost) noexcept;
// True when `password` matches `hash`; false on any mismatch or malformed hash.
bool verify_password(std::string_view hash, std::string_view password) noexcept;
// True when the hash was made with other parameters than `cost`.
bool password_needs_rehash(std::string_view hash, const PasswordHashing& cost) noexcept;
// Whether `cost` is at or above OWASP's argon2id minimum line (m=19 MiB, t=2 and equivalents) and
// within libsodium's limits.
bool is_strong_enough(const PasswordHashing& cost) noexcept;

using Hash256 = std::array<unsigned char, 32>;
// BLAKE2b-256 (crypto_generichash), optionally keyed.
Hash256 blake2b_256(std::string_view data, std::string_view key = {}) noexcept;

std::string random_bytes(std::size_t count);
// `length` characters drawn uniformly from `alphabet` (no modulo bias).
std::string random_text(std::size_t length, std::string_view alphabet);

// HMAC-SHA-256 (crypto_auth_hmacsha256) of `message` under a 32-byte key: 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view message);
// Checks a tag in constant time.
bool hmac_sha256_verify(std::string_view key, std::string_view message,
                        std::string_view tag) noexcept;
// Compares in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

std::string to_hex(std::string_view bytes);
// The same, in variable time: for values that are public anyway (hashes of the audit chain, of a
// body), which the audit trail encodes by the thousand. Secrets go through to_hex.
std::string to_hex_public(std::string_view bytes);
// Lower- or upper-case hex without separators; nullopt for anything else.
std::optional<std::string> from_hex(std::string_view hex);
std::string base64url_encode(std::string_view bytes);  // no padding
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace quire::detail
