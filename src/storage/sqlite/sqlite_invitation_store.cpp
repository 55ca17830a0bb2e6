// The SQLite store of invitations to join a tenant.

#include <fmt/format.h>

#include "storage/rows/invitation_row.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

const auto read_row = reading(rows::read_invitation);
const auto read_record =
    reading([](const rows::ColumnReader& row) { return rows::read_invitation(row).invitation; });

}  // namespace

Result<std::int64_t> SqliteInvitationStore::insert(const InvitationRow& row) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    auto query = db_.query("INSERT INTO invitations (" QUIRE_INVITATION_WRITE_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const auto values = rows::invitation_values(row);
    bind_values(*query, values);
    query->exec();
    return db_.db().getLastInsertRowid();
  });
}

Result<std::optional<Invitation>> SqliteInvitationStore::find(TenantId tenant,
                                                              std::int64_t id) noexcept {
  return find_one(
      db_, "SELECT " QUIRE_INVITATION_COLUMNS " FROM invitations WHERE id = ? AND tenant_id = ?",
      read_record, id, std::int64_t{tenant});
}

Result<std::optional<InvitationRow>> SqliteInvitationStore::find_by_token_hash(
    std::string_view token_hash) noexcept {
  return guarded([&]() -> Result<std::optional<InvitationRow>> {
    auto query =
        db_.query("SELECT " QUIRE_INVITATION_COLUMNS " FROM invitations WHERE token_hash = ?");
    query->bindNoCopy(1, token_hash.data(), static_cast<int>(token_hash.size()));
    if (!query->executeStep()) return std::optional<InvitationRow>();
    return std::optional<InvitationRow>(read_row(*query));
  });
}

Result<std::vector<Invitation>> SqliteInvitationStore::list_pending(TenantId tenant, Timestamp now,
                                                                    const Scan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<Invitation>> {
    auto query = db_.query("SELECT " QUIRE_INVITATION_COLUMNS
                           " FROM invitations WHERE tenant_id = ? AND id > ?"
                           " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?"
                           " ORDER BY id LIMIT ?");
    bind_all(*query, std::int64_t{tenant}, scan.after_id, std::int64_t{now},
             static_cast<std::int64_t>(scan.limit));
    return collect(query, read_record);
  });
}

Result<void> SqliteInvitationStore::update(const Invitation& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "UPDATE invitations SET accepted_at = ?, accepted_by = ?, revoked_at = ?"
        " WHERE id = ? AND tenant_id = ?");
    const auto values = rows::invitation_state_values(row);
    bind_values(*query, values);
    if (query->exec() == 0) {
      return fail(Errc::not_found, fmt::format("invitation {} not found", row.id));
    }
    return success();
  });
}

}  // namespace quire::storage::sqlite
