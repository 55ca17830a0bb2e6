#pragma once
// The SQLite backend: one writer connection (writes in BEGIN IMMEDIATE transactions, serialised by
// a lock) and a small pool of read-only connections that read WAL snapshots beside it. An in-memory
// database has one connection for both.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <quire/storage.hpp>
#include <string>
#include <vector>

#include "storage/sqlite/sqlite_connection.hpp"
#include "storage/sqlite/timed_gate.hpp"

namespace quire::storage::sqlite {

class SqliteBackend final : public Backend {
 public:
  // `path` is a file name, or empty for a private in-memory database.
  static Result<std::unique_ptr<Backend>> open(const std::string& path,
                                               const Options& options) noexcept;

  std::string_view name() const noexcept override { return "sqlite"; }
  Result<std::unique_ptr<Transaction>> begin(Access access) noexcept override;
  Result<int> schema_version() noexcept override;

  ~SqliteBackend() override;

  // Hands a reader back to the pool (called by the transaction that borrowed it).
  void give_back(Connection* reader) noexcept;

 private:
  SqliteBackend(const std::string& path, Options options);
  Result<Connection*> borrow_reader() noexcept;
  // Waits for the writer gate until `deadline`. Errors: busy.
  Result<std::unique_lock<TimedGate>> lock_writer(Connection::Clock::time_point deadline) noexcept;

  Options options_;
  bool in_memory_;
  TimedGate writer_gate_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
};

}  // namespace quire::storage::sqlite
