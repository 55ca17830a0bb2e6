#include "engines/audit_chain.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace quire::detail {

const std::string& genesis_hash() {
  static const std::string zeros(64, '0');
  return zeros;
}

std::string canonical_entry(const AuditEntry& entry) {
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
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace quire::detail
