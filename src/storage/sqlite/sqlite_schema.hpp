#pragma once
// The SQLite schema as forward-only migrations, recorded in schema_version.

#include <quire/result.hpp>

#include "storage/sqlite/sqlite_connection.hpp"

namespace quire::storage::sqlite {

// The schema version this build of quire writes.
int latest_schema_version() noexcept;

// Applies every migration the database lacks, each in its own BEGIN IMMEDIATE transaction, so that
// two processes opening a new file at once do not both apply one. Errors: not_supported when the
// database was written by a newer quire, storage, busy.
Result<void> migrate(Connection& writer) noexcept;

// The version recorded in the database (0 for a new file).
Result<int> current_schema_version(Connection& connection) noexcept;

}  // namespace quire::storage::sqlite
