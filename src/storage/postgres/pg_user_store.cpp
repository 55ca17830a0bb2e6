#include <fmt/format.h>

#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

namespace {

#define USER_COLUMNS \
  "id, username, email, display_name, is_active, created_at, updated_at, password_hash"

User read_user(const PgResult& result, int row) {
  User user;
  user.id = result.int64(row, 0);
  user.username = result.string(row, 1);
  user.email = result.string(row, 2);
  user.display_name = result.string(row, 3);
  user.is_active = result.boolean(row, 4);
  user.created_at = result.int64(row, 5);
  user.updated_at = result.int64(row, 6);
  return user;
}

UserRow read_user_row(const PgResult& result, int row) {
  return UserRow{read_user(result, row), result.string(row, 7)};
}

// Every column but id, in USER_COLUMNS order, as $1…$7.
Params user_params(const UserRow& row) {
  return Params(row.user.username, row.user.email, row.user.display_name, row.user.is_active,
                row.user.created_at, row.user.updated_at, row.password_hash);
}

Result<std::optional<UserRow>> find_one(Session& db, std::string_view sql, const Params& key) {
  QUIRE_TRY(auto result, db.read(sql, key));
  return first_row(result, read_user_row);
}

}  // namespace

Result<UserId> PgUserStore::insert(const UserRow& row) noexcept {
  return guarded([&]() -> Result<UserId> {
    QUIRE_TRY(auto result,
              db_.write("INSERT INTO users (username, email, display_name, is_active, created_at,"
                        " updated_at, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        " RETURNING id",
                        user_params(row)));
    return result.int64(0, 0);
  });
}

Result<std::optional<UserRow>> PgUserStore::find(UserId id) noexcept {
  return guarded([&] {
    return find_one(db_, "SELECT " USER_COLUMNS " FROM users WHERE id = $1", Params(id));
  });
}

Result<std::optional<UserRow>> PgUserStore::find_by_username(std::string_view username) noexcept {
  return guarded([&] {
    return find_one(db_, "SELECT " USER_COLUMNS " FROM users WHERE username = $1",
                    Params(username));
  });
}

Result<std::optional<UserRow>> PgUserStore::find_by_email(std::string_view email) noexcept {
  return guarded([&] {
    return find_one(db_, "SELECT " USER_COLUMNS " FROM users WHERE email = $1", Params(email));
  });
}

Result<std::vector<User>> PgUserStore::list(const Scan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<User>> {
    QUIRE_TRY(auto result,
              db_.read("SELECT " USER_COLUMNS " FROM users WHERE id > $1 ORDER BY id LIMIT $2",
                       Params(scan.after_id, scan.limit)));
    return collect(result, read_user);
  });
}

Result<std::vector<User>> PgUserStore::list_members(TenantId tenant, const Scan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<User>> {
    // members is tenant-owned: the statement runs with the tenant set, for row-level security.
    QUIRE_TRY(auto result,
              db_.read_in(tenant,
                          "SELECT u.id, u.username, u.email, u.display_name, u.is_active,"
                          " u.created_at, u.updated_at, u.password_hash"
                          " FROM members m JOIN users u ON u.id = m.user_id"
                          " WHERE m.tenant_id = $1 AND m.user_id > $2 ORDER BY m.user_id LIMIT $3",
                          Params(tenant, scan.after_id, scan.limit)));
    return collect(result, read_user);
  });
}

Result<void> PgUserStore::update(const UserRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto params = user_params(row);
    params.add(row.user.id);
    QUIRE_TRY(auto result,
              db_.write("UPDATE users SET username = $1, email = $2, display_name = $3,"
                        " is_active = $4, created_at = $5, updated_at = $6, password_hash = $7"
                        " WHERE id = $8",
                        params));
    if (result.affected() == 0) {
      return fail(Errc::not_found, fmt::format("user {} not found", row.user.id));
    }
    return success();
  });
}

}  // namespace quire::storage::postgres
