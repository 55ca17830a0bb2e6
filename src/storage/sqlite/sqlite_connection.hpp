#pragma once
// One SQLite connection with its prepared statements, each prepared once and reused for the life of
// the connection.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <functional>
#include <memory>
#include <quire/options.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

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

 private:
  int step_control(Control what) noexcept;

  SQLite::Database db_;
  sqlite3_stmt* controls_[4] = {};  // finalised in the destructor, before db_ closes
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
