#include "storage/postgres/pg_session.hpp"

#include <fmt/format.h>

#include <limits>
#include <vector>

#include "storage/postgres/pg_errors.hpp"

namespace quire::storage::postgres {

namespace {

constexpr auto none = std::numeric_limits<std::size_t>::max();

// Writes run SERIALIZABLE: the engines check, then act (a slug is free, a quota has room, a version
// is current), which is only sound if the transactions behave as if run one at a time — as they do
// on SQLite, with its single writer. A conflict fails with 40001 (Errc::busy) instead of losing an
// update or overrunning a quota. Reads run REPEATABLE READ READ ONLY: one consistent snapshot for
// every statement of the unit, and a read-only transaction at that level never fails to serialize.
const char* begin_sql(Access access) {
  return access == Access::write ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                 : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
}

constexpr std::string_view set_lock_timeout_sql = "SELECT set_config('lock_timeout', $1, true)";
constexpr std::string_view set_tenant_sql = "SELECT set_config('quire.tenant_id', $1, true)";
constexpr std::string_view statement_savepoint = "SAVEPOINT quire_statement";
constexpr std::string_view statement_release = "RELEASE SAVEPOINT quire_statement";

}  // namespace

Session::Session(Connection& connection, Access access, unsigned lock_timeout_ms) noexcept
    : connection_(connection), access_(access) {
  try {
    lock_timeout_ = std::to_string(lock_timeout_ms) + "ms";
  } catch (...) {
    lock_timeout_.clear();  // out of memory: no bound, PostgreSQL's default
  }
}

Result<PgResult> Session::read(std::string_view sql, const Params& params) noexcept {
  return execute({}, sql, params);
}

Result<PgResult> Session::write(std::string_view sql, const Params& params) noexcept {
  return execute({.guarded = true}, sql, params);
}

Result<PgResult> Session::read_in(TenantId tenant, std::string_view sql,
                                  const Params& params) noexcept {
  return execute({.tenant = tenant}, sql, params);
}

Result<PgResult> Session::write_in(TenantId tenant, std::string_view sql,
                                   const Params& params) noexcept {
  return execute({.tenant = tenant, .guarded = true}, sql, params);
}

Result<PgResult> Session::execute(const Run& how, std::string_view sql,
                                  const Params& params) noexcept {
  return guarded([&]() -> Result<PgResult> {
    if (finished_) return fail(Errc::internal, "the transaction has already ended");
    if (params.has_nul()) {
      return fail(Errc::invalid_argument,
                  "a text value holds a NUL byte, which PostgreSQL text cannot store");
    }
    const bool first = !begun_;
    auto result = execute_once(how, sql, params);
    if (result || !connection_.is_broken()) return result;
    if (!first) {
      // The server rolled the transaction back when the connection dropped.
      finished_ = true;
      return result;
    }
    // Nothing had happened in this transaction yet: reconnect and try once more.
    begun_ = false;
    tenant_.reset();
    QUIRE_TRY(connection_.reset());
    result = execute_once(how, sql, params);
    if (!result && connection_.is_broken()) finished_ = true;
    return result;
  });
}

Result<PgResult> Session::execute_once(const Run& how, std::string_view sql, const Params& params) {
  std::vector<Statement> steps;
  steps.reserve(5);
  std::optional<Params> tenant_param;
  std::optional<Params> timeout_param;
  std::size_t begin_at = none;
  std::size_t tenant_at = none;
  std::size_t savepoint_at = none;
  if (!begun_) {
    begin_at = steps.size();
    steps.push_back({begin_sql(access_), nullptr, false});
    if (!lock_timeout_.empty()) {
      timeout_param.emplace(lock_timeout_);
      steps.push_back({set_lock_timeout_sql, &*timeout_param, true});
    }
  }
  if (how.tenant && tenant_ != how.tenant) {
    tenant_param.emplace(std::to_string(*how.tenant));
    tenant_at = steps.size();
    steps.push_back({set_tenant_sql, &*tenant_param, true});
  }
  if (how.guarded) {
    savepoint_at = steps.size();
    steps.push_back({statement_savepoint, nullptr, false});
  }
  const std::size_t main_at = steps.size();
  steps.push_back({sql, &params, how.prepare});
  if (how.guarded) steps.push_back({statement_release, nullptr, false});

  std::size_t failed_at = none;
  auto results = connection_.run(steps, &failed_at);
  if (results) {
    begun_ = true;
    if (how.tenant) tenant_ = how.tenant;
    return std::move(results.value()[main_at]);
  }
  auto error = std::move(results).assume_error();
  if (connection_.is_broken()) return error;
  // The statements before the failed one took effect.
  if (begin_at != none && failed_at != none && failed_at > begin_at) begun_ = true;
  if (tenant_at != none) {
    if (failed_at != none && failed_at > tenant_at) {
      tenant_ = how.tenant;
    } else {
      tenant_.reset();
    }
  }
  if (savepoint_at != none && failed_at != none && failed_at > savepoint_at) {
    // Undo the failed statement only; the transaction goes on.
    QUIRE_TRY(connection_.exec(
        "ROLLBACK TO SAVEPOINT quire_statement; RELEASE SAVEPOINT quire_statement"));
  }
  return error;
}

Result<void> Session::utility(const std::string& sql) noexcept {
  QUIRE_TRY(execute({.prepare = false}, sql, Params()));
  return success();
}

Result<void> Session::savepoint(std::string_view name) noexcept {
  QUIRE_TRY(auto quoted, connection_.quote_identifier(name));
  return utility("SAVEPOINT " + quoted);
}

Result<void> Session::release(std::string_view name) noexcept {
  QUIRE_TRY(auto quoted, connection_.quote_identifier(name));
  return utility("RELEASE SAVEPOINT " + quoted);
}

Result<void> Session::rollback_to(std::string_view name) noexcept {
  return guarded([&]() -> Result<void> {
    if (finished_ || !begun_) {
      return fail(Errc::internal, fmt::format("no savepoint {} to roll back to", name));
    }
    QUIRE_TRY(auto quoted, connection_.quote_identifier(name));
    const std::string rollback = "ROLLBACK TO SAVEPOINT " + quoted;
    const std::string release = "RELEASE SAVEPOINT " + quoted;
    const Statement steps[] = {{rollback, nullptr, false}, {release, nullptr, false}};
    // A set_config made after the savepoint is undone with it.
    tenant_.reset();
    QUIRE_TRY(connection_.run(steps));
    return success();
  });
}

Result<void> Session::commit() noexcept {
  return guarded([&]() -> Result<void> {
    if (finished_) return fail(Errc::internal, "the transaction has already ended");
    finished_ = true;
    if (!begun_) return success();  // no statement ran: nothing to commit
    if (connection_.transaction_status() == PQTRANS_INERROR) {
      connection_.exec_quietly("ROLLBACK");
      return fail(Errc::internal,
                  "the transaction failed earlier and was rolled back instead of committed");
    }
    const Statement commit{"COMMIT", nullptr, false};
    auto result = connection_.run(std::span(&commit, 1));
    if (!result) {
      // A serialization failure at commit (Errc::busy) ends the transaction too.
      if (!connection_.is_broken() && connection_.transaction_status() != PQTRANS_IDLE) {
        connection_.exec_quietly("ROLLBACK");
      }
      return std::move(result).assume_error();
    }
    const auto status = result.value().front().command_status();
    if (status != "COMMIT") {
      return fail(Errc::internal, "the transaction was rolled back instead of committed",
                  fmt::format("COMMIT answered {}", status));
    }
    return success();
  });
}

void Session::rollback() noexcept {
  if (!finished_ && begun_ && !connection_.is_broken()) connection_.exec_quietly("ROLLBACK");
  finished_ = true;
}

}  // namespace quire::storage::postgres
