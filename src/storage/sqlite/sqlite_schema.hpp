#pragma once
// The SQLite schema as forward-only migrations, recorded in schema_version.

#include <quire/result.hpp>
#include <string_view>

#include "storage/sqlite/sqlite_connection.hpp"

namespace quire::storage::sqlite {

// The schema version this build of quire writes.
int latest_schema_version() noexcept;

// Refuses a file that holds another application's data before anything writes to it: a file
// with schema objects must carry quire's application_id, or (made by a quire from before that id)
// quire's schema_version table. `file` names it in the error. Errors: invalid_argument, corrupt
// (not a database), busy.
Result<void> require_quire_file(Connection& connection, std::string_view file) noexcept;

// Applies every migration the database lacks, all in one BEGIN IMMEDIATE transaction: two
// processes opening a new file at once do not both apply one, and a failing step leaves the file
// at the version it had. Errors: invalid_argument (not quire's file, see require_quire_file),
// not_supported when the database was written by a newer quire, storage, busy.
Result<void> migrate(Connection& writer, std::string_view file) noexcept;

// The version recorded in the database (0 for a new file).
Result<int> current_schema_version(Connection& connection) noexcept;

}  // namespace quire::storage::sqlite
