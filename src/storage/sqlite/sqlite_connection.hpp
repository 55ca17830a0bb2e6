#pragma once
// One SQLite connection with its prepared statements, each prepared once and reused for the life of
// the connection.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <quire/options.hpp>
#include <quire/storage.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "storage/sqlite/snapshot_memo.hpp"

struct sqlite3_stmt;

namespace quire::storage::sqlite {

// A borrowed cached statement; resets itself when it goes out of scope so that no half-stepped
// statement keeps a read snapshot open.
class Query {
 public:
  explicit Query(SQLite::Statement& statement) noexcept : statement_(&statement) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() {
    statement_->tryReset();
    statement_->clearBindings();
  }
  SQLite::Statement* operator->() const noexcept { return statement_; }
  SQLite::Statement& operator*() const noexcept { return *statement_; }

 private:
  SQLite::Statement* statement_;
};

struct IdPairHash {
  std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& ids) const noexcept {
    // Unsigned, so that no id overflows into undefined behaviour.
    const auto mixed =
        static_cast<std::uint64_t>(ids.first) * 1000003U ^ static_cast<std::uint64_t>(ids.second);
    return std::hash<std::uint64_t>{}(mixed);
  }
};

// A grant's key: tenant, user, resource type and id.
using GrantKey = std::pair<std::pair<std::int64_t, std::int64_t>, std::string>;
struct GrantKeyHash {
  std::size_t operator()(const GrantKey& key) const noexcept {
    return IdPairHash{}(key.first) ^ std::hash<std::string>{}(key.second);
  }
};

// What every permission check reads, remembered per connection (see SnapshotMemo and
// Connection::snapshot_version: the writer remembers only what it read before writing). Each
// lookup is memoised whether it found a row or not: a "no" is as stable as a "yes".
struct AccessMemos {
  // (tenant, user) → the membership and its standing.
  SnapshotMemo<std::pair<std::int64_t, std::int64_t>, std::optional<MemberAccount>, IdPairHash>
      accounts;
  // (tenant, post) → its author and status.
  SnapshotMemo<std::pair<std::int64_t, std::int64_t>, std::optional<PostAccess>, IdPairHash> posts;
  // (tenant, user), "type\x1fid" → the level of a grant.
  SnapshotMemo<GrantKey, std::optional<GrantLevel>, GrantKeyHash> grants;
};

class Connection {
 public:
  enum class Role { writer, reader };

  // Throws SQLite::Exception when the file cannot be opened.
  Connection(const std::string& filename, Role role, bool in_memory, const Options& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Query query(std::string_view sql);
  void exec(const char* sql);
  // Transaction control through statements prepared once per connection (sqlite3_exec would
  // parse the SQL again every time). Throws SQLite::Exception.
  enum class Control { begin, begin_immediate, commit, rollback };
  void control(Control what);
  // For clean-up paths: ignores any failure.
  void control_quietly(Control what) noexcept;
  // For clean-up paths: runs `sql` and ignores any failure.
  void exec_quietly(const char* sql) noexcept;
  SQLite::Database& db() noexcept { return db_; }

  using Clock = std::chrono::steady_clock;
  // How long SQLite may wait for another process's lock: until `deadline` when set (a write that
  // already waited for the writer gate has only what is left of the busy timeout), otherwise the
  // busy timeout from when the wait began.
  void set_busy_deadline(std::optional<Clock::time_point> deadline) noexcept {
    busy_deadline_ = deadline;
  }
  // Switches the file to WAL. SQLite answers BUSY at once, without calling the busy handler, while
  // another connection holds the file (another process opening it too), so this retries within the
  // busy timeout. Throws SQLite::Exception.
  void enter_wal_mode();

  // The version of the file that the open transaction reads (SQLITE_FCNTL_DATA_VERSION, which
  // every commit changes, taken once the transaction holds its snapshot), for memos of committed
  // rows. Empty outside a transaction, and once the transaction has written (it may then read
  // its own rows, which may yet roll back).
  std::optional<std::uint32_t> snapshot_version();
  AccessMemos& memos() noexcept { return memos_; }

 private:
  int step_control(Control what) noexcept;
  // SQLite's busy handler: short sleeps, so that a waiter notices a released lock within about a
  // millisecond (SQLite's own handler sleeps up to 100 ms at a time, and the waiters of other
  // processes lose every race to a process whose next writer is already queued), until the
  // deadline. Returns 0 to give up.
  static int on_busy(void* self, int attempts) noexcept;

  SQLite::Database db_;
  std::chrono::milliseconds busy_timeout_;
  std::optional<Clock::time_point> busy_deadline_;
  Clock::time_point busy_since_;  // when the current wait began
  unsigned wal_autocheckpoint_pages_;
  AccessMemos memos_;
  std::optional<std::uint32_t> snapshot_;  // of the open transaction, once taken
  std::int64_t changes_at_begin_ = 0;      // sqlite3_total_changes64 when it began
  sqlite3_stmt* controls_[4] = {};         // finalised in the destructor, before db_ closes
  // Declared after db_, so statements are finalised before the connection closes.
  // Looked up by the SQL text as given, without copying it into a key first.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>, TextHash, std::equal_to<>>
      statements_;
};

// Rolls the connection's open transaction back when it goes out of scope, unless commit() ran.
class RollbackUnlessCommitted {
 public:
  explicit RollbackUnlessCommitted(Connection& connection) noexcept : connection_(connection) {}
  RollbackUnlessCommitted(const RollbackUnlessCommitted&) = delete;
  RollbackUnlessCommitted& operator=(const RollbackUnlessCommitted&) = delete;
  ~RollbackUnlessCommitted() {
    if (!committed_) connection_.control_quietly(Connection::Control::rollback);
  }
  void commit() {
    connection_.control(Connection::Control::commit);
    committed_ = true;
  }

 private:
  Connection& connection_;
  bool committed_ = false;
};

}  // namespace quire::storage::sqlite
