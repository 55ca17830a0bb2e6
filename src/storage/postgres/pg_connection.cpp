#include "storage/postgres/pg_connection.hpp"

#include <fmt/format.h>

#include <charconv>

#include "storage/postgres/pg_errors.hpp"

namespace quire::storage::postgres {

namespace {

std::int64_t parse_int64(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    throw BadValue(
        fmt::format("expected an integer from PostgreSQL, got \"{}\"", text.substr(0, 32)));
  }
  return value;
}

// Notices ("relation already exists, skipping") are not errors; libpq would print them to stderr.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

// --- PgResult

bool PgResult::is_null(int row, int column) const noexcept {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const noexcept {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::int64_t PgResult::int64(int row, int column) const {
  return parse_int64(text(row, column));
}

bool PgResult::boolean(int row, int column) const {
  const auto value = text(row, column);
  if (value == "t") return true;
  if (value == "f") return false;
  throw BadValue(fmt::format("expected a boolean from PostgreSQL, got \"{}\"", value.substr(0, 8)));
}

std::optional<std::string> PgResult::optional_string(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return string(row, column);
}

std::optional<std::int64_t> PgResult::optional_int64(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return int64(row, column);
}

std::int64_t PgResult::affected() const {
  const char* count = PQcmdTuples(result_.get());
  return count == nullptr || *count == '\0' ? 0 : parse_int64(count);
}

std::string_view PgResult::command_status() const noexcept {
  const char* status = result_ ? PQcmdStatus(result_.get()) : nullptr;
  return status == nullptr ? std::string_view() : std::string_view(status);
}

// --- Params

Params& Params::add(bool value) {
  values_.emplace_back(value ? "t" : "f");
  return *this;
}

Params& Params::add(std::string_view value) {
  if (value.find('\0') != std::string_view::npos) has_nul_ = true;
  values_.emplace_back(std::string(value));
  return *this;
}

Params& Params::add(std::nullopt_t) {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

// --- Connection

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo) noexcept {
  return guarded([&]() -> Result<std::unique_ptr<Connection>> {
    // `dbname` is expanded as a whole connection string; the keywords after it win over it, so
    // quire always talks UTF-8.
    const char* const keywords[] = {"dbname", "fallback_application_name", "client_encoding",
                                    nullptr};
    const char* const values[] = {conninfo.c_str(), "quire", "UTF8", nullptr};
    PGconn* raw = PQconnectdbParams(keywords, values, 1);
    if (raw == nullptr) return fail(Errc::internal, "out of memory");
    if (PQstatus(raw) != CONNECTION_OK) {
      auto error = connection_error("cannot connect to PostgreSQL", raw);
      PQfinish(raw);
      return error;
    }
    PQsetNoticeProcessor(raw, ignore_notice, nullptr);
    // The constructor is private, so no make_unique; guarded() catches a failed allocation.
    std::unique_ptr<Connection> connection;
    try {
      connection.reset(new Connection(raw));  // NOLINT(bugprone-unhandled-exception-at-new)
    } catch (...) {
      PQfinish(raw);
      throw;
    }
    return connection;
  });
}

Connection::~Connection() {
  PQfinish(connection_);
}

bool Connection::is_broken() const noexcept {
  return broken_ || PQstatus(connection_) != CONNECTION_OK;
}

PGTransactionStatusType Connection::transaction_status() const noexcept {
  return PQtransactionStatus(connection_);
}

Result<void> Connection::reset() noexcept {
  prepared_.clear();
  broken_ = false;
  PQreset(connection_);
  if (PQstatus(connection_) != CONNECTION_OK) {
    return connection_error("cannot reconnect to PostgreSQL", connection_);
  }
  return success();
}

Result<std::string> Connection::quote_identifier(std::string_view name) noexcept {
  return guarded([&]() -> Result<std::string> {
    char* quoted = PQescapeIdentifier(connection_, name.data(), name.size());
    if (quoted == nullptr) return connection_error("cannot quote an identifier", connection_);
    std::string text(quoted);
    PQfreemem(quoted);
    return text;
  });
}

Result<void> Connection::exec(const char* sql) noexcept {
  return guarded([&]() -> Result<void> {
    PgResult result(PQexec(connection_, sql));
    const auto status = PQresultStatus(result.get());
    if (result.get() == nullptr ||
        (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)) {
      return result_error(result.get(), connection_);
    }
    return success();
  });
}

void Connection::exec_quietly(const char* sql) noexcept {
  PQclear(PQexec(connection_, sql));
}

Result<PgResult> Connection::query(std::string_view sql, const Params& params) noexcept {
  const Statement statement{sql, &params};
  QUIRE_TRY(auto results, run(std::span(&statement, 1)));
  return std::move(results.front());
}

Result<std::vector<PgResult>> Connection::run(std::span<const Statement> statements,
                                              std::size_t* failed_at) noexcept {
  return guarded([&]() -> Result<std::vector<PgResult>> {
    for (std::size_t i = 0; i < statements.size(); ++i) {
      if (statements[i].params != nullptr && statements[i].params->has_nul()) {
        if (failed_at != nullptr) *failed_at = i;
        return fail(Errc::invalid_argument,
                    "a text value holds a NUL byte, which PostgreSQL text cannot store");
      }
    }
    if (PQenterPipelineMode(connection_) != 1) {
      if (failed_at != nullptr) *failed_at = 0;
      return connection_error("cannot send to PostgreSQL", connection_);
    }
    auto results = run_pipeline(statements, failed_at);
    if (PQpipelineStatus(connection_) != PQ_PIPELINE_OFF && PQexitPipelineMode(connection_) != 1) {
      // Results were left unread, which only a broken connection does: the pool drops it.
      broken_ = true;
    }
    return results;
  });
}

Result<std::vector<PgResult>> Connection::run_pipeline(std::span<const Statement> statements,
                                                       std::size_t* failed_at) {
  // What went to the server, in order: each statement, preceded by its PREPARE when new.
  struct Sent {
    std::size_t statement;
    std::string prepared_name;  // set for a PREPARE
  };
  std::vector<Sent> sent;
  sent.reserve(statements.size() * 2);
  const auto broken = [&](std::size_t index) -> Error {
    if (failed_at != nullptr) *failed_at = index;
    return connection_error("the connection to PostgreSQL was lost", connection_);
  };

  for (std::size_t i = 0; i < statements.size(); ++i) {
    const auto& statement = statements[i];
    static const Params no_params;
    const Params& params = statement.params != nullptr ? *statement.params : no_params;
    const auto values = params.pointers();
    const std::string sql(statement.sql);
    int sent_ok = 0;
    if (statement.prepare) {
      auto found = prepared_.find(sql);
      std::string name;
      if (found == prepared_.end()) {
        name = fmt::format("quire_{}", ++next_statement_);
        if (PQsendPrepare(connection_, name.c_str(), sql.c_str(), 0, nullptr) != 1) {
          drain_pipeline();
          return broken(i);
        }
        sent.push_back({i, name});
      } else {
        name = found->second;
      }
      sent_ok = PQsendQueryPrepared(connection_, name.c_str(), params.size(), values.data(),
                                    nullptr, nullptr, 0);
    } else {
      sent_ok = PQsendQueryParams(connection_, sql.c_str(), params.size(), nullptr, values.data(),
                                  nullptr, nullptr, 0);
    }
    if (sent_ok != 1) {
      drain_pipeline();
      return broken(i);
    }
    sent.push_back({i, {}});
  }
  if (PQpipelineSync(connection_) != 1) {
    drain_pipeline();
    return broken(0);
  }

  std::vector<PgResult> results(statements.size());
  std::optional<Error> error;
  for (const auto& command : sent) {
    PGresult* raw = PQgetResult(connection_);
    if (raw == nullptr) {
      if (!error) error = broken(command.statement);
      break;
    }
    PgResult result(raw);
    const auto status = PQresultStatus(raw);
    // Each command's results end with a null (bounded, in case the connection broke).
    for (int extra = 0; extra < 64; ++extra) {
      PGresult* more = PQgetResult(connection_);
      if (more == nullptr) break;
      PQclear(more);
    }
    if (status == PGRES_PIPELINE_ABORTED) continue;  // an earlier command failed
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      // The server may say why it is closing the connection (57P01: terminated by an
      // administrator) before libpq has seen the connection close.
      const char* sqlstate = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      if (sqlstate != nullptr && is_connection_failure(sqlstate)) broken_ = true;
      if (!error) {
        error = result_error(raw, connection_);
        if (failed_at != nullptr) *failed_at = command.statement;
      }
      continue;
    }
    if (!command.prepared_name.empty()) {
      prepared_.emplace(std::string(statements[command.statement].sql), command.prepared_name);
    } else {
      results[command.statement] = std::move(result);
    }
  }
  PgResult sync(PQgetResult(connection_));
  if (PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC && !error) {
    error = broken(statements.empty() ? 0 : statements.size() - 1);
  }
  if (error) return std::move(*error);
  return results;
}

void Connection::drain_pipeline() noexcept {
  if (PQstatus(connection_) != CONNECTION_OK) return;
  if (PQpipelineSync(connection_) != 1) return;
  // Read up to the sync; a bounded number of nulls guards against a connection that broke.
  for (int nulls = 0; nulls < 1024;) {
    PGresult* result = PQgetResult(connection_);
    if (result == nullptr) {
      if (PQstatus(connection_) != CONNECTION_OK) return;
      ++nulls;
      continue;
    }
    const bool done = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
    PQclear(result);
    if (done) return;
  }
}

}  // namespace quire::storage::postgres
