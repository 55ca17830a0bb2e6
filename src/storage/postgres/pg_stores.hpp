#pragma once
// The PostgreSQL implementations of the stores: each one holds the session of its transaction.
// Statements on tenant-owned tables go through Session::read_in/write_in with their tenant, which
// is what row-level security checks them against.

#include <quire/storage.hpp>

#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/pg_session.hpp"

namespace quire::storage::postgres {

class PgTenantStore final : public TenantStore {
 public:
  explicit PgTenantStore(Session& session) noexcept : db_(session) {}
  Result<TenantId> insert(const Tenant& row) noexcept override;
  Result<std::optional<Tenant>> find(TenantId id) noexcept override;
  Result<std::optional<Tenant>> find_by_slug(std::string_view slug) noexcept override;
  Result<std::optional<Tenant>> find_by_domain(std::string_view domain) noexcept override;
  Result<std::vector<Tenant>> list(const TenantScan& scan) noexcept override;
  Result<void> update(const Tenant& row) noexcept override;

 private:
  Session& db_;
};

class PgUserStore final : public UserStore {
 public:
  explicit PgUserStore(Session& session) noexcept : db_(session) {}
  Result<UserId> insert(const UserRow& row) noexcept override;
  Result<std::optional<UserRow>> find(UserId id) noexcept override;
  Result<std::optional<UserRow>> find_by_username(std::string_view username) noexcept override;
  Result<std::optional<UserRow>> find_by_email(std::string_view email) noexcept override;
  Result<std::vector<User>> list(const Scan& scan) noexcept override;
  Result<std::vector<User>> list_members(TenantId tenant, const Scan& scan) noexcept override;
  Result<void> update(const UserRow& row) noexcept override;

 private:
  Session& db_;
};

class PgMemberStore final : public MemberStore {
 public:
  explicit PgMemberStore(Session& session) noexcept : db_(session) {}
  Result<void> insert(const Member& row) noexcept override;
  Result<std::optional<Member>> find(TenantId tenant, UserId user) noexcept override;
  Result<std::vector<Member>> list(TenantId tenant) noexcept override;
  Result<std::int64_t> count(TenantId tenant) noexcept override;
  Result<void> update_role(TenantId tenant, UserId user, std::string_view role) noexcept override;
  Result<void> remove(TenantId tenant, UserId user) noexcept override;

 private:
  Session& db_;
};

class PgAuditStore final : public AuditStore {
 public:
  explicit PgAuditStore(Session& session) noexcept : db_(session) {}
  Result<std::optional<AuditHead>> head(TenantId chain) noexcept override;
  Result<void> append(const AuditEntry& entry) noexcept override;
  Result<std::vector<AuditEntry>> query(TenantId chain,
                                        const AuditFilter& filter) noexcept override;
  Result<std::vector<AuditEntry>> scan(TenantId chain, std::int64_t after_seq,
                                       unsigned limit) noexcept override;
  Result<std::int64_t> last_seq_before(TenantId chain, Timestamp cutoff) noexcept override;
  Result<std::int64_t> purge_through(TenantId chain, std::int64_t through_seq) noexcept override;

 private:
  Session& db_;
};

// Every row of `result`, each read by `read(result, row)`.
template <class Read>
auto collect(const PgResult& result, Read read) {
  std::vector<decltype(read(result, 0))> rows;
  rows.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) rows.push_back(read(result, row));
  return rows;
}

// The first row of `result` read by `read`, or nullopt.
template <class Read>
auto first_row(const PgResult& result, Read read) -> std::optional<decltype(read(result, 0))> {
  if (result.empty()) return std::nullopt;
  return read(result, 0);
}

}  // namespace quire::storage::postgres
