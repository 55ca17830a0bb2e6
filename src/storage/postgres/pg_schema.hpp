#pragma once
// The PostgreSQL schema as forward-only migrations, recorded in schema_version. Tenant-owned tables
// have row-level security enabled and forced, with a policy on quire.tenant_id.

#include <quire/result.hpp>

#include "storage/postgres/pg_connection.hpp"

namespace quire::storage::postgres {

// The schema version this build of quire writes.
int latest_schema_version() noexcept;

// Applies every migration the database lacks, each in its own transaction under an advisory lock
// (per schema), so that two processes opening a new database at once do not both apply one. A
// database that is current is not touched (no lock, no DDL), so a role that may not create tables
// opens it fine. Errors: not_supported (the database was written by a newer quire),
// permission_denied (the database needs migrating and this role may not: run as the owner), busy,
// storage.
Result<void> migrate(Connection& connection) noexcept;

// The version recorded in the database (0 for a new one).
Result<int> current_schema_version(Connection& connection) noexcept;

}  // namespace quire::storage::postgres
