#include "core/crypto.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using quire::PasswordHashing;
using namespace quire::detail;

namespace {

constexpr std::size_t mib = 1024 * 1024;

// The cheapest cost that is_strong_enough allows, so hashing stays fast.
PasswordHashing cheap() {
  return PasswordHashing{.opslimit = 2, .memlimit = 19 * mib};
}

std::string hex(const Hash256& hash) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}

std::string all_byte_values() {
  std::string out;
  for (int b = 0; b < 256; ++b) out += static_cast<char>(b);
  return out;
}

}  // namespace

TEST_CASE("ensure_sodium") {
  CHECK(ensure_sodium().has_value());
  CHECK(ensure_sodium().has_value());  // idempotent
}

TEST_CASE("ensure_sodium from 8 threads at once") {
  std::atomic<int> ready{0};
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      ++ready;
      while (ready.load() < 8) {
      }  // start together
      if (ensure_sodium()) ++succeeded;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded.load() == 8);
}

TEST_CASE("hash_password and verify_password") {
  const auto hash = hash_password("correct horse battery staple", cheap());
  REQUIRE(hash.has_value());
  const std::string& h = hash.value();
  CHECK(h.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);

  CHECK(verify_password(h, "correct horse battery staple"));
  CHECK_FALSE(verify_password(h, "correct horse battery stapl"));
  CHECK_FALSE(verify_password(h, "correct horse battery staple "));
  CHECK_FALSE(verify_password(h, "Correct horse battery staple"));
  CHECK_FALSE(verify_password(h, ""));

  // Salted: the same password hashes differently each time, and both verify.
  const auto again = hash_password("correct horse battery staple", cheap());
  REQUIRE(again.has_value());
  CHECK(again.value() != h);
  CHECK(verify_password(again.value(), "correct horse battery staple"));

  SUBCASE("malformed hashes never verify") {
    CHECK_FALSE(verify_password("", "correct horse battery staple"));
    CHECK_FALSE(verify_password("", ""));
    CHECK_FALSE(verify_password("not a hash", "correct horse battery staple"));
    CHECK_FALSE(verify_password(h.substr(0, h.size() - 1), "correct horse battery staple"));
    CHECK_FALSE(verify_password(h.substr(0, 20), "correct horse battery staple"));
    std::string flipped = h;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    CHECK_FALSE(verify_password(flipped, "correct horse battery staple"));
    // Too long for libsodium's buffer: refused without reading past it.
    CHECK_FALSE(verify_password(h + std::string(200, 'A'), "correct horse battery staple"));
    // An embedded NUL cuts the C string libsodium sees; the full view must not verify.
    CHECK_FALSE(verify_password(std::string("\0", 1) + h, "correct horse battery staple"));
    CHECK_FALSE(verify_password(h + std::string("\0junk", 5), "correct horse battery staple"));
  }

  SUBCASE("empty password") {
    const auto empty = hash_password("", cheap());
    REQUIRE(empty.has_value());
    CHECK(verify_password(empty.value(), ""));
    CHECK_FALSE(verify_password(empty.value(), " "));
    CHECK_FALSE(verify_password(empty.value(), std::string_view("\0", 1)));
  }

  SUBCASE("passwords with NUL bytes are compared by length") {
    const std::string with_nul("ab\0cd", 5);
    const auto nul = hash_password(with_nul, cheap());
    REQUIRE(nul.has_value());
    CHECK(verify_password(nul.value(), with_nul));
    CHECK_FALSE(verify_password(nul.value(), "ab"));
    CHECK_FALSE(verify_password(nul.value(), std::string_view("ab\0ce", 5)));
  }
}

TEST_CASE("password_needs_rehash") {
  const auto hash = hash_password("pass-word-1", cheap());
  REQUIRE(hash.has_value());
  CHECK_FALSE(password_needs_rehash(hash.value(), cheap()));
  CHECK(password_needs_rehash(hash.value(), PasswordHashing{.opslimit = 3, .memlimit = 19 * mib}));
  CHECK(password_needs_rehash(hash.value(), PasswordHashing{.opslimit = 2, .memlimit = 20 * mib}));
  CHECK(password_needs_rehash(hash.value(), PasswordHashing{}));  // the default: 64 MiB
  // max_concurrent is not part of the hash.
  CHECK_FALSE(password_needs_rehash(
      hash.value(), PasswordHashing{.opslimit = 2, .memlimit = 19 * mib, .max_concurrent = 1}));
  // A malformed hash always needs a new one.
  CHECK(password_needs_rehash("", cheap()));
  CHECK(password_needs_rehash("garbage", cheap()));
  CHECK(password_needs_rehash(hash.value() + std::string(200, 'A'), cheap()));
}

TEST_CASE("is_strong_enough follows the OWASP argon2id table") {
  const auto strong = [](std::uint64_t t, std::size_t m, unsigned concurrent = 4) {
    return is_strong_enough(
        PasswordHashing{.opslimit = t, .memlimit = m, .max_concurrent = concurrent});
  };
  // t=1: 46 MiB
  CHECK(strong(1, 46 * mib));
  CHECK_FALSE(strong(1, 46 * mib - 1));
  CHECK_FALSE(strong(1, 19 * mib));
  // t=2: 19 MiB
  CHECK(strong(2, 19 * mib));
  CHECK_FALSE(strong(2, 19 * mib - 1));
  // t=3: 12 MiB
  CHECK(strong(3, 12 * mib));
  CHECK_FALSE(strong(3, 12 * mib - 1));
  // t=4: 9 MiB
  CHECK(strong(4, 9 * mib));
  CHECK_FALSE(strong(4, 9 * mib - 1));
  // t>=5: 7 MiB
  CHECK(strong(5, 7 * mib));
  CHECK_FALSE(strong(5, 7 * mib - 1));
  CHECK(strong(6, 7 * mib));
  CHECK_FALSE(strong(6, 7 * mib - 1));
  CHECK(strong(100, 7 * mib));
  CHECK_FALSE(strong(100, 7 * mib - 1));
  // t=0 is never enough.
  CHECK_FALSE(strong(0, 1024 * mib));
  // The defaults are strong enough.
  CHECK(is_strong_enough(PasswordHashing{}));
  // No hashing slot at all.
  CHECK_FALSE(strong(2, 19 * mib, 0));
  CHECK(strong(2, 19 * mib, 1));
  // Beyond libsodium's limits.
  CHECK_FALSE(strong(std::uint64_t{1} << 32, 64 * mib));
  CHECK(strong(4294967295u, 64 * mib));
}

TEST_CASE("blake2b_256 known answers") {
  CHECK(hex(blake2b_256("")) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  CHECK(hex(blake2b_256("abc")) ==
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  // Python: hashlib.blake2b(b'abc', digest_size=32, key=b'key').hexdigest()
  CHECK(hex(blake2b_256("abc", "key")) ==
        "0330531d097355a3f72e80d55c1245ccf79f1704431c6e3887938320442c23c0");
}

TEST_CASE("blake2b_256 keyed differs from unkeyed") {
  const Hash256 plain = blake2b_256("message");
  const Hash256 keyed = blake2b_256("message", "secret key");
  const Hash256 other_key = blake2b_256("message", "other key");
  CHECK(plain != keyed);
  CHECK(keyed != other_key);
  CHECK(keyed == blake2b_256("message", "secret key"));  // deterministic
  CHECK(blake2b_256("message", "") == plain);            // an empty key is no key
  CHECK(blake2b_256("message") != blake2b_256("messagf"));
  // The longest key BLAKE2b takes (64 bytes) still keys the hash.
  const std::string key64(64, 'k');
  CHECK(blake2b_256("a", key64) != blake2b_256("b", key64));
  CHECK(blake2b_256("a", key64) != blake2b_256("a"));
}

TEST_CASE("blake2b_256 with a key longer than 64 bytes still depends on the data") {
  // crypto_generichash refuses keys over 64 bytes; the result must never silently be a constant.
  const std::string key65(65, 'k');
  const Hash256 zero{};
  CHECK(blake2b_256("a", key65) != zero);
  CHECK(blake2b_256("a", key65) != blake2b_256("b", key65));
}

TEST_CASE("to_hex") {
  CHECK(to_hex("") == "");
  CHECK(to_hex(std::string_view("\x00", 1)) == "00");
  CHECK(to_hex("\x01\xab\xff") == "01abff");
  CHECK(to_hex("AZ") == "415a");
  const std::string all = to_hex(all_byte_values());
  CHECK(all.size() == 512);
  CHECK(all.substr(0, 8) == "00010203");
  CHECK(all.substr(504) == "fcfdfeff");
}

TEST_CASE("base64url known answers") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  // The URL-safe alphabet: '-' and '_' instead of '+' and '/'.
  CHECK(base64url_encode("\xfb\xff\xbf") == "-_-_");
  CHECK(base64url_decode("-_-_") == std::optional<std::string>("\xfb\xff\xbf"));
  CHECK(base64url_decode("Zm9vYmE") == std::optional<std::string>("fooba"));
  CHECK(base64url_decode("") == std::optional<std::string>(""));
}

TEST_CASE("base64url round trip over all byte values and lengths 0..70") {
  const std::string bytes = all_byte_values();
  for (std::size_t length = 0; length <= 70; ++length) {
    for (std::size_t start = 0; start + length <= bytes.size(); start += 37) {
      const std::string input = bytes.substr(start, length);
      const std::string encoded = base64url_encode(input);
      CAPTURE(length);
      CAPTURE(start);
      CHECK(encoded.size() == (length * 4 + 2) / 3);  // no padding
      CHECK(encoded.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
            std::string::npos);
      const auto decoded = base64url_decode(encoded);
      REQUIRE(decoded.has_value());
      CHECK(*decoded == input);
    }
  }
  // Every byte value, in one string and reversed.
  const std::string reversed(bytes.rbegin(), bytes.rend());
  CHECK(base64url_decode(base64url_encode(bytes)) == std::optional<std::string>(bytes));
  CHECK(base64url_decode(base64url_encode(reversed)) == std::optional<std::string>(reversed));
}

TEST_CASE("base64url_decode rejects what is not unpadded base64url") {
  CHECK_FALSE(base64url_decode("+_-_").has_value());   // standard alphabet
  CHECK_FALSE(base64url_decode("-_-/").has_value());   // standard alphabet
  CHECK_FALSE(base64url_decode("Zg==").has_value());   // padding
  CHECK_FALSE(base64url_decode("Zm8=").has_value());   // padding
  CHECK_FALSE(base64url_decode("Zm9v=").has_value());  // stray padding
  CHECK_FALSE(base64url_decode("=").has_value());
  CHECK_FALSE(base64url_decode("Z").has_value());      // a lone character is not a byte
  CHECK_FALSE(base64url_decode("Zm9vY").has_value());  // nor is a fifth one
  CHECK_FALSE(base64url_decode("Zh").has_value());     // non-zero trailing bits
  CHECK_FALSE(base64url_decode("Zm9").has_value());    // non-zero trailing bits
  CHECK(base64url_decode("Zm8") == std::optional<std::string>("fo"));  // while this is fine
  CHECK_FALSE(base64url_decode("Zm9 v").has_value());                  // whitespace
  CHECK_FALSE(base64url_decode("Zm9v\n").has_value());
  CHECK_FALSE(base64url_decode("!!!!").has_value());
  CHECK_FALSE(base64url_decode("not base64!").has_value());
  CHECK_FALSE(base64url_decode(std::string_view("Zm9v\0", 5)).has_value());
}

TEST_CASE("base64url_decode accepts exactly the URL-safe alphabet") {
  const std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // "AAA" + one character is always 3 whole bytes: only the last character varies.
  std::string wrongly_accepted;  // hex of every byte outside the alphabet that decoded
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    std::string text = "AAA";
    text += c;
    const auto decoded = base64url_decode(text);
    const auto position = alphabet.find(c);
    if (position == std::string_view::npos) {
      if (decoded) wrongly_accepted += to_hex(std::string_view(&c, 1)) + " ";
    } else {
      CAPTURE(b);
      REQUIRE(decoded.has_value());
      CHECK(*decoded == std::string("\0\0", 2) + static_cast<char>(position));
    }
  }
  CHECK(wrongly_accepted == "");
  // libsodium 1.0.18 decodes every byte >= 0x80 as '_'.
  CHECK_FALSE(base64url_decode("\xc3\xa9\xc3\xa9").has_value());
  CHECK_FALSE(base64url_decode("AAA\x80").has_value());
  CHECK_FALSE(base64url_decode("AAA\xff").has_value());
}

TEST_CASE("constant_time_equal") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "bbc"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("ab", "abc"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK_FALSE(constant_time_equal("a", ""));
  const std::string long_a(1000, 'x');
  std::string long_b = long_a;
  CHECK(constant_time_equal(long_a, long_b));
  long_b[999] = 'y';
  CHECK_FALSE(constant_time_equal(long_a, long_b));
}

TEST_CASE("random_bytes") {
  CHECK(random_bytes(0).empty());
  CHECK(random_bytes(1).size() == 1);
  CHECK(random_bytes(32).size() == 32);
  CHECK(random_bytes(1000).size() == 1000);
  const std::string a = random_bytes(32);
  const std::string b = random_bytes(32);
  CHECK(a != b);
  // Not left zero-filled.
  CHECK(a != std::string(32, '\0'));
}
