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
  auto text = base64url_decode(cursor);
  if (!text) return malformed();
  auto value = parse_json("cursor", *text);
  if (!value) return malformed();
  return std::move(value).value();
}

Result<std::int64_t> decode_id_cursor(std::string_view cursor) noexcept {
  QUIRE_TRY(auto key, decode_cursor(cursor));
  if (key.is_null()) return std::int64_t{0};
  if (!key.is_number_integer() || key.get<std::int64_t>() < 0) return malformed();
  return key.get<std::int64_t>();
}

}  // namespace quire::detail
