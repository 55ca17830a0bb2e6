#include "storage/rows/audit_row.hpp"

#include <stdexcept>

#include "core/crypto.hpp"

namespace quire::storage::rows {

ActorType actor_type_from(std::string_view name) {
  if (name == "user") return ActorType::user;
  if (name == "api_key") return ActorType::api_key;
  return ActorType::system;
}

Blob hash_blob(std::string_view hex) {
  auto bytes = detail::from_hex(hex);
  if (!bytes) throw std::invalid_argument("an audit hash must be hex");
  return Blob{std::move(*bytes)};
}

AuditEntry read_entry(const ColumnReader& row) {
  AuditEntry entry;
  entry.tenant_id = row.int64(0);
  entry.seq = row.int64(1);
  entry.at = row.int64(2);
  entry.actor_type = actor_type_from(row.text(3));
  entry.actor_id = row.int64(4);
  entry.action = row.string(5);
  entry.resource_type = row.string(6);
  entry.resource_id = row.string(7);
  entry.outcome = row.string(8);
  entry.ip = row.string(9);
  entry.user_agent = row.string(10);
  entry.request_id = row.string(11);
  entry.prev_hash = detail::to_hex_public(row.blob(12));
  entry.hash = detail::to_hex_public(row.blob(13));
  entry.old_values = row.optional_string(14);
  entry.new_values = row.optional_string(15);
  return entry;
}

Values audit_values(const AuditEntry& entry) {
  Values values;
  values.add(entry.tenant_id)
      .add(entry.seq)
      .add(entry.at)
      .add(actor_type_name(entry.actor_type))
      .add(entry.actor_id)
      .add(entry.action)
      .add(entry.resource_type)
      .add(entry.resource_id)
      .add(entry.outcome)
      .add(entry.ip)
      .add(entry.user_agent)
      .add(entry.request_id)
      .add(hash_blob(entry.prev_hash))
      .add(hash_blob(entry.hash))
      .add(entry.old_values)
      .add(entry.new_values);
  return values;
}

AuditHead read_head(const ColumnReader& row) {
  return AuditHead{row.int64(0), detail::to_hex_public(row.blob(1))};
}

}  // namespace quire::storage::rows
