#pragma once
// One SQLite connection with its prepared statements, each prepared once and reused for the life of
// the connection.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <quire/options.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

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

  Query query(std::string_view sql);
  void exec(const char* sql);
  // For clean-up paths: runs `sql` and ignores any failure.
  void exec_quietly(const char* sql) noexcept;
  SQLite::Database& db() noexcept { return db_; }

 private:
  SQLite::Database db_;
  // Declared after db_, so statements are finalised before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

// Rolls the connection's open transaction back when it goes out of scope, unless commit() ran.
class RollbackUnlessCommitted {
 public:
  explicit RollbackUnlessCommitted(Connection& connection) noexcept : connection_(connection) {}
  RollbackUnlessCommitted(const RollbackUnlessCommitted&) = delete;
  RollbackUnlessCommitted& operator=(const RollbackUnlessCommitted&) = delete;
  ~RollbackUnlessCommitted() {
    if (!committed_) connection_.exec_quietly("ROLLBACK");
  }
  void commit() {
    connection_.exec("COMMIT");
    committed_ = true;
  }

 private:
  Connection& connection_;
  bool committed_ = false;
};

}  // namespace quire::storage::sqlite
