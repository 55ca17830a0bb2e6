#include "core/crypto.hpp"

#include <sodium.h>

#include <algorithm>
#include <mutex>

namespace quire::detail {

Result<void> ensure_sodium() noexcept {
  // sodium_init is itself idempotent and thread-safe; call_once keeps the hot path to one load.
  static std::once_flag once;
  static int status = -1;
  std::call_once(once, [] { status = sodium_init(); });
  if (status < 0) return fail(Errc::internal, "libsodium could not be initialised");
  return success();
}

Result<std::string> hash_password(std::string_view password, const PasswordHashing& cost) noexcept {
  QUIRE_TRY(ensure_sodium());
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.opslimit, cost.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // libsodium's only failure here is running out of memory for the hash.
    return fail(Errc::busy, "not enough memory to hash the password; try again");
  }
  return std::string(out);
}

namespace {
// A hash quire made: argon2id, NUL-free (libsodium reads it as a C string) and of bounded length.
bool is_our_hash(std::string_view hash) noexcept {
  return hash.size() < crypto_pwhash_STRBYTES && hash.starts_with("$argon2id$") &&
         hash.find('\0') == std::string_view::npos;
}
}  // namespace

bool verify_password(std::string_view hash, std::string_view password) noexcept {
  if (!ensure_sodium() || !is_our_hash(hash)) return false;
  std::string terminated(hash);  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view hash, const PasswordHashing& cost) noexcept {
  if (!ensure_sodium() || !is_our_hash(hash)) return true;
  std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost.opslimit, cost.memlimit) != 0;
}

bool is_strong_enough(const PasswordHashing& cost) noexcept {
  constexpr std::size_t mib = std::size_t{1024} * 1024;
  // OWASP's equivalent argon2id settings: t=1 needs 46 MiB, t=2 19 MiB, t=3 12 MiB, t=4 9 MiB,
  // t>=5 7 MiB.
  std::size_t minimum = 0;
  switch (cost.opslimit) {
    case 0:
      return false;
    case 1:
      minimum = 46 * mib;
      break;
    case 2:
      minimum = 19 * mib;
      break;
    case 3:
      minimum = 12 * mib;
      break;
    case 4:
      minimum = 9 * mib;
      break;
    default:
      minimum = 7 * mib;
      break;
  }
  return cost.memlimit >= minimum && cost.memlimit <= crypto_pwhash_MEMLIMIT_MAX &&
         cost.opslimit <= crypto_pwhash_OPSLIMIT_MAX && cost.max_concurrent > 0;
}

Hash256 blake2b_256(std::string_view data, std::string_view key) noexcept {
  (void)ensure_sodium();
  if (key.size() > crypto_generichash_KEYBYTES_MAX) {
    // BLAKE2b takes keys of at most 64 bytes; a longer one is first hashed down, as HMAC does.
    const Hash256 short_key = blake2b_256(key);
    return blake2b_256(
        data, std::string_view(reinterpret_cast<const char*>(short_key.data()), short_key.size()));
  }
  Hash256 out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return out;
}

std::string random_bytes(std::size_t count) {
  (void)ensure_sodium();
  std::string out(count, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string random_text(std::size_t length, std::string_view alphabet) {
  (void)ensure_sodium();
  std::string out(length, '\0');
  for (auto& c : out)
    c = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  (void)ensure_sodium();
  std::string tag(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(tag.data()));
  return tag;
}

bool hmac_sha256_verify(std::string_view key, std::string_view message,
                        std::string_view tag) noexcept {
  try {
    return constant_time_equal(hmac_sha256(key, message), tag);
  } catch (...) {
    return false;
  }
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

std::string to_hex_public(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[byte >> 4];
    out[2 * i + 1] = digits[byte & 0x0F];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &length, &end) != 0 ||
      end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // libsodium 1.0.18 reads bytes 0x80-0xFF as '_', so the alphabet is checked here first.
  const bool in_alphabet = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  if (!in_alphabet) return std::nullopt;
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace quire::detail
