#pragma once
// The JSON toolkit of the C ABI, shared by every *-c.cpp: writers that append a record's fields to
// one string (a record is a fixed shape, so a get's JSON costs one allocation), and a strict
// reader (every field typed, no unknown field, no more than max_depth levels) whose messages name
// the argument and the field. Each engine's codecs live beside its entry points.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "abi_fields.hpp"
#include "capi_internal.hpp"
#include "core/json.hpp"

namespace quire::capi {

using Json = nlohmann::json;

// ---- Output ------------------------------------------------------------------------------------

// A JSON string literal; invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
inline void append_string(std::string& out, std::string_view s) {
  detail::append_json_string(out, s);
}
void append_int(std::string& out, std::int64_t value);
void append_time(std::string& out, Timestamp t);
// The shortest text that reads back as the same double; null for NaN and infinities.
void append_double(std::string& out, double value);
// `"key":` after a comma unless it is the first field.
void append_key(std::string& out, std::string_view key, bool first = false);

inline void append_bool(std::string& out, bool value) {
  out += value ? "true" : "false";
}

inline void append_nullable_time(std::string& out, const std::optional<Timestamp>& t) {
  if (t) {
    append_time(out, *t);
  } else {
    out += "null";
  }
}

inline void append_nullable_int(std::string& out, const std::optional<std::int64_t>& value) {
  if (value) {
    append_int(out, *value);
  } else {
    out += "null";
  }
}

inline void append_nullable_string(std::string& out, const std::optional<std::string>& s) {
  if (s) {
    append_string(out, *s);
  } else {
    out += "null";
  }
}

// A JSON object the engine keeps as compact text (settings, seo, fields), embedded as it is.
inline void append_object_text(std::string& out, std::string_view text) {
  out += text.empty() ? std::string_view("{}") : text;
}

template <class Range, class Append>
void append_array(std::string& out, const Range& items, Append append) {
  out.push_back('[');
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.push_back(',');
    first = false;
    append(out, item);
  }
  out.push_back(']');
}

template <class T, class Append>
std::string encode_page(const Page<T>& page, Append append) {
  std::string out;
  out.reserve(64 + page.items.size() * 256);
  out += "{\"items\":";
  append_array(out, page.items, append);
  append_key(out, "next_cursor");
  if (page.next_cursor.empty()) {
    out += "null";
  } else {
    append_string(out, page.next_cursor);
  }
  out.push_back('}');
  return out;
}

inline void append_strings(std::string& out, const std::vector<std::string>& items) {
  append_array(out, items, [](std::string& o, const std::string& s) { append_string(o, s); });
}

// A whole array of records as one string.
template <class T, class Append>
std::string encode_array(const std::vector<T>& items, Append append) {
  std::string out;
  out.reserve(16 + items.size() * 256);
  append_array(out, items, append);
  return out;
}

// Records more than one file writes: a post is also what a version restore returns.
void append_post(std::string& out, const Post& post);
std::string encode_post(const Post& post);

// ---- Input -------------------------------------------------------------------------------------

// A field name as a message quotes it: a JSON string, cut to a bounded length.
std::string quote_name(std::string_view text);

// An object argument; NULL is an empty object when `nullable`.
Json parse_object(const char* text, const char* name, bool nullable = false);
// An array of strings argument (a role's permissions).
std::vector<std::string> parse_string_array(const char* text, const char* name);

// Reads the fields of one JSON object, naming `path` ("tenant_json", "options_json.plans[0]") in
// its messages. Construction refuses any field outside `known`.
class Fields {
 public:
  // known: the fields the input accepts, from abi_fields.hpp (generated from capi/quire.abi.json).
  Fields(const Json& object, std::string path, std::span<const std::string_view> known)
      : object_(object), path_(std::move(path)) {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        throw_invalid_field(path_of(key), path_ + ": unknown field " + quote_name(key));
      }
    }
  }

  std::string path_of(std::string_view key) const { return path_ + "." + std::string(key); }

  bool has(std::string_view key) const { return find(key) != nullptr; }
  bool is_null(std::string_view key) const {
    const Json* value = find(key);
    return value != nullptr && value->is_null();
  }

  // Absent: nullopt. Present with another type (null included): QUIRE_EINVAL.
  std::optional<std::string> string(std::string_view key) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) wrong_type(key, "a string");
    return value->get<std::string>();
  }

  std::string required_string(std::string_view key) const {
    auto value = string(key);
    if (!value) throw_invalid_field(path_of(key), path_of(key) + " is required");
    return std::move(*value);
  }

  // Absent: nullopt; null: an empty optional inside; a string: that string.
  std::optional<std::optional<std::string>> nullable_string(std::string_view key) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_null()) return std::optional<std::string>();
    if (!value->is_string()) wrong_type(key, "a string or null");
    return value->get<std::string>();
  }

  std::optional<bool> boolean(std::string_view key) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) wrong_type(key, "true or false");
    return value->get<bool>();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    const auto out_of_range = [&] {
      wrong_type(key, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
    };
    if (!value->is_number_integer()) out_of_range();
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      out_of_range();
    }
    const auto number = value->get<std::int64_t>();
    if (number < min || number > max) out_of_range();
    return number;
  }

  std::optional<std::uint64_t> unsigned_integer(std::string_view key, std::uint64_t max) const {
    const Json* value = find(key);
    if (value == nullptr) return std::nullopt;
    const auto out_of_range = [&] {
      wrong_type(key, "an integer from 0 to " + std::to_string(max));
    };
    if (!value->is_number_integer()) out_of_range();
    if (!value->is_number_unsigned() && value->get<std::int64_t>() < 0) out_of_range();
    const auto number = value->get<std::uint64_t>();
    if (number > max) out_of_range();
    return number;
  }

  template <class Unsigned>
  void read_unsigned(std::string_view key, Unsigned& target) const {
    if (auto value = unsigned_integer(key, std::numeric_limits<Unsigned>::max())) {
      target = static_cast<Unsigned>(*value);
    }
  }

  // A nested object, as it is; absent: nullptr.
  const Json* object(std::string_view key) const {
    const Json* value = find(key);
    if (value != nullptr && !value->is_object()) wrong_type(key, "a JSON object");
    return value;
  }

  const Json* array(std::string_view key) const {
    const Json* value = find(key);
    if (value != nullptr && !value->is_array()) wrong_type(key, "an array");
    return value;
  }

  // A page cursor: absent or null is the first page.
  std::string cursor(std::string_view key) const {
    auto value = nullable_string(key);
    return value && *value ? std::move(**value) : std::string();
  }

 private:
  const Json* find(std::string_view key) const {
    const auto found = object_.find(key);
    return found == object_.end() ? nullptr : &*found;
  }

  [[noreturn]] void wrong_type(std::string_view key, std::string_view expected) const {
    throw_invalid_field(path_of(key), path_of(key) + " must be " + std::string(expected));
  }

  const Json& object_;
  std::string path_;
};

// A JSON object argument (settings, seo, fields) as compact text.
std::optional<std::string> object_text(const Fields& fields, std::string_view key);
// An array of strings (tags, scopes, permissions).
std::optional<std::vector<std::string>> string_list(const Fields& fields, std::string_view key);
// An RFC 3339 time; null too when `nullable` (then an empty optional inside).
std::optional<Timestamp> time_field(const Fields& fields, std::string_view key);
std::optional<std::optional<Timestamp>> nullable_time_field(const Fields& fields,
                                                            std::string_view key);
// The optional "ip", "user_agent" and "request_id" of a request.
RequestInfo read_request(const Fields& fields);

// A required RFC 3339 time argument (`at`, `cutoff`), or QUIRE_EINVAL naming it.
Timestamp time_arg(const char* value, const char* name);

}  // namespace quire::capi
