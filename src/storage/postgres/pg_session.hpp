#pragma once
// The state of one transaction on one pooled connection, shared by the transaction and its stores.
//
// - BEGIN is sent with the transaction's first statement, in the same round trip, with a
//   transaction-local lock_timeout: a wait for a row lock ends as Errc::busy after the busy
//   timeout, as SQLite's busy timeout does.
// - Statements on tenant-owned tables name their tenant: the session sets quire.tenant_id to it
//   (set_config(…, true): transaction-local, safe behind a pooler) in the same round trip, before
//   the statement, whenever it differs from the tenant already set. Row-level security then keeps
//   every other tenant's rows out of reach of that statement, even one that forgot its filter.
// - A write runs under a statement savepoint, so a failed write (a duplicate, a missing reference)
//   undoes only itself and the transaction goes on, as it does on SQLite.
// - A connection lost before the transaction's first statement is reconnected and the statement
//   retried once: nothing had happened yet, so nothing is lost.

#include <optional>
#include <quire/result.hpp>
#include <quire/storage.hpp>
#include <string>
#include <string_view>

#include "storage/postgres/pg_connection.hpp"

namespace quire::storage::postgres {

class Session {
 public:
  // `lock_timeout_ms` bounds every wait for a lock in the transaction (0: no bound).
  Session(Connection& connection, Access access, unsigned lock_timeout_ms) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // A statement on global tables (tenants, users).
  Result<PgResult> read(std::string_view sql, const Params& params = {}) noexcept;
  Result<PgResult> write(std::string_view sql, const Params& params = {}) noexcept;
  // A statement on tenant-owned tables, run with quire.tenant_id = `tenant`.
  Result<PgResult> read_in(TenantId tenant, std::string_view sql,
                           const Params& params = {}) noexcept;
  Result<PgResult> write_in(TenantId tenant, std::string_view sql,
                            const Params& params = {}) noexcept;

  Result<void> savepoint(std::string_view name) noexcept;
  Result<void> release(std::string_view name) noexcept;
  // Rolls back to the savepoint and releases it.
  Result<void> rollback_to(std::string_view name) noexcept;

  Result<void> commit() noexcept;
  // Ends the transaction if it is still open; never fails.
  void rollback() noexcept;

  Access access() const noexcept { return access_; }
  Connection& connection() noexcept { return connection_; }

 private:
  struct Run {
    std::optional<TenantId> tenant;
    bool guarded = false;  // under a statement savepoint
    bool prepare = true;   // cache the statement on the connection
  };
  Result<PgResult> execute(const Run& how, std::string_view sql, const Params& params) noexcept;
  Result<PgResult> execute_once(const Run& how, std::string_view sql, const Params& params);
  Result<void> utility(const std::string& sql) noexcept;

  Connection& connection_;
  Access access_;
  std::string lock_timeout_;        // "5000ms"
  bool begun_ = false;              // BEGIN has reached the server
  bool finished_ = false;           // committed or rolled back
  std::optional<TenantId> tenant_;  // quire.tenant_id as set in this transaction, if known
};

}  // namespace quire::storage::postgres
