#include <fmt/format.h>

#include "storage/sqlite/sqlite_errors.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

#define USER_COLUMNS \
  "id, username, email, display_name, is_active, created_at, updated_at, password_hash"

User read_user(SQLite::Statement& row) {
  User user;
  user.id = row.getColumn(0).getInt64();
  user.username = row.getColumn(1).getString();
  user.email = row.getColumn(2).getString();
  user.display_name = row.getColumn(3).getString();
  user.is_active = row.getColumn(4).getInt() != 0;
  user.created_at = row.getColumn(5).getInt64();
  user.updated_at = row.getColumn(6).getInt64();
  return user;
}

UserRow read_user_row(SQLite::Statement& row) {
  return UserRow{read_user(row), row.getColumn(7).getString()};
}

// Binds every column but id, in USER_COLUMNS order, from parameter 1.
void bind_user(SQLite::Statement& statement, const UserRow& row) {
  statement.bind(1, row.user.username);
  statement.bind(2, row.user.email);
  statement.bind(3, row.user.display_name);
  statement.bind(4, row.user.is_active ? 1 : 0);
  statement.bind(5, static_cast<std::int64_t>(row.user.created_at));
  statement.bind(6, static_cast<std::int64_t>(row.user.updated_at));
  statement.bind(7, row.password_hash);
}

}  // namespace

Result<UserId> SqliteUserStore::insert(const UserRow& row) noexcept {
  return insert_row(db_,
                    "INSERT INTO users (username, email, display_name, is_active, created_at,"
                    " updated_at, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    row, bind_user);
}

Result<std::optional<UserRow>> SqliteUserStore::find(UserId id) noexcept {
  return find_one(db_, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", read_user_row,
                  static_cast<std::int64_t>(id));
}

Result<std::optional<UserRow>> SqliteUserStore::find_by_username(
    std::string_view username) noexcept {
  return find_one(db_, "SELECT " USER_COLUMNS " FROM users WHERE username = ?", read_user_row,
                  std::string(username));
}

Result<std::optional<UserRow>> SqliteUserStore::find_by_email(std::string_view email) noexcept {
  return find_one(db_, "SELECT " USER_COLUMNS " FROM users WHERE email = ?", read_user_row,
                  std::string(email));
}

Result<std::vector<User>> SqliteUserStore::list(const Scan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<User>> {
    auto query = db_.query("SELECT " USER_COLUMNS " FROM users WHERE id > ? ORDER BY id LIMIT ?");
    bind_all(*query, static_cast<std::int64_t>(scan.after_id),
             static_cast<std::int64_t>(scan.limit));
    return collect(query, read_user);
  });
}

Result<std::vector<User>> SqliteUserStore::list_members(TenantId tenant,
                                                        const Scan& scan) noexcept {
  return guarded([&]() -> Result<std::vector<User>> {
    auto query = db_.query(
        "SELECT u.id, u.username, u.email, u.display_name, u.is_active, u.created_at,"
        " u.updated_at, u.password_hash FROM members m JOIN users u ON u.id = m.user_id"
        " WHERE m.tenant_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?");
    bind_all(*query, static_cast<std::int64_t>(tenant), static_cast<std::int64_t>(scan.after_id),
             static_cast<std::int64_t>(scan.limit));
    return collect(query, read_user);
  });
}

Result<void> SqliteUserStore::update(const UserRow& row) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query(
        "UPDATE users SET username = ?, email = ?, display_name = ?, is_active = ?,"
        " created_at = ?, updated_at = ?, password_hash = ? WHERE id = ?");
    bind_user(*query, row);
    query->bind(8, static_cast<std::int64_t>(row.user.id));
    if (query->exec() == 0) {
      return fail(Errc::not_found, fmt::format("user {} not found", row.user.id));
    }
    return success();
  });
}

}  // namespace quire::storage::sqlite
