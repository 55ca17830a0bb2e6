#pragma once
// JSON in and out of the library: nlohmann/json, with parse failures turned into Errors that name
// the field, and dumps that never throw on invalid UTF-8.

#include <nlohmann/json.hpp>
#include <quire/result.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace quire::detail {

using Json = nlohmann::json;

// Json::parse, keeping in `path` where it is (".limit", ".settings.theme"): nlohmann/json
// refuses a number beyond a double (1e400) with out_of_range, which says nothing of where. Throws
// as Json::parse does; `path` then names the key whose value it was reading.
Json parse_tracking_path(std::string_view text, std::string& path);
// The message for such a number: "options_json.busy_timeout_ms must be a number within the range
// of a double".
std::string out_of_range_message(std::string_view field, std::string_view path);

// Errors: invalid_argument naming `field` and the parser's position, or the field of a number
// out of range.
Result<Json> parse_json(std::string_view field, std::string_view text) noexcept;
// As parse_json, and the value must be an object of at most max_bytes of text.
Result<Json> parse_json_object(std::string_view field, std::string_view text,
                               std::size_t max_bytes = std::size_t{64} * 1024) noexcept;
// Compact text; invalid UTF-8 is replaced (U+FFFD) rather than thrown on.
std::string dump_json(const Json& value);

// Appends `text` as a JSON string literal, without building a Json value: for valid UTF-8 the
// same bytes as dump_json(Json(text)) (", \ and control characters escaped, \b \f \n \r \t by
// name and the others as \u00xx, everything else as is); a byte that starts no valid UTF-8
// sequence becomes U+FFFD, so the output is always valid JSON. Used where records are written by
// hand: the C ABI's output and the audit chain's canonical entries.
void append_json_string(std::string& out, std::string_view text);

// The fields that differ between two objects, as {their values before, their values after}; a
// field missing on one side shows as null there.
std::pair<Json, Json> changed_fields(const Json& before, const Json& after);

}  // namespace quire::detail
