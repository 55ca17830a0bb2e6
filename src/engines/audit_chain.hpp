#pragma once
// The hash chain of the audit trail: hash = BLAKE2b-256(prev_hash ‖ canonical entry). One
// definition, used when appending and when verifying.

#include <quire/audit.hpp>
#include <string>

namespace quire::detail {

// The prev_hash of a chain's first entry: 32 zero bytes, in hex.
const std::string& genesis_hash();

// The entry's fields (not its hashes) as compact JSON with sorted keys; old and new values are
// included as the exact text stored, so no re-encoding can change the hash.
std::string canonical_entry(const AuditEntry& entry);

// BLAKE2b-256(prev_hash bytes ‖ canonical_entry), in hex.
std::string entry_hash(const AuditEntry& entry);

}  // namespace quire::detail
