#pragma once
// One libpq connection with its prepared statements, each prepared once (keyed by its SQL text) and
// reused for the life of the connection. Parameters and results travel as text. Several statements
// go to the server in one round trip through libpq's pipeline mode.

#include <libpq-fe.h>

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <quire/result.hpp>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace quire::storage::postgres {

// Owns a PGresult.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result) noexcept : result_(result) {}

  int rows() const noexcept { return result_ ? PQntuples(result_.get()) : 0; }
  bool empty() const noexcept { return rows() == 0; }
  bool is_null(int row, int column) const noexcept;
  std::string_view text(int row, int column) const noexcept;
  std::string string(int row, int column) const { return std::string(text(row, column)); }
  // Throw BadValue when the column holds something else.
  std::int64_t int64(int row, int column) const;
  bool boolean(int row, int column) const;
  std::optional<std::string> optional_string(int row, int column) const;
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  // The rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;
  // "COMMIT", "ROLLBACK", "INSERT 0 1", …
  std::string_view command_status() const noexcept;

  PGresult* get() const noexcept { return result_.get(); }

 private:
  struct Clear {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

// Text parameters $1, $2, …; an empty optional is NULL.
class Params {
 public:
  Params() = default;
  template <class... Values>
  explicit Params(const Values&... values) {
    (add(values), ...);
  }

  Params& add(bool value);
  template <std::integral T>
  requires(!std::same_as<T, bool>) Params& add(T value) {
    values_.emplace_back(std::to_string(value));
    return *this;
  }
  Params& add(std::string_view value);
  Params& add(const std::string& value) { return add(std::string_view(value)); }
  Params& add(const char* value) { return add(std::string_view(value)); }
  Params& add(std::nullopt_t);
  template <class T>
  Params& add(const std::optional<T>& value) {
    return value ? add(*value) : add(std::nullopt);
  }

  int size() const noexcept { return static_cast<int>(values_.size()); }
  // PostgreSQL text cannot hold a NUL byte; libpq would cut the value short at one.
  bool has_nul() const noexcept { return has_nul_; }
  // Pointers into this object, valid while it lives unchanged.
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
  bool has_nul_ = false;
};

// One statement of a batch. `prepare` caches it on the connection by its SQL text; utility
// statements (BEGIN, SAVEPOINT …) run unprepared.
struct Statement {
  std::string_view sql;
  const Params* params = nullptr;
  bool prepare = true;
};

class Connection {
 public:
  // Connects with a libpq connection string (URI or key=value). Errors: storage.
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo) noexcept;

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `statements` in one round trip and returns one result each. Stops at the first failure:
  // its index goes to `failed_at` and the error is returned; the statements after it do not run.
  Result<std::vector<PgResult>> run(std::span<const Statement> statements,
                                    std::size_t* failed_at = nullptr) noexcept;
  // One statement, prepared and cached.
  Result<PgResult> query(std::string_view sql, const Params& params = {}) noexcept;
  // Fixed SQL without parameters, through the simple protocol: may hold several statements
  // (migrations). Not cached.
  Result<void> exec(const char* sql) noexcept;
  // For clean-up paths: runs `sql` and ignores any failure.
  void exec_quietly(const char* sql) noexcept;

  // "name" quoted as an identifier.
  Result<std::string> quote_identifier(std::string_view name) noexcept;

  bool is_broken() const noexcept;
  PGTransactionStatusType transaction_status() const noexcept;
  // Reconnects after a broken connection; the prepared statements are gone with the old session.
  Result<void> reset() noexcept;

 private:
  explicit Connection(PGconn* connection) noexcept : connection_(connection) {}
  Result<std::vector<PgResult>> run_pipeline(std::span<const Statement> statements,
                                             std::size_t* failed_at);
  // Reads every result up to the pipeline's sync, so the connection can leave pipeline mode.
  void drain_pipeline() noexcept;

  PGconn* connection_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
  unsigned next_statement_ = 0;
  bool broken_ = false;  // left in a state it cannot be used from
};

}  // namespace quire::storage::postgres
