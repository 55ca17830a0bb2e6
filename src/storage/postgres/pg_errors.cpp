#include "storage/postgres/pg_errors.hpp"

#include <fmt/format.h>

#include <quire/storage.hpp>
#include <string>

namespace quire::storage::postgres {

namespace {

// "tenants_slug_key" on table "tenants" → "tenants.slug"; "members_pkey" → "members (primary key)".
// quire names its unique constraints <table>_<column>_key, PostgreSQL's own default.
std::string constraint_subject(std::string_view constraint, std::string_view table) {
  if (constraint.empty()) return table.empty() ? std::string("a row") : std::string(table);
  if (!table.empty() && constraint.starts_with(table) && constraint.size() > table.size() &&
      constraint[table.size()] == '_') {
    auto rest = constraint.substr(table.size() + 1);
    if (rest == "pkey") return fmt::format("{} (primary key)", table);
    if (rest.ends_with("_key")) rest.remove_suffix(4);
    return fmt::format("{}.{}", table, rest);
  }
  return std::string(constraint);
}

bool starts_with_class(std::string_view sqlstate, std::string_view cls) {
  return sqlstate.size() == 5 && sqlstate.starts_with(cls);
}

std::string_view field(const PGresult* result, int code) {
  const char* value = result == nullptr ? nullptr : PQresultErrorField(result, code);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

// libpq's messages end with a newline; an Error's message is one line.
std::string one_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::string line(text);
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  return line;
}

}  // namespace

bool is_connection_failure(std::string_view sqlstate) noexcept {
  return starts_with_class(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

Error sqlstate_error(std::string_view sqlstate, std::string_view message,
                     std::string_view constraint, std::string_view table) {
  const std::string primary = one_line(message);
  std::string detail =
      fmt::format("PostgreSQL SQLSTATE {}: {}", sqlstate.empty() ? "(none)" : sqlstate, primary);
  const auto err = [&](Errc code, std::string text) {
    return fail(code, std::move(text), std::move(detail));
  };

  // Integrity constraints (class 23).
  if (sqlstate == "23505") {
    return err(Errc::already_exists,
               fmt::format("{} already exists", constraint_subject(constraint, table)));
  }
  if (sqlstate == "23503") {
    // Inserting a row whose reference is missing, or removing a row that is still referred to.
    if (primary.starts_with("update or delete on table")) {
      return err(Errc::conflict,
                 fmt::format("the row is still referred to by {}",
                             table.empty() ? std::string("another row") : std::string(table)));
    }
    return err(Errc::not_found, "a row this change refers to does not exist");
  }
  if (sqlstate == "23514" || sqlstate == "23502" || starts_with_class(sqlstate, "22")) {
    return err(Errc::invalid_argument, fmt::format("the database refused the value: {}", primary));
  }
  if (starts_with_class(sqlstate, "23")) {
    return err(Errc::conflict, fmt::format("the database refused the change: {}", primary));
  }

  // Concurrency: the whole transaction may run again (ErrorFacts::retryable), and the unit of work
  // does so for a unit of its own; inside Database::transaction, its caller must.
  if (sqlstate == "40001" || sqlstate == "40P01") {
    auto error = err(Errc::busy, sqlstate == "40001"
                                     ? "the transaction conflicted with a concurrent one "
                                       "(serialization failure); retry the whole transaction"
                                     : "the transaction was chosen as a deadlock victim; retry "
                                       "the whole transaction");
    error.facts.retryable = true;
    return error;
  }
  if (sqlstate == "55P03") return err(Errc::busy, "the database is busy: a lock was not free");
  if (sqlstate == "57014") {
    return err(Errc::busy, "the statement was cancelled (statement timeout or a cancel request)");
  }
  if (sqlstate == "53300") {
    return err(Errc::busy, "the PostgreSQL server has no free connection slot; try again");
  }

  // The connection, the server, the storage underneath.
  if (is_connection_failure(sqlstate) || sqlstate.empty()) {
    return err(Errc::storage, fmt::format("the connection to PostgreSQL was lost: {}; the pool "
                                          "reconnects, retry the operation",
                                          primary.empty() ? "no response" : primary));
  }
  if (starts_with_class(sqlstate, "53") || starts_with_class(sqlstate, "58")) {
    return err(Errc::storage, fmt::format("PostgreSQL storage error: {}", primary));
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") {
    return err(Errc::corrupt, fmt::format("PostgreSQL reports corrupt data: {}", primary));
  }

  // Privileges and row-level security; a trigger that refuses a change (P0001, RAISE EXCEPTION).
  if (sqlstate == "42501") {
    return err(Errc::permission_denied, fmt::format("the database refused access: {}", primary));
  }
  if (sqlstate == "P0001") return err(Errc::permission_denied, primary);

  // A write in a READ ONLY transaction (SQLite says "attempt to write a readonly database").
  if (sqlstate == "25006") {
    return err(Errc::storage, "cannot write in a read-only transaction");
  }
  if (sqlstate == "25P02") {
    return err(Errc::internal,
               "the transaction failed earlier and must be rolled back before it is used again");
  }
  // Syntax errors, unknown tables and the like: a bug in quire, or a schema someone changed.
  if (starts_with_class(sqlstate, "42") || starts_with_class(sqlstate, "0A")) {
    return err(Errc::internal, fmt::format("PostgreSQL error: {}", primary));
  }
  return err(Errc::storage, fmt::format("PostgreSQL error: {}", primary));
}

Error result_error(const PGresult* result, const PGconn* connection) {
  const auto sqlstate = field(result, PG_DIAG_SQLSTATE);
  if (sqlstate.empty() && connection != nullptr && PQstatus(connection) == CONNECTION_BAD) {
    return connection_error("the connection to PostgreSQL was lost", connection);
  }
  std::string_view message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && result != nullptr) message = PQresultErrorMessage(result);
  if (message.empty() && connection != nullptr) message = PQerrorMessage(connection);
  return sqlstate_error(sqlstate, message, field(result, PG_DIAG_CONSTRAINT_NAME),
                        field(result, PG_DIAG_TABLE_NAME));
}

Error connection_error(std::string_view what, const PGconn* connection) {
  const std::string message =
      one_line(connection == nullptr ? "out of memory" : PQerrorMessage(connection));
  return fail(Errc::storage, fmt::format("{}: {}", what, message.empty() ? "no response" : message),
              fmt::format("libpq: {}", message));
}

}  // namespace quire::storage::postgres
