#include "core/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace quire::detail {

namespace {

// The length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(s[at]); };
  const auto in = [&](std::size_t at, unsigned lo, unsigned hi) {
    return at < s.size() && byte(at) >= lo && byte(at) <= hi;
  };
  const unsigned lead = byte(i);
  if (lead >= 0xC2 && lead <= 0xDF) return in(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned lo = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned hi = lead == 0xED ? 0x9F : 0xBF;
    return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned lo = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = lead == 0xF4 ? 0x8F : 0xBF;
    return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// Whether any of the 8 bytes in `word` needs a look of its own in a JSON string: a control
// character, '"', '\\' or a byte of a multi-byte UTF-8 sequence. Post bodies are long runs of
// plain text, so this skips them 8 bytes at a time (a third of a W1 get's cost through the ABI was
// the byte-by-byte scan).
constexpr bool needs_look(std::uint64_t word) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const std::uint64_t control = (word - ones * 0x20) & ~word & highs;  // some byte < 0x20
  return (control | has_zero(word ^ (ones * '"')) | has_zero(word ^ (ones * '\\')) |
          (word & highs)) != 0;
}

// How deeply arrays and objects nest, outside strings. nlohmann/json recurses once per level
// when it dumps or destroys a value, so deep input could exhaust the stack.
std::size_t nesting(std::string_view text) noexcept {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Json parse_tracking_path(std::string_view text, std::string& path) {
  // The key being read at each depth; `path` is rebuilt from them as each key is read.
  std::vector<std::string> keys;
  const Json::parser_callback_t track = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::key) {
      keys.resize(static_cast<std::size_t>(std::max(depth, 1)));
      keys.back() = parsed.get<std::string>();
      path.clear();
      for (const auto& key : keys) path.append(".").append(key);
    }
    return true;
  };
  return Json::parse(text, track);
}

std::string out_of_range_message(std::string_view field, std::string_view path) {
  return fmt::format("{}{} must be a number within the range of a double", field, path);
}

Result<Json> parse_json(std::string_view field, std::string_view text) noexcept {
  constexpr std::size_t max_depth = 64;
  if (nesting(text) > max_depth) {
    return fail(Errc::invalid_argument,
                fmt::format("{} must not nest deeper than {} levels", field, max_depth));
  }
  // nlohmann/json stops at a NUL as if the input ended there; JSON text never contains one.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return fail(Errc::invalid_argument,
                fmt::format("{} is not valid JSON (NUL byte at {})", field, nul));
  }
  std::string path;
  try {
    return parse_tracking_path(text, path);
  } catch (const Json::parse_error& e) {
    return fail(Errc::invalid_argument,
                fmt::format("{} is not valid JSON (byte {})", field, e.byte));
  } catch (const Json::out_of_range&) {
    return fail(Errc::invalid_argument, out_of_range_message(field, path));
  } catch (const std::exception& e) {
    return fail(Errc::internal, fmt::format("{}: {}", field, e.what()));
  }
}

Result<Json> parse_json_object(std::string_view field, std::string_view text,
                               std::size_t max_bytes) noexcept {
  if (text.size() > max_bytes) {
    return fail(Errc::invalid_argument,
                fmt::format("{} must be at most {} bytes of JSON", field, max_bytes));
  }
  QUIRE_TRY(auto value, parse_json(field, text));
  if (!value.is_object()) {
    return fail(Errc::invalid_argument, fmt::format("{} must be a JSON object", field));
  }
  return value;
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::pair<Json, Json> changed_fields(const Json& before, const Json& after) {
  Json old_values = Json::object();
  Json new_values = Json::object();
  for (const auto& [key, value] : before.items()) {
    const auto other = after.find(key);
    if (other == after.end()) {
      old_values[key] = value;
      new_values[key] = nullptr;
    } else if (*other != value) {
      old_values[key] = value;
      new_values[key] = *other;
    }
  }
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key)) {
      old_values[key] = nullptr;
      new_values[key] = value;
    }
  }
  return {std::move(old_values), std::move(new_values)};
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t clean = 0;  // start of the run not yet copied
  std::size_t i = 0;
  while (i < s.size()) {
    if (std::uint64_t word = 0; i + 8 <= s.size()) {
      std::memcpy(&word, s.data() + i, 8);
      if (!needs_look(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const auto length = utf8_sequence(s, i); length != 0) {
        i += length;
        continue;
      }
    }
    out.append(s.substr(clean, i - clean));
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
        }
    }
    clean = ++i;
  }
  out.append(s.substr(clean));
  out.push_back('"');
}

}  // namespace quire::detail
