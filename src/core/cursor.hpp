#pragma once
// Opaque keyset cursors: the sort key of the last row of a page, as base64url JSON. Hosts pass them
// back verbatim; anything else is refused with invalid_argument.

#include <string>
#include <string_view>

#include "core/json.hpp"

namespace quire::detail {

std::string encode_cursor(const Json& key);
// An empty cursor decodes to null (the first page). Errors: invalid_argument.
Result<Json> decode_cursor(std::string_view cursor) noexcept;
// For scans keyed by id alone: the last id seen, 0 for the first page.
Result<std::int64_t> decode_id_cursor(std::string_view cursor) noexcept;

}  // namespace quire::detail
