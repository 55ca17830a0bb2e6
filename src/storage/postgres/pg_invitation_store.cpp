// The PostgreSQL store of invitations to join a tenant.
//
// invitations is tenant-owned, under row-level security. A presented token names no tenant, so
// the global directory invitation_tokens maps its hash to the tenant (and holds nothing else), as
// api_key_ids does for keys; the row itself is then read under row-level security.

#include <fmt/format.h>

#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/pg_stores.hpp"
#include "storage/rows/invitation_row.hpp"

namespace quire::storage::postgres {

namespace {

const auto read_row = reading(rows::read_invitation);
const auto read_record =
    reading([](const rows::ColumnReader& row) { return rows::read_invitation(row).invitation; });

}  // namespace

Result<std::int64_t> PgInvitationStore::insert(const InvitationRow& row) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    QUIRE_TRY(auto result,
              db_.write_in(row.invitation.tenant_id,
                           "WITH d AS (INSERT INTO invitation_tokens (token_hash, tenant_id)"
                           " VALUES ($10, $1))"
                           " INSERT INTO invitations (" QUIRE_INVITATION_WRITE_COLUMNS
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                           to_params(rows::invitation_values(row))));
    return result.int64(0, 0);
  });
}

Result<std::optional<Invitation>> PgInvitationStore::find(TenantId tenant,
                                                          std::int64_t id) noexcept {
  return guarded([&]() -> Result<std::optional<Invitation>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT " QUIRE_INVITATION_COLUMNS
                                       " FROM invitations WHERE tenant_id = $1 AND id = $2",
                                       Params(tenant, id)));
    return first_row(result, read_record);
  });
}

Result<std::optional<InvitationRow>> PgInvitationStore::find_by_token_hash(
    std::string_view token_hash) noexcept {
  return guarded([&]() -> Result<std::optional<InvitationRow>> {
    const auto hash = bytea_param(token_hash);
    QUIRE_TRY(
        auto directory,
        db_.read("SELECT tenant_id FROM invitation_tokens WHERE token_hash = $1", Params(hash)));
    const auto tenant =
        first_row(directory, [](const PgResult& r, int row) { return TenantId{r.int64(row, 0)}; });
    if (!tenant) return std::optional<InvitationRow>();
    QUIRE_TRY(auto result, db_.read_in(*tenant,
                                       "SELECT " QUIRE_INVITATION_COLUMNS
                                       " FROM invitations WHERE tenant_id = $1 AND token_hash = $2",
                                       Params(*tenant, hash)));
    return first_row(result, read_row);
  });
}

Result<std::vector<Invitation>> PgInvitationStore::list_pending(TenantId tenant, Timestamp now,
                                                                const Scan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<Invitation>> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT " QUIRE_INVITATION_COLUMNS
                          " FROM invitations WHERE tenant_id = $1 AND id > $2"
                          " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3"
                          " ORDER BY id LIMIT $4",
                          Params(tenant, scan.after_id, now, std::int64_t{scan.limit})));
    return collect(result, read_record);
  });
}

Result<void> PgInvitationStore::update(const Invitation& row) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(auto result,
              db_.write_in(row.tenant_id,
                           "UPDATE invitations SET accepted_at = $1, accepted_by = $2,"
                           " revoked_at = $3 WHERE id = $4 AND tenant_id = $5 RETURNING id",
                           to_params(rows::invitation_state_values(row))));
    if (result.rows() == 0) {
      return fail(Errc::not_found, fmt::format("invitation {} not found", row.id));
    }
    return success();
  });
}

}  // namespace quire::storage::postgres
