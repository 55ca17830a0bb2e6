#include "core/json.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using namespace quire::detail;

namespace {

std::string literal(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// Plain text with `special` at every offset of an 8-byte word, so the 8-byte scan is crossed at
// each alignment.
std::vector<std::string> at_every_offset(std::string_view special) {
  std::vector<std::string> texts;
  for (std::size_t pad = 0; pad < 17; ++pad) {
    texts.push_back(std::string(pad, 'a') + std::string(special) + std::string(20, 'z'));
  }
  return texts;
}

}  // namespace

// The audit chain hashes these bytes, so they must stay exactly nlohmann/json's: a difference
// would break the verification of every chain already written.
TEST_CASE("append_json_string writes valid UTF-8 exactly as nlohmann/json dumps it") {
  std::vector<std::string> texts = {"",
                                    "plain",
                                    "say \"hi\"",
                                    "back\\slash",
                                    "caf\xc3\xa9",
                                    "\xe2\x82\xac 5",
                                    "\xf0\x9f\x98\x80",
                                    "del \x7f"};
  for (int c = 0; c < 0x80; ++c) texts.emplace_back(1, static_cast<char>(c));
  for (const char* special :
       {"\"", "\\", "\n", "\x01", "\x1f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
    for (auto& text : at_every_offset(special)) texts.push_back(std::move(text));
  }
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(literal(text) == dump_json(Json(text)));
  }
}

TEST_CASE("append_json_string replaces invalid UTF-8 and still writes valid JSON") {
  for (const char* bad :
       {"\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}) {
    for (const auto& text : at_every_offset(bad)) {
      CAPTURE(text);
      const auto out = literal(text);
      CHECK(out.find("\xef\xbf\xbd") != std::string::npos);
      const auto parsed = parse_json("text", out);
      REQUIRE(parsed.has_value());
      CHECK(parsed.value().is_string());
    }
  }
}

TEST_CASE("parse_json: a number beyond a double is invalid_argument naming its field") {
  const struct {
    const char* text;
    const char* names;
  } cases[] = {{"1e400", "settings must be a number"},
               {R"({"a":-1e400})", "settings.a must be a number"},
               {R"({"a":{"b":[1,2e999]}})", "settings.a.b must be a number"},
               {R"({"a":1,"b":{"c":1},"d":1e400})", "settings.d must be a number"}};
  for (const auto& c : cases) {
    CAPTURE(c.text);
    const auto parsed = parse_json("settings", c.text);
    REQUIRE(parsed.has_error());
    CHECK(parsed.error().code == quire::Errc::invalid_argument);
    CHECK(parsed.error().message.find(c.names) != std::string::npos);
  }
  // Large numbers a double holds are still numbers.
  CHECK(parse_json("settings", R"({"a":1e308})").value()["a"].is_number_float());
}
