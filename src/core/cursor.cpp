#include "core/cursor.hpp"

#include "core/crypto.hpp"

namespace quire::detail {

namespace {
Error malformed() {
  return fail(Errc::invalid_argument, "cursor is malformed");
}
}  // namespace

std::string encode_cursor(const Json& key) {
  return base64url_encode(dump_json(key));
}

Result<Json> decode_cursor(std::string_view cursor) noexcept {
  if (cursor.empty()) return Json();
  if (cursor.size() > 1024) return malformed();
  try {
    auto text = base64url_decode(cursor);
    if (!text) return malformed();
    auto value = parse_json("cursor", *text);
    if (!value) return malformed();
    return std::move(value).assume_value();
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  }
}

Result<std::int64_t> decode_id_cursor(std::string_view cursor) noexcept {
  QUIRE_TRY(auto key, decode_cursor(cursor));
  if (key.is_null()) return std::int64_t{0};
  // Ids are never negative, so nlohmann/json holds a valid one as an unsigned number.
  const auto* id = key.get_ptr<const Json::number_unsigned_t*>();
  if (id == nullptr || *id > static_cast<std::uint64_t>(INT64_MAX)) return malformed();
  return static_cast<std::int64_t>(*id);
}

}  // namespace quire::detail
