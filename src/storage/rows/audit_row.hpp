#pragma once
// The audit_log table as both backends map it: its columns, how a row reads into an AuditEntry and
// what an append binds. Hashes travel as hex and are stored as 32 raw bytes.

#include <quire/audit.hpp>

#include "storage/rows/row.hpp"

namespace quire::storage::rows {

// The columns read_entry() reads and audit_values() binds, in that order (parameters 1 … 16).
#define QUIRE_AUDIT_COLUMNS                                                                    \
  "tenant_id, seq, at, actor_type, actor_id, action, resource_type, resource_id, outcome, ip," \
  " user_agent, request_id, prev_hash, hash, old_values, new_values"

AuditEntry read_entry(const ColumnReader& row);
Values audit_values(const AuditEntry& entry);

// A (seq, hash) row.
AuditHead read_head(const ColumnReader& row);

ActorType actor_type_from(std::string_view name);
// Throws std::invalid_argument unless `hex` is hex.
Blob hash_blob(std::string_view hex);

}  // namespace quire::storage::rows
