#include "storage/sqlite/sqlite_connection.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <thread>

#include "storage/sqlite/sqlite_search.hpp"

namespace quire::storage::sqlite {

namespace {
int open_flags(Connection::Role role, bool in_memory) {
  int flags = SQLite::OPEN_URI | SQLite::OPEN_NOMUTEX;
  if (role == Connection::Role::reader) return flags | SQLite::OPEN_READONLY;
  flags |= SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
  return in_memory ? flags | SQLite::OPEN_MEMORY : flags;
}

// How long a waiter for another connection's lock sleeps before it looks again: about a
// millisecond, so that it notices a released lock in time to take it.
std::chrono::microseconds busy_pause(int attempts) {
  return std::chrono::microseconds(attempts < 8 ? 250 : 1000);
}
}  // namespace

// OPEN_NOMUTEX is safe: a connection is only ever used by the one transaction that holds it.
Connection::Connection(const std::string& filename, Role role, bool in_memory,
                       const Options& options)
    : db_(filename, open_flags(role, in_memory)),
      busy_timeout_(options.busy_timeout_ms),
      wal_autocheckpoint_pages_(options.wal_autocheckpoint_pages) {
  sqlite3_busy_handler(db_.getHandle(), &Connection::on_busy, this);
  // posts_fts's tokenizer and rank function, before anything opens that table.
  if (const int rc = register_search(db_.getHandle()); rc != SQLITE_OK) {
    throw SQLite::Exception("cannot register quire's full-text tokenizer", rc);
  }
  // Connection settings only: nothing here writes to the file, which may yet turn out not to be
  // quire's (see require_quire_file).
  exec("PRAGMA foreign_keys = ON");
  exec(options.synchronous == Synchronous::full ? "PRAGMA synchronous = FULL"
                                                : "PRAGMA synchronous = NORMAL");
}

int Connection::on_busy(void* self, int attempts) noexcept {
  auto& connection = *static_cast<Connection*>(self);
  const auto now = Clock::now();
  if (attempts == 0) connection.busy_since_ = now;
  const auto deadline =
      connection.busy_deadline_.value_or(connection.busy_since_ + connection.busy_timeout_);
  if (now >= deadline) return 0;
  std::this_thread::sleep_for(std::min<Clock::duration>(busy_pause(attempts), deadline - now));
  return 1;
}

void Connection::enter_wal_mode() {
  const auto deadline = Clock::now() + busy_timeout_;
  for (int attempts = 0;; ++attempts) {
    try {
      SQLite::Statement mode(db_, "PRAGMA journal_mode = WAL");
      if (mode.executeStep() && mode.getColumn(0).getString() == "wal") break;
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) != SQLITE_BUSY && (e.getErrorCode() & 0xff) != SQLITE_LOCKED) {
        throw;
      }
    }
    if (Clock::now() >= deadline) {
      throw SQLite::Exception(
          fmt::format("the database is busy: cannot switch it to WAL mode within {} ms",
                      busy_timeout_.count()),
          SQLITE_BUSY);
    }
    std::this_thread::sleep_for(busy_pause(attempts));
  }
  // The autocheckpoint bounds the log, and the size limit truncates the file back after a
  // checkpoint has emptied it.
  exec(fmt::format("PRAGMA wal_autocheckpoint = {}", wal_autocheckpoint_pages_).c_str());
  exec("PRAGMA journal_size_limit = 67108864");
}

Connection::~Connection() {
  for (auto*& statement : controls_) {
    sqlite3_finalize(statement);
    statement = nullptr;
  }
  // statements_ is cleared by its own destructor, before db_ closes (it is declared after it).
}

int Connection::step_control(Control what) noexcept {
  static constexpr const char* sql[] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};
  const auto index = static_cast<std::size_t>(what);
  auto*& statement = controls_[index];
  if (statement == nullptr) {
    const int rc = sqlite3_prepare_v3(db_.getHandle(), sql[index], -1, SQLITE_PREPARE_PERSISTENT,
                                      &statement, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  const int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  // A new transaction, or none: its snapshot is taken afresh.
  snapshot_.reset();
  changes_at_begin_ = sqlite3_total_changes64(db_.getHandle());
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void Connection::control(Control what) {
  if (const int rc = step_control(what); rc != SQLITE_OK) {
    throw SQLite::Exception(db_.getHandle(), rc);
  }
}

void Connection::control_quietly(Control what) noexcept {
  (void)step_control(what);
}

Query Connection::query(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    auto statement = std::make_unique<SQLite::Statement>(db_, std::string(sql));
    found = statements_.emplace(std::string(sql), std::move(statement)).first;
  }
  return Query(*found->second);
}

std::optional<std::uint32_t> Connection::snapshot_version() {
  sqlite3* handle = db_.getHandle();
  // Outside a transaction, two statements may read different commits; once the transaction has
  // written, what it reads may yet roll back.
  if (sqlite3_get_autocommit(handle) != 0 || sqlite3_total_changes64(handle) != changes_at_begin_) {
    return std::nullopt;
  }
  if (!snapshot_) {
    if (sqlite3_txn_state(handle, "main") == SQLITE_TXN_NONE) {
      // BEGIN defers the snapshot to the first read: take it now, so that the version is the one
      // of the rows this transaction will read.
      auto snapshot = query("PRAGMA data_version");
      snapshot->executeStep();
    }
    unsigned int version = 0;
    if (sqlite3_file_control(handle, "main", SQLITE_FCNTL_DATA_VERSION, &version) != SQLITE_OK) {
      return std::nullopt;
    }
    snapshot_ = version;
  }
  return snapshot_;
}

void Connection::exec(const char* sql) {
  db_.exec(sql);
}

void Connection::exec_quietly(const char* sql) noexcept {
  sqlite3_exec(db_.getHandle(), sql, nullptr, nullptr, nullptr);
}

}  // namespace quire::storage::sqlite
