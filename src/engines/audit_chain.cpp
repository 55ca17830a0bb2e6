#include "engines/audit_chain.hpp"

#include <array>
#include <charconv>
#include <string_view>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/validate.hpp"

namespace quire::detail {

namespace {

void append_integer(std::string& out, std::int64_t value) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  out.append(digits.data(), end);
}

void append_optional(std::string& out, const std::optional<std::string>& text) {
  if (text) {
    append_json_string(out, *text);
  } else {
    out += "null";
  }
}

// The same bytes as building the object with nlohmann/json and dumping it, written directly. Only
// for entries whose text is all valid UTF-8: nlohmann/json replaces invalid sequences, and the
// general path below keeps that rule in one place.
bool writes_directly(const AuditEntry& entry) {
  const auto valid = [](const std::optional<std::string>& text) {
    return !text || is_valid_utf8(*text);
  };
  return is_valid_utf8(entry.action) && is_valid_utf8(entry.resource_type) &&
         is_valid_utf8(entry.resource_id) && is_valid_utf8(entry.outcome) &&
         is_valid_utf8(entry.ip) && is_valid_utf8(entry.user_agent) &&
         is_valid_utf8(entry.request_id) && valid(entry.old_values) && valid(entry.new_values);
}

std::string canonical_directly(const AuditEntry& entry) {
  std::string out;
  out.reserve(256 + (entry.old_values ? entry.old_values->size() * 9 / 8 : 0) +
              (entry.new_values ? entry.new_values->size() * 9 / 8 : 0));
  // Keys in nlohmann/json's order (std::map: bytewise).
  out += "{\"action\":";
  append_json_string(out, entry.action);
  out += ",\"actor_id\":";
  append_integer(out, entry.actor_id);
  out += ",\"actor_type\":";
  append_json_string(out, actor_type_name(entry.actor_type));
  out += ",\"at\":";
  append_integer(out, entry.at);
  out += ",\"ip\":";
  append_json_string(out, entry.ip);
  out += ",\"new\":";
  append_optional(out, entry.new_values);
  out += ",\"old\":";
  append_optional(out, entry.old_values);
  out += ",\"outcome\":";
  append_json_string(out, entry.outcome);
  out += ",\"request_id\":";
  append_json_string(out, entry.request_id);
  out += ",\"resource_id\":";
  append_json_string(out, entry.resource_id);
  out += ",\"resource_type\":";
  append_json_string(out, entry.resource_type);
  out += ",\"seq\":";
  append_integer(out, entry.seq);
  out += ",\"tenant_id\":";
  append_integer(out, entry.tenant_id);
  out += ",\"user_agent\":";
  append_json_string(out, entry.user_agent);
  out += '}';
  return out;
}

}  // namespace

const std::string& genesis_hash() {
  static const std::string zeros(64, '0');
  return zeros;
}

std::string canonical_entry(const AuditEntry& entry) {
  if (writes_directly(entry)) return canonical_directly(entry);
  Json object = {
      {"tenant_id", entry.tenant_id},
      {"seq", entry.seq},
      {"at", entry.at},
      {"actor_type", actor_type_name(entry.actor_type)},
      {"actor_id", entry.actor_id},
      {"action", entry.action},
      {"resource_type", entry.resource_type},
      {"resource_id", entry.resource_id},
      {"outcome", entry.outcome},
      {"old", entry.old_values ? Json(*entry.old_values) : Json()},
      {"new", entry.new_values ? Json(*entry.new_values) : Json()},
      {"ip", entry.ip},
      {"user_agent", entry.user_agent},
      {"request_id", entry.request_id},
  };
  return dump_json(object);  // nlohmann/json keeps object keys sorted
}

std::string entry_hash(const AuditEntry& entry) {
  const auto prev = from_hex(entry.prev_hash).value_or(std::string());
  const auto digest = blake2b_256(prev + canonical_entry(entry));
  return to_hex_public(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace quire::detail
