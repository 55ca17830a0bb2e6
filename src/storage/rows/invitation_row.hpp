#pragma once
// The invitations table as both backends map it: its columns, how a row reads into an
// InvitationRow and what an insert binds.

#include <quire/storage.hpp>

#include "storage/rows/row.hpp"

namespace quire::storage::rows {

// Every column, in the order read_invitation() reads them.
#define QUIRE_INVITATION_COLUMNS                                                              \
  "id, tenant_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by," \
  " revoked_at, token_hash"

// Every column but id: what invitation_values() binds, as parameters 1 … 10.
#define QUIRE_INVITATION_WRITE_COLUMNS                                                    \
  "tenant_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by," \
  " revoked_at, token_hash"

InvitationRow read_invitation(const ColumnReader& row);

Values invitation_values(const InvitationRow& row);

// What update() rewrites, as parameters 1 … 3, then id and tenant_id as 4 and 5.
Values invitation_state_values(const Invitation& invitation);

}  // namespace quire::storage::rows
