#include "core/json.hpp"

#include <fmt/format.h>

namespace quire::detail {

Result<Json> parse_json(std::string_view field, std::string_view text) noexcept {
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
