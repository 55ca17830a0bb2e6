#include <fmt/format.h>

#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

namespace {

// members is tenant-owned: every statement names its tenant twice, in its filter and to the
// session, which sets it for row-level security. Either one alone would keep tenants apart.

Member read_member(const PgResult& result, int row) {
  return Member{result.int64(row, 0), result.int64(row, 1), result.string(row, 2),
                result.int64(row, 3)};
}

Error no_member(TenantId tenant, UserId user) {
  return fail(Errc::not_found, fmt::format("user {} is not a member of tenant {}", user, tenant));
}

}  // namespace

Result<void> PgMemberStore::insert(const Member& row) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(db_.write_in(
        row.tenant_id,
        "INSERT INTO members (tenant_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)",
        Params(row.tenant_id, row.user_id, row.role, row.joined_at)));
    return success();
  });
}

Result<std::optional<Member>> PgMemberStore::find(TenantId tenant, UserId user) noexcept {
  return guarded([&]() -> Result<std::optional<Member>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT tenant_id, user_id, role, joined_at FROM members"
                                       " WHERE tenant_id = $1 AND user_id = $2",
                                       Params(tenant, user)));
    return first_row(result, read_member);
  });
}

Result<std::optional<MemberAccount>> PgMemberStore::find_with_account(TenantId tenant,
                                                                      UserId user) noexcept {
  return guarded([&]() -> Result<std::optional<MemberAccount>> {
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT m.tenant_id, m.user_id, m.role, m.joined_at, u.is_active,"
                          " t.is_active AND t.deleted_at IS NULL FROM members m"
                          " JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id"
                          " WHERE m.tenant_id = $1 AND m.user_id = $2",
                          Params(tenant, user)));
    return first_row(result, [](const PgResult& r, int row) {
      return MemberAccount{read_member(r, row), r.boolean(row, 4), r.boolean(row, 5)};
    });
  });
}

Result<std::vector<Member>> PgMemberStore::list(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::vector<Member>> {
    QUIRE_TRY(auto result, db_.read_in(tenant,
                                       "SELECT tenant_id, user_id, role, joined_at FROM members"
                                       " WHERE tenant_id = $1 ORDER BY user_id",
                                       Params(tenant)));
    return collect(result, read_member);
  });
}

Result<std::int64_t> PgMemberStore::count(TenantId tenant) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    QUIRE_TRY(auto result, db_.read_in(tenant, "SELECT count(*) FROM members WHERE tenant_id = $1",
                                       Params(tenant)));
    return result.int64(0, 0);
  });
}

Result<void> PgMemberStore::update_role(TenantId tenant, UserId user,
                                        std::string_view role) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(
        auto result,
        db_.write_in(tenant, "UPDATE members SET role = $1 WHERE tenant_id = $2 AND user_id = $3",
                     Params(role, tenant, user)));
    if (result.affected() == 0) return no_member(tenant, user);
    return success();
  });
}

Result<void> PgMemberStore::remove(TenantId tenant, UserId user) noexcept {
  return guarded([&]() -> Result<void> {
    QUIRE_TRY(auto result,
              db_.write_in(tenant, "DELETE FROM members WHERE tenant_id = $1 AND user_id = $2",
                           Params(tenant, user)));
    if (result.affected() == 0) return no_member(tenant, user);
    return success();
  });
}

}  // namespace quire::storage::postgres
