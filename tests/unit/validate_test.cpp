#include "core/validate.hpp"

#include <doctest/doctest.h>

#include <climits>
#include <string>
#include <string_view>

using quire::Errc;
using namespace quire::detail;

namespace {

// The error of a failed Result, checked to be invalid_argument.
template <class R>
std::string invalid(const R& result) {
  REQUIRE(result.has_error());
  CHECK(result.error().code == Errc::invalid_argument);
  CHECK(result.error().backend_detail.empty());
  return result.error().message;
}

std::string repeat(char c, std::size_t n) {
  return std::string(n, c);
}

}  // namespace

// ---- quoted -------------------------------------------------------------------------------------

TEST_CASE("quoted") {
  CHECK(quoted("") == R"("")");
  CHECK(quoted("abc") == R"("abc")");
  CHECK(quoted("caf\xC3\xA9") == "\"caf\xC3\xA9\"");  // UTF-8 passes through
  CHECK(quoted(R"(say "hi")") == R"("say \"hi\"")");
  CHECK(quoted(R"(a\b)") == R"("a\\b")");
  CHECK(quoted("a\nb") == R"("a\x0ab")");
  CHECK(quoted("\t\r\x1f") == R"("\x09\x0d\x1f")");
  CHECK(quoted("\x7f") == R"("\x7f")");
  CHECK(quoted(std::string_view("a\0b", 3)) == R"("a\x00b")");
  CHECK(quoted(" ~") == R"(" ~")");  // the printable edges are kept
}

TEST_CASE("quoted cuts at 64 bytes") {
  const std::string a64 = repeat('a', 64);
  CHECK(quoted(a64) == "\"" + a64 + "\"");
  CHECK(quoted(repeat('a', 65)) == "\"" + a64 + "\xE2\x80\xA6\"");  // U+2026 HORIZONTAL ELLIPSIS
  CHECK(quoted(repeat('a', 1000)) == "\"" + a64 + "\xE2\x80\xA6\"");
  // The cut counts input bytes, not escaped output.
  std::string escaped64;
  for (int i = 0; i < 64; ++i) escaped64 += "\\\"";
  CHECK(quoted(repeat('"', 64)) == "\"" + escaped64 + "\"");
  CHECK(quoted(repeat('"', 65)) == "\"" + escaped64 + "\xE2\x80\xA6\"");
  std::string controls64;
  for (int i = 0; i < 64; ++i) controls64 += "\\x01";
  CHECK(quoted(repeat('\x01', 70)) == "\"" + controls64 + "\xE2\x80\xA6\"");
}

// ---- is_valid_utf8 ------------------------------------------------------------------------------

TEST_CASE("is_valid_utf8 accepts UTF-8") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII ~"));
  CHECK(is_valid_utf8(std::string_view("\0", 1)));
  CHECK(is_valid_utf8("\x7f"));
  CHECK(is_valid_utf8("\xC2\x80"));          // U+0080, smallest 2-byte
  CHECK(is_valid_utf8("\xC3\xA9"));          // é
  CHECK(is_valid_utf8("\xDF\xBF"));          // U+07FF, largest 2-byte
  CHECK(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  CHECK(is_valid_utf8("\xE2\x82\xAC"));      // €
  CHECK(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above them
  CHECK(is_valid_utf8("\xEF\xBF\xBF"));      // U+FFFF
  CHECK(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  CHECK(is_valid_utf8("\xF0\x9D\x84\x9E"));  // 𝄞
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  CHECK(is_valid_utf8("a\xC3\xA9z\xE2\x82\xAC\xF0\x9D\x84\x9E!"));
}

TEST_CASE("is_valid_utf8 rejects what is not UTF-8") {
  // Overlong forms.
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));
  CHECK_FALSE(is_valid_utf8("\xC1\xBF"));
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));
  CHECK_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
  CHECK_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));
  CHECK_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));
  // Surrogates.
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));              // U+D800
  CHECK_FALSE(is_valid_utf8("\xED\xBF\xBF"));              // U+DFFF
  CHECK_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 pair
  // Past U+10FFFF.
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xF7\xBF\xBF\xBF"));
  CHECK_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  CHECK_FALSE(is_valid_utf8("\xFC\x84\x80\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xFE"));
  CHECK_FALSE(is_valid_utf8("\xFF"));
  // Truncated sequences.
  CHECK_FALSE(is_valid_utf8("\xC3"));
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));
  CHECK_FALSE(is_valid_utf8("\xE2"));
  CHECK_FALSE(is_valid_utf8("\xF0\x9D\x84"));
  CHECK_FALSE(is_valid_utf8("\xF0\x9D"));
  CHECK_FALSE(is_valid_utf8("abc\xC3"));
  CHECK_FALSE(is_valid_utf8("abc\xF0\x9D\x84"));
  CHECK_FALSE(is_valid_utf8("\xC3z"));
  CHECK_FALSE(is_valid_utf8("\xE2\x82z"));
  // Lone or stray continuation bytes.
  CHECK_FALSE(is_valid_utf8("\x80"));
  CHECK_FALSE(is_valid_utf8("\xBF"));
  CHECK_FALSE(is_valid_utf8("a\x80z"));
  CHECK_FALSE(is_valid_utf8("\xC3\xA9\xA9"));
  // A continuation position that is not a continuation byte.
  CHECK_FALSE(is_valid_utf8("\xC3\x28"));
  CHECK_FALSE(is_valid_utf8("\xE2\x28\xAC"));
  CHECK_FALSE(is_valid_utf8("\xE2\x82\x28"));
  CHECK_FALSE(is_valid_utf8("\xF0\x28\x84\x9E"));
  CHECK_FALSE(is_valid_utf8("\xF0\x9D\x84\x28"));
  CHECK_FALSE(is_valid_utf8(std::string_view("\xC3\0", 2)));
}

// ---- check_text ---------------------------------------------------------------------------------

TEST_CASE("check_text accepts and trims") {
  CHECK(check_text("title", "Hello", 100).value() == "Hello");
  CHECK(check_text("title", "  Hello world  ", 100).value() == "Hello world");
  CHECK(check_text("title", "\t Hello\t", 100).value() == "Hello");
  CHECK(check_text("title", "caf\xC3\xA9", 100).value() == "caf\xC3\xA9");
  CHECK(check_text("title", "x", 1).value() == "x");
  // The limit applies to the trimmed text.
  CHECK(check_text("title", "abcde", 5).value() == "abcde");
  CHECK(check_text("title", "   abcde   ", 5).value() == "abcde");
}

TEST_CASE("check_text rejects") {
  CHECK(invalid(check_text("title", "", 100)) == "title must not be empty");
  CHECK(invalid(check_text("title", "   ", 100)) == "title must not be empty");
  CHECK(invalid(check_text("title", " \t \t", 100)) == "title must not be empty");

  CHECK(invalid(check_text("title", "abcdef", 5)) == "title must be at most 5 bytes, got 6");
  CHECK(invalid(check_text("name", repeat('x', 300), 255)) ==
        "name must be at most 255 bytes, got 300");
  // Bytes, not characters: "éé" is 4 bytes.
  CHECK(invalid(check_text("title", "\xC3\xA9\xC3\xA9", 3)) ==
        "title must be at most 3 bytes, got 4");

  CHECK(invalid(check_text("title", "a\nb", 100)) ==
        R"(title "a\x0ab" must not contain control characters)");
  CHECK(invalid(check_text("title", "abc\n", 100)) ==
        R"(title "abc\x0a" must not contain control characters)");
  CHECK(invalid(check_text("title", "a\x7f", 100)) ==
        R"(title "a\x7f" must not contain control characters)");
  CHECK(invalid(check_text("title", std::string_view("a\0b", 3), 100)) ==
        R"(title "a\x00b" must not contain control characters)");
  CHECK(invalid(check_text("title", "a\tb", 100)) ==
        R"(title "a\x09b" must not contain control characters)");

  CHECK(invalid(check_text("title", "a\xC0\xAF", 100)) == "title must be valid UTF-8");
  CHECK(invalid(check_text("title", "\xED\xA0\x80", 100)) == "title must be valid UTF-8");
  CHECK(invalid(check_text("title", "abc\xC3", 100)) == "title must be valid UTF-8");
}

TEST_CASE("check_text names the field") {
  for (const std::string_view field : {"title", "display name", "tenant name"}) {
    CAPTURE(field);
    CHECK(invalid(check_text(field, "", 10)).rfind(std::string(field) + " ", 0) == 0);
    CHECK(invalid(check_text(field, repeat('a', 11), 10)).rfind(std::string(field) + " ", 0) == 0);
    CHECK(invalid(check_text(field, "\x01", 10)).rfind(std::string(field) + " ", 0) == 0);
    CHECK(invalid(check_text(field, "\xFF", 10)).rfind(std::string(field) + " ", 0) == 0);
  }
}

// ---- check_tenant_slug --------------------------------------------------------------------------

TEST_CASE("check_tenant_slug accepts [a-z][a-z0-9-]{1,62}") {
  CHECK(check_tenant_slug("ab").has_value());
  CHECK(check_tenant_slug("acme").has_value());
  CHECK(check_tenant_slug("acme-corp-2").has_value());
  CHECK(check_tenant_slug("a1").has_value());
  CHECK(check_tenant_slug("a-").has_value());
  CHECK(check_tenant_slug("z9-9").has_value());
  CHECK(check_tenant_slug("a" + repeat('b', 62)).has_value());  // 63
  CHECK(check_tenant_slug("a" + repeat('-', 62)).has_value());
}

TEST_CASE("check_tenant_slug rejects") {
  for (const std::string& slug :
       {std::string(), std::string("a"), "a" + repeat('b', 63), "a" + repeat('b', 100),
        std::string("Acme"), std::string("acMe"), std::string("1acme"), std::string("-acme"),
        std::string("ac_me"), std::string("ac me"), std::string(" acme"), std::string("acme "),
        std::string("ac.me"), std::string("ac/me"), std::string("acm\xC3\xA9"),
        std::string("acme\n"), std::string("ac\0me", 5)}) {
    CAPTURE(slug);
    CHECK(invalid(check_tenant_slug(slug)) ==
          "tenant slug " + quoted(slug) + " must match [a-z][a-z0-9-]{1,62}");
  }
  CHECK(invalid(check_tenant_slug("Acme")) ==
        R"(tenant slug "Acme" must match [a-z][a-z0-9-]{1,62})");
}

// ---- check_username -----------------------------------------------------------------------------

TEST_CASE("check_username accepts [a-z0-9][a-z0-9._-]{0,63}") {
  CHECK(check_username("a").has_value());
  CHECK(check_username("7").has_value());
  CHECK(check_username("alice").has_value());
  CHECK(check_username("alice.smith_2-x").has_value());
  CHECK(check_username("0.._--").has_value());
  CHECK(check_username("a" + repeat('b', 63)).has_value());  // 64
}

TEST_CASE("check_username rejects") {
  for (const std::string& name :
       {std::string(), "a" + repeat('b', 64), std::string(".alice"), std::string("_alice"),
        std::string("-alice"), std::string("Alice"), std::string("alicE"), std::string("al ice"),
        std::string("al@ice"), std::string("al/ice"), std::string("al+ice"), std::string(" alice"),
        std::string("alice\t"), std::string("\xC3\xA9mile")}) {
    CAPTURE(name);
    CHECK(invalid(check_username(name)) ==
          "username " + quoted(name) + " must match [a-z0-9][a-z0-9._-]{0,63}");
  }
  CHECK(invalid(check_username("Alice")) ==
        R"(username "Alice" must match [a-z0-9][a-z0-9._-]{0,63})");
}

// ---- normalise_email ----------------------------------------------------------------------------

TEST_CASE("normalise_email accepts and normalises") {
  CHECK(normalise_email("alice@example.com").value() == "alice@example.com");
  CHECK(normalise_email("Alice@Example.COM").value() == "alice@example.com");
  CHECK(normalise_email("  alice@example.com\t ").value() == "alice@example.com");
  CHECK(normalise_email("a.b+tag@mail.example.co.uk").value() == "a.b+tag@mail.example.co.uk");
  CHECK(normalise_email("x@a.b").value() == "x@a.b");
  // The local part may have 64 bytes, the address 254.
  const std::string local64 = repeat('l', 64);
  CHECK(normalise_email(local64 + "@example.com").value() == local64 + "@example.com");
  const std::string domain189 = repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 61);
  const std::string longest = local64 + "@" + domain189;
  REQUIRE(longest.size() == 254);
  CHECK(normalise_email(longest).value() == longest);
  CHECK(normalise_email("  " + longest + "  ").value() == longest);  // trimmed before counting
}

TEST_CASE("normalise_email rejects") {
  const std::string local64 = repeat('l', 64);
  const std::string domain190 = repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 62);
  const std::string too_long = local64 + "@" + domain190;
  REQUIRE(too_long.size() == 255);
  for (const std::string& email : {
           std::string(),
           std::string("   "),
           std::string("alice"),
           std::string("alice.example.com"),
           std::string("alice@b@example.com"),
           std::string("alice@@example.com"),
           std::string("@example.com"),
           local64 + "l@example.com",  // local part of 65
           std::string("alice@localhost"),
           std::string("alice@"),
           std::string("alice@.com"),
           std::string("alice@example."),
           std::string("alice@example..com"),
           std::string("alice@-example.com"),
           std::string("alice@exa_mple.com"),
           std::string("al ice@example.com"),
           std::string("alice@exa mple.com"),
           std::string("alice @example.com"),
           std::string("al\tice@example.com"),
           std::string("al\nice@example.com"),
           std::string("\"alice\"@example.com"),
           std::string("alice,bob@example.com"),
           std::string("<alice@example.com>"),
           too_long,
       }) {
    CAPTURE(email);
    CHECK(invalid(normalise_email(email)) ==
          "email " + quoted(email) + " must be local@domain.tld, at most 254 bytes");
  }
  CHECK(invalid(normalise_email("Alice")) ==
        R"(email "Alice" must be local@domain.tld, at most 254 bytes)");
}

// ---- normalise_domain ---------------------------------------------------------------------------

TEST_CASE("normalise_domain accepts and normalises") {
  CHECK(normalise_domain("example.com").value() == "example.com");
  CHECK(normalise_domain("Example.COM").value() == "example.com");
  CHECK(normalise_domain("  blog.example.com ").value() == "blog.example.com");
  CHECK(normalise_domain("a.b").value() == "a.b");
  CHECK(normalise_domain("ex-ample.co.uk").value() == "ex-ample.co.uk");
  CHECK(normalise_domain("xn--bcher-kva.example").value() == "xn--bcher-kva.example");
  CHECK(normalise_domain("123.example").value() == "123.example");
  const std::string label63 = repeat('a', 63);
  CHECK(normalise_domain(label63 + ".com").value() == label63 + ".com");
  const std::string longest = label63 + "." + label63 + "." + label63 + "." + repeat('d', 61);
  REQUIRE(longest.size() == 253);
  CHECK(normalise_domain(longest).value() == longest);
}

TEST_CASE("normalise_domain rejects") {
  const std::string label63 = repeat('a', 63);
  const std::string too_long = label63 + "." + label63 + "." + label63 + "." + repeat('d', 62);
  REQUIRE(too_long.size() == 254);
  for (const std::string& domain : {
           std::string(),
           std::string("  "),
           std::string("localhost"),
           std::string("com"),
           std::string(".example.com"),
           std::string("example.com."),
           std::string("example..com"),
           std::string("."),
           std::string("-example.com"),
           std::string("example-.com"),
           std::string("example.-com"),
           std::string("exa_mple.com"),
           std::string("exa mple.com"),
           std::string("example.com/path"),
           std::string("example.com:8080"),
           std::string("alice@example.com"),
           std::string("b\xC3\xBC"
                       "cher.example"),
           repeat('a', 64) + ".com",
           too_long,
       }) {
    CAPTURE(domain);
    CHECK(invalid(normalise_domain(domain)) ==
          "domain " + quoted(domain) + " must be a host name like example.com");
  }
  CHECK(invalid(normalise_domain("LocalHost")) ==
        R"(domain "LocalHost" must be a host name like example.com)");
}

// ---- check_password -----------------------------------------------------------------------------

TEST_CASE("check_password") {
  CHECK(invalid(check_password("")) == "password must not be empty");
  CHECK(invalid(check_password("hunter2")) == "password must be at least 8 characters");  // 7
  CHECK(invalid(check_password("x")) == "password must be at least 8 characters");
  CHECK(check_password("hunter22").has_value());  // 8
  CHECK(check_password(repeat('p', 4096)).has_value());
  CHECK(invalid(check_password(repeat('p', 4097))) == "password must be at most 4096 bytes");
  CHECK(invalid(check_password(repeat('p', 100000))) == "password must be at most 4096 bytes");
  // Bytes, and any bytes at all.
  CHECK(check_password(std::string("\0\0\0\0\0\0\0\0", 8)).has_value());
  CHECK(check_password("        ").has_value());
}

TEST_CASE("check_password never puts the password in the message") {
  for (const std::string& password : {std::string("s3cr"), std::string("Xq7!zz9"),
                                      "Zz" + repeat('7', 4095), "Zz" + repeat('7', 5000)}) {
    CAPTURE(password.size());
    const auto result = check_password(password);
    REQUIRE(result.has_error());
    const std::string& message = result.error().message;
    CHECK(message.find(password) == std::string::npos);
    CHECK(message.find(password.substr(0, 4)) == std::string::npos);
    CHECK(message.find('"') == std::string::npos);  // nothing quoted at all
    CHECK(result.error().backend_detail.empty());
  }
}

// ---- check_limit --------------------------------------------------------------------------------

TEST_CASE("check_limit") {
  CHECK(invalid(check_limit(0)) == "limit must be 1..1000, got 0");
  CHECK(check_limit(1).has_value());
  CHECK(check_limit(50).has_value());
  CHECK(check_limit(1000).has_value());
  CHECK(invalid(check_limit(1001)) == "limit must be 1..1000, got 1001");
  CHECK(invalid(check_limit(UINT_MAX)) == "limit must be 1..1000, got " + std::to_string(UINT_MAX));
}
