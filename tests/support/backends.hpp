#pragma once
// The backends every conformance and engine test runs against. A new backend adds a type here and
// to QUIRE_TEST_BACKENDS; the tests themselves are written once.

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <quire/options.hpp>
#include <quire/storage.hpp>
#include <string>

#include "support/temp_dir.hpp"

namespace quire::test {

// Cheapest argon2id cost the library accepts, so that tests hashing many passwords stay fast.
inline Options test_options() {
  Options options;
  options.passwords.opslimit = 2;
  options.passwords.memlimit = 19u * 1024u * 1024u;
  options.synchronous = Synchronous::normal;
  return options;
}

struct SqliteMemory {
  static constexpr bool separate_readers = false;  // one connection serves reads and writes
  std::string url() const { return "sqlite::memory:"; }
};

struct SqliteFile {
  static constexpr bool separate_readers = true;
  std::string url() const { return dir_->sqlite_url(); }
  std::shared_ptr<TempDir> dir_ = std::make_shared<TempDir>();
};

// --- PostgreSQL: a server someone else runs (scripts/quire test starts a throwaway one).
//
// QUIRE_TEST_POSTGRES_URL names the database and the role quire runs as: neither superuser nor
// BYPASSRLS, so row-level security applies. QUIRE_TEST_POSTGRES_OWNER_URL (default: the same URL)
// names the role that owns the schema and runs the migrations. Each test gets a schema of its own,
// created and migrated by the owner and dropped at the end, so tests never see each other's rows;
// quire reaches it through search_path. Without QUIRE_TEST_POSTGRES_URL the PostgreSQL test cases
// are excluded from the run and reported as skipped (tests/main.cpp).
namespace postgres {

inline std::string app_url() {
  const char* url = std::getenv("QUIRE_TEST_POSTGRES_URL");
  REQUIRE_MESSAGE((url != nullptr && *url != '\0'),
                  "QUIRE_TEST_POSTGRES_URL is not set: run scripts/quire test, or point it at a "
                  "PostgreSQL database");
  return url;
}

inline std::string owner_url() {
  const char* url = std::getenv("QUIRE_TEST_POSTGRES_OWNER_URL");
  return url != nullptr && *url != '\0' ? std::string(url) : app_url();
}

// `url` (a URI or key=value pairs) with search_path set to `schema`, a plain lower-case name.
inline std::string with_schema(const std::string& url, const std::string& schema) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema;
  }
  return url + " options='-csearch_path=" + schema + "'";
}

// Owns a libpq connection; fails the test if it cannot connect.
class Connection {
 public:
  explicit Connection(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
    REQUIRE_MESSAGE(PQstatus(connection_) == CONNECTION_OK, PQerrorMessage(connection_));
    PQsetNoticeProcessor(
        connection_, [](void*, const char*) {}, nullptr);  // "drop cascades to…"
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(connection_); }

  PGconn* get() const noexcept { return connection_; }

  // Runs `sql` and returns the first column of its first row ("" when there is none); fails the
  // test on an error.
  std::string exec(const std::string& sql) const {
    PGresult* result = PQexec(connection_, sql.c_str());
    const auto status = PQresultStatus(result);
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    std::string first = ok && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    const std::string error = ok ? "" : PQresultErrorMessage(result);
    PQclear(result);
    REQUIRE_MESSAGE(ok, sql, ": ", error);
    return first;
  }

  // Runs `sql`, which must fail, and returns its SQLSTATE.
  std::string fails(const std::string& sql) const {
    PGresult* result = PQexec(connection_, sql.c_str());
    const auto status = PQresultStatus(result);
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    std::string sqlstate = state != nullptr ? state : "";
    PQclear(result);
    REQUIRE_MESSAGE(status == PGRES_FATAL_ERROR, sql, " should have failed");
    return sqlstate;
  }

 private:
  PGconn* connection_;
};

// The owner's connection, shared by the tests of one process.
inline Connection& owner() {
  static Connection connection(owner_url());
  return connection;
}

// The role quire runs as, quoted as an identifier.
inline const std::string& app_role() {
  static const std::string role = [] {
    Connection app(app_url());
    return app.exec("SELECT quote_ident(current_user)");
  }();
  return role;
}

// A schema of its own for one test: created (and unless told otherwise, migrated) by the owner,
// dropped at the end.
class Schema {
 public:
  explicit Schema(bool migrate = true) {
    static unsigned counter = 0;
    name_ = "quire_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    owner().exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    owner().exec("CREATE SCHEMA " + name_);
    owner().exec("GRANT USAGE ON SCHEMA " + name_ + " TO " + app_role());
    if (!migrate) return;
    // The owner migrates, as a host's deployment would; quire then runs as the app role.
    auto migrated = storage::migrate(with_schema(owner_url(), name_), test_options());
    REQUIRE_MESSAGE(migrated.has_value(), "migrating as the owner: ", migrated.error().message);
  }
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema() {
    PGresult* result =
        PQexec(owner().get(), ("DROP SCHEMA IF EXISTS " + name_ + " CASCADE").c_str());
    PQclear(result);
  }

  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
};

}  // namespace postgres

struct PostgresServer {
  static constexpr bool separate_readers = true;
  std::string url() const { return postgres::with_schema(postgres::app_url(), schema_->name()); }
  std::string owner_url() const {
    return postgres::with_schema(postgres::owner_url(), schema_->name());
  }
  std::shared_ptr<postgres::Schema> schema_ = std::make_shared<postgres::Schema>();
};

}  // namespace quire::test

#define QUIRE_TEST_BACKENDS \
  quire::test::SqliteMemory, quire::test::SqliteFile, quire::test::PostgresServer
