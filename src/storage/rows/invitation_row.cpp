#include "storage/rows/invitation_row.hpp"

namespace quire::storage::rows {

InvitationRow read_invitation(const ColumnReader& row) {
  InvitationRow stored;
  auto& invitation = stored.invitation;
  invitation.id = row.int64(0);
  invitation.tenant_id = row.int64(1);
  invitation.email = row.string(2);
  invitation.role = row.string(3);
  invitation.invited_by = row.int64(4);
  invitation.created_at = row.int64(5);
  invitation.expires_at = row.int64(6);
  invitation.accepted_at = row.optional_int64(7);
  invitation.accepted_by = row.optional_int64(8);
  invitation.revoked_at = row.optional_int64(9);
  stored.token_hash = row.blob(10);
  return stored;
}

Values invitation_values(const InvitationRow& row) {
  const auto& invitation = row.invitation;
  Values values;
  values.add(invitation.tenant_id)
      .add(invitation.email)
      .add(invitation.role)
      .add(invitation.invited_by)
      .add(invitation.created_at)
      .add(invitation.expires_at)
      .add(invitation.accepted_at)
      .add(invitation.accepted_by)
      .add(invitation.revoked_at)
      .add(Blob{row.token_hash});
  return values;
}

Values invitation_state_values(const Invitation& invitation) {
  Values values;
  values.add(invitation.accepted_at)
      .add(invitation.accepted_by)
      .add(invitation.revoked_at)
      .add(invitation.id)
      .add(invitation.tenant_id);
  return values;
}

}  // namespace quire::storage::rows
