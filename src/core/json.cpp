#include "core/json.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace quire::detail {

namespace {

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
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    return fail(Errc::invalid_argument,
                fmt::format("{} is not valid JSON (byte {})", field, e.byte));
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

}  // namespace quire::detail
