#pragma once
// The SQLite implementations of the stores: each one holds the connection of its transaction.

#include <quire/storage.hpp>

#include "storage/sqlite/sqlite_connection.hpp"
#include "storage/sqlite/sqlite_errors.hpp"

namespace quire::storage::sqlite {

class SqliteTenantStore final : public TenantStore {
 public:
  explicit SqliteTenantStore(Connection& connection) noexcept : db_(connection) {}
  Result<TenantId> insert(const Tenant& row) noexcept override;
  Result<std::optional<Tenant>> find(TenantId id) noexcept override;
  Result<std::optional<Tenant>> find_by_slug(std::string_view slug) noexcept override;
  Result<std::optional<Tenant>> find_by_domain(std::string_view domain) noexcept override;
  Result<std::vector<Tenant>> list(const TenantScan& scan) noexcept override;
  Result<void> update(const Tenant& row) noexcept override;

 private:
  Connection& db_;
};

class SqliteUserStore final : public UserStore {
 public:
  explicit SqliteUserStore(Connection& connection) noexcept : db_(connection) {}
  Result<UserId> insert(const UserRow& row) noexcept override;
  Result<std::optional<UserRow>> find(UserId id) noexcept override;
  Result<std::optional<UserRow>> find_by_username(std::string_view username) noexcept override;
  Result<std::optional<UserRow>> find_by_email(std::string_view email) noexcept override;
  Result<std::vector<User>> list(const Scan& scan) noexcept override;
  Result<std::vector<User>> list_members(TenantId tenant, const Scan& scan) noexcept override;
  Result<void> update(const UserRow& row) noexcept override;

 private:
  Connection& db_;
};

class SqliteMemberStore final : public MemberStore {
 public:
  explicit SqliteMemberStore(Connection& connection) noexcept : db_(connection) {}
  Result<void> insert(const Member& row) noexcept override;
  Result<std::optional<Member>> find(TenantId tenant, UserId user) noexcept override;
  Result<std::optional<MemberAccount>> find_with_account(TenantId tenant,
                                                         UserId user) noexcept override;
  Result<std::vector<Member>> list(TenantId tenant) noexcept override;
  Result<std::int64_t> count(TenantId tenant) noexcept override;
  Result<void> update_role(TenantId tenant, UserId user, std::string_view role) noexcept override;
  Result<void> remove(TenantId tenant, UserId user) noexcept override;

 private:
  Connection& db_;
};

class SqliteInvitationStore final : public InvitationStore {
 public:
  explicit SqliteInvitationStore(Connection& connection) noexcept : db_(connection) {}
  Result<std::int64_t> insert(const InvitationRow& row) noexcept override;
  Result<std::optional<Invitation>> find(TenantId tenant, std::int64_t id) noexcept override;
  Result<std::optional<InvitationRow>> find_by_token_hash(
      std::string_view token_hash) noexcept override;
  Result<std::vector<Invitation>> list_pending(TenantId tenant, Timestamp now,
                                               const Scan& scan) noexcept override;
  Result<void> update(const Invitation& row) noexcept override;

 private:
  Connection& db_;
};

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(Connection& connection) noexcept : db_(connection) {}
  Result<std::optional<AuditHead>> head(TenantId chain) noexcept override;
  Result<void> append(const AuditEntry& entry) noexcept override;
  Result<std::vector<AuditEntry>> query(TenantId chain,
                                        const AuditFilter& filter) noexcept override;
  Result<std::vector<AuditEntry>> scan(TenantId chain, std::int64_t after_seq,
                                       unsigned limit) noexcept override;
  Result<std::int64_t> last_seq_before(TenantId chain, Timestamp cutoff) noexcept override;
  Result<std::int64_t> purge_through(TenantId chain, std::int64_t through_seq) noexcept override;

 private:
  Connection& db_;
};

class SqlitePostStore final : public PostStore {
 public:
  explicit SqlitePostStore(Connection& connection) noexcept : db_(connection) {}
  Result<PostId> insert(const Post& post) noexcept override;
  Result<std::optional<Post>> find(TenantId tenant, PostId id, Lock lock) noexcept override;
  Result<std::optional<PostAccess>> find_access(TenantId tenant, PostId id) noexcept override;
  Result<std::optional<Post>> find_by_slug(TenantId tenant, std::string_view type,
                                           std::string_view slug) noexcept override;
  Result<std::optional<PostId>> find_old_slug(TenantId tenant, std::string_view type,
                                              std::string_view slug) noexcept override;
  Result<bool> slug_taken(TenantId tenant, std::string_view type, std::string_view slug,
                          PostId except) noexcept override;
  Result<void> add_old_slug(TenantId tenant, std::string_view type, std::string_view slug,
                            PostId post) noexcept override;
  Result<void> update(const Post& before, const Post& after) noexcept override;
  Result<void> purge(const Post& post) noexcept override;
  Result<std::vector<Post>> list(TenantId tenant, const PostScan& scan) noexcept override;
  Result<std::int64_t> count(TenantId tenant) noexcept override;
  Result<std::vector<TermCount>> categories(TenantId tenant,
                                            const PostVisibility& visible) noexcept override;
  Result<std::vector<TermCount>> tags(TenantId tenant,
                                      const PostVisibility& visible) noexcept override;
  Result<std::vector<PostId>> due(TenantId tenant, Timestamp now) noexcept override;
  Result<std::vector<SearchHit>> search(TenantId tenant, const SearchQuery& search,
                                        const PostVisibility& visible,
                                        unsigned limit) noexcept override;

 private:
  Connection& db_;
};

class SqliteVersionStore final : public VersionStore {
 public:
  explicit SqliteVersionStore(Connection& connection) noexcept : db_(connection) {}
  Result<void> insert(const VersionRow& row) noexcept override;
  Result<std::optional<VersionRow>> find(TenantId tenant, PostId post,
                                         std::int64_t number) noexcept override;
  Result<std::vector<Version>> list(TenantId tenant, PostId post) noexcept override;
  Result<std::int64_t> prune(TenantId tenant, PostId post, std::int64_t keep,
                             std::int64_t protect) noexcept override;
  Result<void> purge(TenantId tenant, PostId post) noexcept override;
  Result<void> save_autosave(TenantId tenant, const Autosave& autosave) noexcept override;
  Result<std::optional<Autosave>> find_autosave(TenantId tenant, PostId post,
                                                UserId user) noexcept override;
  Result<bool> delete_autosave(TenantId tenant, PostId post, UserId user) noexcept override;

 private:
  Connection& db_;
};

class SqliteRoleStore final : public RoleStore {
 public:
  explicit SqliteRoleStore(Connection& connection) noexcept : db_(connection) {}
  Result<std::optional<Role>> find(TenantId tenant, std::string_view name) noexcept override;
  Result<std::vector<Role>> list(TenantId tenant) noexcept override;
  Result<void> save(TenantId tenant, const Role& role) noexcept override;
  Result<void> remove(TenantId tenant, std::string_view name) noexcept override;
  Result<std::int64_t> holders(TenantId tenant, std::string_view name) noexcept override;

 private:
  Connection& db_;
};

class SqliteGrantStore final : public GrantStore {
 public:
  explicit SqliteGrantStore(Connection& connection) noexcept : db_(connection) {}
  Result<std::optional<GrantLevel>> find(TenantId tenant, const ResourceRef& resource,
                                         UserId user) noexcept override;
  Result<void> save(const Grant& grant) noexcept override;
  Result<void> remove(TenantId tenant, const ResourceRef& resource, UserId user) noexcept override;
  Result<void> remove_all(TenantId tenant, const ResourceRef& resource) noexcept override;

 private:
  Connection& db_;
};

class SqliteKeyStore final : public KeyStore {
 public:
  explicit SqliteKeyStore(Connection& connection) noexcept : db_(connection) {}
  Result<std::int64_t> insert(const KeyRow& row) noexcept override;
  Result<std::optional<KeyRow>> find_by_public_id(std::string_view public_id) noexcept override;
  Result<std::optional<KeyRow>> find(TenantId tenant, std::int64_t id) noexcept override;
  Result<std::optional<KeyStanding>> find_with_standing(TenantId tenant,
                                                        std::int64_t id) noexcept override;
  Result<std::vector<ApiKey>> list(TenantId tenant) noexcept override;
  Result<void> update(const KeyRow& row) noexcept override;

 private:
  Connection& db_;
};

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(Connection& connection) noexcept : db_(connection) {}
  Result<std::optional<std::string>> secret() noexcept override;
  Result<void> set_secret(std::string_view secret) noexcept override;
  Result<void> insert(const SessionRow& row) noexcept override;
  Result<std::optional<SessionRow>> find(std::string_view jti) noexcept override;
  Result<void> revoke(std::string_view jti, Timestamp at) noexcept override;
  Result<std::pair<std::int64_t, Timestamp>> failures(TenantId tenant,
                                                      std::string_view login) noexcept override;
  Result<void> record_failure(TenantId tenant, std::string_view login,
                              Timestamp at) noexcept override;
  Result<void> clear_failures(TenantId tenant, std::string_view login) noexcept override;

 private:
  Connection& db_;
};

// Binds an optional value, as NULL when empty.
template <class T>
void bind_optional(SQLite::Statement& statement, int index, const std::optional<T>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);
  }
}

template <class T>
std::optional<T> optional_column(SQLite::Statement& statement, int index) {
  if (statement.isColumnNull(index)) return std::nullopt;
  return statement.getColumn(index).operator T();
}

// Binds `values` to parameters 1, 2, ….
template <class... Values>
void bind_all(SQLite::Statement& statement, const Values&... values) {
  int index = 0;
  (statement.bind(++index, values), ...);
}

// Every row a query returns, each read by `read`.
template <class Read>
auto collect(Query& query, Read read) {
  std::vector<decltype(read(*query))> rows;
  while (query->executeStep()) rows.push_back(read(*query));
  return rows;
}

// The row `sql` finds for `keys`, read by `read`, or nullopt.
template <class Read, class... Keys>
auto find_one(Connection& db, std::string_view sql, Read read, const Keys&... keys) noexcept {
  using Row = decltype(read(std::declval<SQLite::Statement&>()));
  return guarded([&]() -> Result<std::optional<Row>> {
    auto query = db.query(sql);
    bind_all(*query, keys...);
    if (!query->executeStep()) return std::optional<Row>();
    return std::optional<Row>(read(*query));
  });
}

// A text column in place: valid until the statement steps again or resets.
inline std::string_view text_column(SQLite::Statement& row, int index) {
  const auto column = row.getColumn(index);
  return {column.getText(), static_cast<std::size_t>(column.getBytes())};
}

// `read()` (a Result of an optional row) through `memo`: the row remembered at the open
// transaction's snapshot, or read now and remembered.
template <class Memo, class Key, class Read>
auto memoised(Connection& db, Memo& memo, const Key& key, Read read) noexcept -> decltype(read()) {
  QUIRE_TRY(const auto version, guarded([&]() -> Result<std::optional<std::uint32_t>> {
              return db.snapshot_version();
            }));
  if (version) {
    if (const auto* seen = memo.find(*version, key)) return *seen;
  }
  QUIRE_TRY(auto row, read());
  if (version) {
    try {
      memo.remember(*version, key, row);
    } catch (...) {
      // Out of memory: the row is still right, only not remembered.
    }
  }
  return row;
}

// Runs an INSERT whose parameters `bind(statement, row)` sets, and returns the new row's id.
template <class Row, class Bind>
Result<std::int64_t> insert_row(Connection& db, std::string_view sql, const Row& row,
                                Bind bind) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    auto query = db.query(sql);
    bind(*query, row);
    query->exec();
    return db.db().getLastInsertRowid();
  });
}

}  // namespace quire::storage::sqlite
