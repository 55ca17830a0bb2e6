#pragma once
// The PostgreSQL backend: a pool of libpq connections, shared by reads and writes (PostgreSQL has
// no single writer). A transaction borrows a connection for its whole life and gives it back when
// it ends; a broken connection is dropped, and the next borrower opens a new one.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <quire/storage.hpp>
#include <string>
#include <vector>

#include "storage/postgres/pg_connection.hpp"

namespace quire::storage::postgres {

class PgBackend final : public Backend {
 public:
  // `conninfo` is any libpq connection string: postgresql://… or key=value pairs.
  // Errors: storage (cannot connect), invalid_argument (a superuser or BYPASSRLS role, or the
  // schema's owner or a member of it), not_supported (a newer schema), permission_denied (needs
  // migrating by the owner).
  static Result<std::unique_ptr<Backend>> open(const std::string& conninfo,
                                               const Options& options) noexcept;
  // Migrates the schema as its owner (a deployment step) and disconnects; returns the version.
  // Errors: storage, invalid_argument (a superuser or BYPASSRLS role), not_supported,
  // permission_denied (this role may not create the tables).
  static Result<int> migrate(const std::string& conninfo) noexcept;

  std::string_view name() const noexcept override { return "postgresql"; }
  Result<std::unique_ptr<Transaction>> begin(Access access) noexcept override;
  Result<int> schema_version() noexcept override;

  PgBackend(const PgBackend&) = delete;
  PgBackend& operator=(const PgBackend&) = delete;
  ~PgBackend() override;

  // Hands a connection back to the pool (called by the transaction that borrowed it).
  void give_back(std::unique_ptr<Connection> connection) noexcept;

 private:
  PgBackend(std::string conninfo, const Options& options);
  // Errors: busy (no connection free within the busy timeout), storage.
  Result<std::unique_ptr<Connection>> borrow() noexcept;

  std::string conninfo_;
  unsigned busy_timeout_ms_;
  unsigned max_connections_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  unsigned open_ = 0;  // connections in existence: idle or lent out
};

}  // namespace quire::storage::postgres
