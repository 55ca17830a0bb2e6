#include "storage/sqlite/sqlite_connection.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "storage/sqlite/sqlite_search.hpp"

namespace quire::storage::sqlite {

namespace {
int open_flags(Connection::Role role, bool in_memory) {
  int flags = SQLite::OPEN_URI | SQLite::OPEN_NOMUTEX;
  if (role == Connection::Role::reader) return flags | SQLite::OPEN_READONLY;
  flags |= SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
  return in_memory ? flags | SQLite::OPEN_MEMORY : flags;
}
}  // namespace

// OPEN_NOMUTEX is safe: a connection is only ever used by the one transaction that holds it.
Connection::Connection(const std::string& filename, Role role, bool in_memory,
                       const Options& options)
    : db_(filename, open_flags(role, in_memory), static_cast<int>(options.busy_timeout_ms)) {
  // posts_fts's tokenizer and rank function, before anything opens that table.
  if (const int rc = register_search(db_.getHandle()); rc != SQLITE_OK) {
    throw SQLite::Exception("cannot register quire's full-text tokenizer", rc);
  }
  exec("PRAGMA foreign_keys = ON");
  exec(options.synchronous == Synchronous::full ? "PRAGMA synchronous = FULL"
                                                : "PRAGMA synchronous = NORMAL");
  if (role == Role::writer && !in_memory) {
    // WAL lets readers run beside the writer. The autocheckpoint bounds the log, and the size limit
    // truncates the file back after a checkpoint has emptied it.
    SQLite::Statement mode(db_, "PRAGMA journal_mode = WAL");
    mode.executeStep();
    exec(fmt::format("PRAGMA wal_autocheckpoint = {}", options.wal_autocheckpoint_pages).c_str());
    exec("PRAGMA journal_size_limit = 67108864");
  }
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
