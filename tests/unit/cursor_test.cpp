#include "core/cursor.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/crypto.hpp"

using quire::Errc;
using namespace quire::detail;

namespace {

template <class R>
void check_malformed(const R& result) {
  CHECK(result.has_error());
  if (!result.has_error()) return;
  CHECK(result.error().code == Errc::invalid_argument);
  CHECK(result.error().message == "cursor is malformed");
  CHECK(result.error().backend_detail.empty());
}

}  // namespace

TEST_CASE("cursor round trip") {
  for (const Json& key : {
           Json(0),
           Json(1),
           Json(42),
           Json(-7),
           Json(std::numeric_limits<std::int64_t>::max()),
           Json(std::numeric_limits<std::int64_t>::min()),
           Json("hello"),
           Json(""),
           Json("caf\xC3\xA9 \"quoted\" \\ / \n"),
           Json::array({"2026-01-01T00:00:00Z", 17}),
           Json::array({1, "two", 3.5, nullptr, true}),
           Json::array(),
           Json::object({{"published", "2026-03-04"}, {"id", 9}}),
       }) {
    CAPTURE(key.dump());
    const std::string cursor = encode_cursor(key);
    CHECK_FALSE(cursor.empty());
    CHECK(cursor.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    const auto decoded = decode_cursor(cursor);
    REQUIRE(decoded.has_value());
    CHECK(decoded.value() == key);
  }
}

TEST_CASE("cursor is base64url of compact JSON") {
  CHECK(encode_cursor(Json(42)) == base64url_encode("42"));
  CHECK(encode_cursor(Json::array({"a", 1})) == base64url_encode(R"(["a",1])"));
  CHECK(decode_cursor(base64url_encode(R"( [ "a" , 1 ] )")).value() == Json::array({"a", 1}));
}

TEST_CASE("id cursor round trip") {
  for (const std::int64_t id : {std::int64_t{0}, std::int64_t{1}, std::int64_t{42},
                                std::int64_t{1} << 40, std::numeric_limits<std::int64_t>::max()}) {
    CAPTURE(id);
    const auto decoded = decode_id_cursor(encode_cursor(Json(id)));
    REQUIRE(decoded.has_value());
    CHECK(decoded.value() == id);
  }
  // An unsigned JSON number that fits in int64 is fine too.
  CHECK(decode_id_cursor(encode_cursor(Json(std::uint64_t{7}))).value() == 7);
}

TEST_CASE("empty cursors are the first page") {
  const auto key = decode_cursor("");
  REQUIRE(key.has_value());
  CHECK(key.value().is_null());
  const auto id = decode_id_cursor("");
  REQUIRE(id.has_value());
  CHECK(id.value() == 0);
  // An explicit JSON null is the first page as well.
  CHECK(decode_id_cursor(encode_cursor(Json())).value() == 0);
}

TEST_CASE("malformed cursors") {
  // Not base64url.
  check_malformed(decode_cursor("not a cursor!"));
  check_malformed(decode_cursor("NDI="));  // padded
  check_malformed(decode_cursor("N+I/"));  // standard alphabet
  check_malformed(decode_cursor("N"));
  check_malformed(decode_cursor(" NDI"));
  check_malformed(decode_cursor("\xC3\xA9"));
  // base64url, but not JSON.
  check_malformed(decode_cursor(base64url_encode("not json")));
  check_malformed(decode_cursor(base64url_encode("{")));
  check_malformed(decode_cursor(base64url_encode("[1,")));
  check_malformed(decode_cursor(base64url_encode("42 43")));
  check_malformed(decode_cursor(base64url_encode(" ")));
  check_malformed(decode_cursor(base64url_encode("\xFF\xFE")));
  for (const std::string_view bad : {"not a cursor!", "NDI=", "N"}) {
    CAPTURE(bad);
    check_malformed(decode_id_cursor(bad));
  }
  check_malformed(decode_id_cursor(base64url_encode("not json")));
}

TEST_CASE("cursors with bytes after the JSON value are malformed") {
  // nlohmann/json stops at a NUL byte as if the input ended there.
  check_malformed(decode_cursor(base64url_encode(std::string("4\0", 2))));
  check_malformed(decode_cursor(base64url_encode(std::string("4\0junk", 6))));
  check_malformed(decode_cursor(base64url_encode(std::string("[1]\0", 4))));
}

TEST_CASE("cursors with bytes outside the base64url alphabet are malformed") {
  // A byte outside the base64url alphabet in place of '_' (libsodium's decoder would take any
  // byte >= 0x80 as '_').
  std::string cursor =
      encode_cursor(Json("a?"));  // base64url of "\"a?\"": the 4th character is '_'
  REQUIRE(cursor[3] == '_');
  REQUIRE(decode_cursor(cursor).has_value());
  for (const char high : {'\x80', '\xC3', '\xFF'}) {
    cursor[3] = high;
    CAPTURE(static_cast<int>(static_cast<unsigned char>(high)));
    check_malformed(decode_cursor(cursor));
  }
}

TEST_CASE("cursors longer than 1024 characters are malformed") {
  // A JSON string of 768 bytes encodes to exactly 1024 characters.
  const Json at_limit = std::string(766, 'x');
  const std::string cursor1024 = encode_cursor(at_limit);
  REQUIRE(cursor1024.size() == 1024);
  CHECK(decode_cursor(cursor1024).value() == at_limit);

  const Json over_limit = std::string(767, 'x');
  const std::string cursor1026 = encode_cursor(over_limit);
  REQUIRE(cursor1026.size() == 1026);
  check_malformed(decode_cursor(cursor1026));
  check_malformed(decode_cursor(std::string(5000, 'A')));
  check_malformed(decode_id_cursor(cursor1026));
}

TEST_CASE("id cursors must hold a non-negative integer") {
  check_malformed(decode_id_cursor(encode_cursor(Json(-1))));
  check_malformed(decode_id_cursor(encode_cursor(Json(std::numeric_limits<std::int64_t>::min()))));
  check_malformed(decode_id_cursor(encode_cursor(Json(1.5))));
  check_malformed(decode_id_cursor(encode_cursor(Json(2.0))));
  check_malformed(decode_id_cursor(encode_cursor(Json("5"))));
  check_malformed(decode_id_cursor(encode_cursor(Json(true))));
  check_malformed(decode_id_cursor(encode_cursor(Json::array({5}))));
  check_malformed(decode_id_cursor(encode_cursor(Json::object({{"id", 5}}))));
  // Past int64: must not wrap around to a valid id.
  check_malformed(decode_id_cursor(base64url_encode("9223372036854775808")));
  check_malformed(decode_id_cursor(base64url_encode("18446744073709551615")));
  check_malformed(decode_id_cursor(base64url_encode("18446744073709551616")));
  check_malformed(decode_id_cursor(base64url_encode("1e3")));
}
