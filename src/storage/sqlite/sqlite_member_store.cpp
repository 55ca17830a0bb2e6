#include <fmt/format.h>

#include "storage/sqlite/sqlite_errors.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

Member read_member(SQLite::Statement& row) {
  return Member{row.getColumn(0).getInt64(), row.getColumn(1).getInt64(),
                row.getColumn(2).getString(), row.getColumn(3).getInt64()};
}

Error no_member(TenantId tenant, UserId user) {
  return fail(Errc::not_found, fmt::format("user {} is not a member of tenant {}", user, tenant));
}

}  // namespace

Result<void> SqliteMemberStore::insert(const Member& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto query =
        db_.query("INSERT INTO members (tenant_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)");
    query->bind(1, static_cast<std::int64_t>(row.tenant_id));
    query->bind(2, static_cast<std::int64_t>(row.user_id));
    query->bind(3, row.role);
    query->bind(4, static_cast<std::int64_t>(row.joined_at));
    query->exec();
    return success();
  });
}

Result<std::optional<Member>> SqliteMemberStore::find(TenantId tenant, UserId user) noexcept {
  return find_one(db_,
                  "SELECT tenant_id, user_id, role, joined_at FROM members"
                  " WHERE tenant_id = ? AND user_id = ?",
                  read_member, static_cast<std::int64_t>(tenant), static_cast<std::int64_t>(user));
}

Result<std::optional<MemberAccount>> SqliteMemberStore::find_with_account(TenantId tenant,
                                                                          UserId user) noexcept {
  // Every operation of a user context asks this, mostly of a file nobody changed since.
  return memoised(db_, db_.memos().accounts, std::pair<std::int64_t, std::int64_t>{tenant, user},
                  [&] {
                    return find_one(
                        db_,
                        "SELECT m.tenant_id, m.user_id, m.role, m.joined_at, u.is_active,"
                        " t.is_active AND t.deleted_at IS NULL FROM members m"
                        " JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id"
                        " WHERE m.tenant_id = ? AND m.user_id = ?",
                        [](SQLite::Statement& row) {
                          return MemberAccount{read_member(row), row.getColumn(4).getInt() != 0,
                                               row.getColumn(5).getInt() != 0};
                        },
                        static_cast<std::int64_t>(tenant), static_cast<std::int64_t>(user));
                  });
}

Result<std::vector<Member>> SqliteMemberStore::list(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<Member>> {
    auto query = db_.query(
        "SELECT tenant_id, user_id, role, joined_at FROM members WHERE tenant_id = ?"
        " ORDER BY user_id");
    query->bind(1, static_cast<std::int64_t>(tenant));
    return collect(query, read_member);
  });
}

Result<std::int64_t> SqliteMemberStore::count(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    auto query = db_.query("SELECT count(*) FROM members WHERE tenant_id = ?");
    query->bind(1, static_cast<std::int64_t>(tenant));
    query->executeStep();
    return query->getColumn(0).getInt64();
  });
}

Result<void> SqliteMemberStore::update_role(TenantId tenant, UserId user,
                                            std::string_view role) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query("UPDATE members SET role = ? WHERE tenant_id = ? AND user_id = ?");
    query->bind(1, std::string(role));
    query->bind(2, static_cast<std::int64_t>(tenant));
    query->bind(3, static_cast<std::int64_t>(user));
    if (query->exec() == 0) return no_member(tenant, user);
    return success();
  });
}

Result<void> SqliteMemberStore::remove(TenantId tenant, UserId user) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query("DELETE FROM members WHERE tenant_id = ? AND user_id = ?");
    query->bind(1, static_cast<std::int64_t>(tenant));
    query->bind(2, static_cast<std::int64_t>(user));
    if (query->exec() == 0) return no_member(tenant, user);
    return success();
  });
}

}  // namespace quire::storage::sqlite
