#include "storage/sqlite/sqlite_errors.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace quire::storage::sqlite {

namespace {

// "UNIQUE constraint failed: tenants.slug" → "tenants.slug"
std::string_view constraint_subject(std::string_view message) {
  const auto colon = message.rfind(": ");
  return colon == std::string_view::npos ? message : message.substr(colon + 2);
}

}  // namespace

Error sqlite_error(int extended_code, std::string_view message) {
  std::string detail =
      fmt::format("SQLite {} ({}): {}", sqlite3_errstr(extended_code), extended_code, message);
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return fail(Errc::already_exists,
                  fmt::format("{} already exists", constraint_subject(message)), std::move(detail));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return fail(Errc::not_found, "a row this change refers to does not exist", std::move(detail));
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_DATATYPE:
      return fail(Errc::invalid_argument,
                  fmt::format("the database refused the value: {}", message), std::move(detail));
    case SQLITE_CONSTRAINT_TRIGGER:
      return fail(Errc::permission_denied, std::string(message), std::move(detail));
    default:
      break;
  }
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fail(Errc::busy, "the database is busy; try again", std::move(detail));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return fail(Errc::corrupt, "the database file is corrupt or not a quire database",
                  std::move(detail));
    case SQLITE_NOMEM:
      return fail(Errc::internal, "out of memory", std::move(detail));
    case SQLITE_ERROR:
      // quire's own statements name only what its migrations created: a table, index or column
      // that is not there was removed behind quire's back.
      if (message.find("no such table") != std::string_view::npos ||
          message.find("no such column") != std::string_view::npos ||
          message.find("no such index") != std::string_view::npos) {
        return fail(Errc::corrupt,
                    fmt::format("the database's schema is damaged ({}): part of quire's schema was "
                                "removed or changed outside quire",
                                message),
                    std::move(detail));
      }
      return fail(Errc::internal, fmt::format("SQLite error: {}", message), std::move(detail));
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return fail(Errc::internal, fmt::format("SQLite error: {}", message), std::move(detail));
    default:
      return fail(Errc::storage, fmt::format("storage error: {}", message), std::move(detail));
  }
}

}  // namespace quire::storage::sqlite
