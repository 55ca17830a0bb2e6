// Database: opening, migrations, closing, explicit transactions, threads and processes.

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <type_traits>

#include "engines/raw_sqlite.hpp"
#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

// Runs `sql` on the database behind quire's back: on the SQLite file, or on PostgreSQL as the
// schema's owner.
template <class B>
void tamper(const B& kind, const std::string& sql) {
  if constexpr (std::is_same_v<B, PostgresServer>) {
    postgres::Connection(kind.owner_url()).exec(sql);
  } else {
    raw_exec(kind.dir_->path() / "test.db", sql);
  }
}

}  // namespace

// No backend: these URLs never reach one.
TEST_CASE("database: bad URLs are refused") {
  CHECK(expect_error(Database::open("mysql://x"), Errc::invalid_argument).find("url") !=
        std::string::npos);
  expect_error(Database::open(""), Errc::invalid_argument);
  expect_error(Database::open("sqlite:"), Errc::invalid_argument);
  expect_error(Database::open("sqlite:/nonexistent-dir/deeper/x.db", test_options()),
               Errc::storage);
}

TEST_CASE_TEMPLATE("database: bad options are refused", B, QUIRE_TEST_BACKENDS) {
  B kind;
  Options weak = test_options();
  weak.passwords.memlimit = 8u * 1024u * 1024u;  // below OWASP's line for t=2
  CHECK(expect_error(Database::open(kind.url(), weak), Errc::invalid_argument).find("passwords") !=
        std::string::npos);
  Options no_plan = test_options();
  no_plan.default_plan = "gold";
  CHECK(expect_error(Database::open(kind.url(), no_plan), Errc::invalid_argument)
            .find("default_plan") != std::string::npos);
}

// Not on SqliteMemory: an in-memory database ends with its last close.
TEST_CASE_TEMPLATE("database: data is kept across opens (a SQLite file in WAL mode)", B, SqliteFile,
                   PostgresServer) {
  B kind;
  {
    auto db = must(Database::open(kind.url(), test_options()));
    must(db.system().tenants().create({.slug = "kept", .name = "Kept"}));
    must(db.close());
  }
  auto db = must(Database::open(kind.url(), test_options()));
  CHECK(must(db.system().tenants().get("kept")).name == "Kept");
  if constexpr (std::is_same_v<B, SqliteFile>) {
    const auto& dir = *kind.dir_;
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open((dir.path() / "test.db").c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
    sqlite3_finalize(stmt);
    REQUIRE(sqlite3_prepare_v2(raw, "SELECT max(version) FROM schema_version", -1, &stmt,
                               nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(sqlite3_column_int(stmt, 0) >= 1);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
  }
}

// Not on SqliteMemory: nothing else can reach an in-memory database to change it.
TEST_CASE_TEMPLATE("database: a database from a newer quire is refused, naming both versions", B,
                   SqliteFile, PostgresServer) {
  B kind;
  must(must(Database::open(kind.url(), test_options())).close());
  tamper(kind, "INSERT INTO schema_version VALUES (9999, 0)");
  auto msg = expect_error(Database::open(kind.url(), test_options()), Errc::not_supported);
  CHECK(msg.find("9999") != std::string::npos);
  CHECK(msg.find("(schema version ") != std::string::npos);  // and this quire's own
}

// PostgreSQL only: schema 6 keeps each audit chain's head in audit_heads, filled from audit_log.
TEST_CASE("postgres: chains written before audit_heads (schema 5) go on after it is migrated") {
  PostgresServer kind;
  {
    auto db = must(Database::open(kind.url(), test_options()));
    must(db.system().tenants().create({.slug = "acme", .name = "Acme"}));
    must(db.system().tenants().create({.slug = "quiet", .name = "Quiet"}));
    for (int i = 0; i < 3; ++i) {
      must(db.system().tenants().update("acme", {.name = "Acme " + std::to_string(i)}));
    }
    must(db.system().users().create(
        {.username = "ann", .email = "ann@example.test", .password = "password-ann"}));
    must(db.close());
  }
  // Back to schema 5, as the owner; the owner's next open migrates again.
  tamper(kind, "DROP TABLE audit_heads; DELETE FROM schema_version WHERE version >= 6");
  must(Database::migrate(kind.owner_url(), test_options()));
  {
    // The system chain's head (one account so far), as row-level security lets the owner see it.
    postgres::Connection owner(kind.owner_url());
    owner.exec("SELECT set_config('quire.tenant_id', '0', false)");
    CHECK(owner.exec("SELECT seq FROM audit_heads") == "1");
  }

  auto db = must(Database::open(kind.url(), test_options()));
  must(db.system().tenants().update("acme", {.name = "Acme again"}));
  must(db.system().tenants().update("quiet", {.name = "Still quiet"}));
  must(db.system().users().create(
      {.username = "bob", .email = "bob@example.test", .password = "password-bob"}));
  const auto expect_chain = [&](Context ctx, std::int64_t entries) {
    const auto head = must(ctx.audit().head());
    CHECK(head.seq == entries);
    const auto verified = must(ctx.audit().verify(head));
    CHECK_MESSAGE(verified.ok, verified.problem);
    CHECK(verified.checked == entries);
  };
  expect_chain(must(db.system("acme")), 5);   // created, 3 updates, 1 more
  expect_chain(must(db.system("quiet")), 2);  // created, 1 update
  expect_chain(db.system(), 2);               // two accounts
}

// SQLite only: about the file itself.
TEST_CASE("database: a file that is not a database is corrupt") {
  TempDir dir;
  {
    std::FILE* file = std::fopen((dir.path() / "test.db").c_str(), "wb");
    REQUIRE(file);
    const std::string junk(8192, 'x');
    std::fwrite(junk.data(), 1, junk.size(), file);
    std::fclose(file);
  }
  expect_error(Database::open(dir.sqlite_url(), test_options()), Errc::corrupt);
}

TEST_CASE_TEMPLATE("database: a closed database refuses every call", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  must(f.system.tenants().add_member("acme", alice.id, "owner"));
  auto ctx = must(f.db.context("acme", alice.id));
  CHECK(f.db.is_open());
  must(f.db.close());
  must(f.db.close());  // idempotent
  CHECK_FALSE(f.db.is_open());
  CHECK(expect_error(ctx.tenants().get("acme"), Errc::invalid_argument).find("closed") !=
        std::string::npos);
  expect_error(f.system.tenants().create({.slug = "late", .name = "Late"}), Errc::invalid_argument);
  expect_error(f.db.context("acme", alice.id), Errc::invalid_argument);
}

TEST_CASE_TEMPLATE("database: an explicit transaction commits all or nothing", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  must(f.db.transaction(f.system, [&](Context& tx) -> Result<void> {
    QUIRE_TRY(tx.tenants().create({.slug = "one", .name = "One"}));
    QUIRE_TRY(tx.tenants().create({.slug = "two", .name = "Two"}));
    QUIRE_TRY(tx.tenants().add_member("two", alice.id, "owner"));
    // Reads inside see the transaction's own writes.
    QUIRE_TRY(auto members, tx.tenants().members("two"));
    CHECK(members.size() == 1);
    return success();
  }));
  CHECK(must(f.system.tenants().list()).items.size() == 2);

  const auto before = f.snapshot();
  auto failed = f.db.transaction(f.system, [&](Context& tx) -> Result<void> {
    QUIRE_TRY(tx.tenants().create({.slug = "three", .name = "Three"}));
    QUIRE_TRY(tx.tenants().update("one", {.name = "Changed"}));
    return fail(Errc::conflict, "the host changed its mind");
  });
  CHECK(expect_error(failed, Errc::conflict) == "the host changed its mind");
  CHECK(f.snapshot() == before);

  // A failed operation inside undoes only itself; the body decides what happens next.
  must(f.db.transaction(f.system, [&](Context& tx) -> Result<void> {
    QUIRE_TRY(tx.tenants().create({.slug = "four", .name = "Four"}));
    CHECK(tx.tenants().create({.slug = "four", .name = "Again"}).has_error());
    CHECK(tx.tenants().add_member("four", 999999, "viewer").has_error());
    // Nested transactions join the outer one.
    return f.db.transaction(tx, [&](Context& inner) -> Result<void> {
      QUIRE_TRY(inner.tenants().create({.slug = "five", .name = "Five"}));
      return success();
    });
  }));
  CHECK(must(f.system.tenants().get("four")).name == "Four");
  CHECK(must(f.system.tenants().get("five")).name == "Five");
  CHECK(must(f.system.tenants().list()).items.size() == 4);

  // An exception from the body is caught, and rolls back.
  auto thrown = f.db.transaction(f.system, [&](Context& tx) -> Result<void> {
    (void)tx.tenants().create({.slug = "six", .name = "Six"});
    throw std::runtime_error("boom");
  });
  expect_error(thrown, Errc::internal);
  expect_error(f.system.tenants().get("six"), Errc::not_found);
}

// On PostgreSQL every tenant's first audit entry goes to the same index page; the audit store
// claims a chain's head without reading that page (audit_heads), so the two writers do not fail to
// serialize there, and what conflicts remains (two slugs on one page of their index) is retried.
TEST_CASE_TEMPLATE("database: two threads sharing one Database lose no row", B, SqliteMemory,
                   SqliteFile, PostgresServer) {
  B kind;
  auto db = must(Database::open(kind.url(), test_options()));
  constexpr int per_thread = 1000;
  std::atomic<int> failures{0};
  std::string first_failure;
  auto work = [&](char prefix) {
    auto system = db.system();
    for (int i = 0; i < per_thread; ++i) {
      auto made = system.tenants().create(
          {.slug = std::string(1, prefix) + "-" + std::to_string(i), .name = "T"});
      if (!made && failures.fetch_add(1) == 0) first_failure = made.error().message;
      // Readers run beside the writer.
      if (i % 50 == 0 && !system.tenants().list()) failures.fetch_add(1);
    }
  };
  std::thread a(work, 'a');
  std::thread b(work, 'b');
  a.join();
  b.join();
  CHECK_MESSAGE(failures.load() == 0, first_failure);
  TenantQuery all;
  all.limit = 1000;
  std::size_t count = 0;
  for (;;) {
    auto page = must(db.system().tenants().list(all));
    count += page.items.size();
    if (page.next_cursor.empty()) break;
    all.cursor = page.next_cursor;
  }
  CHECK(count == 2 * per_thread);
}

// Not on SqliteMemory: another process cannot reach it.
TEST_CASE_TEMPLATE("database: a tenant written by one process is read by another", B, SqliteFile,
                   PostgresServer) {
  B kind;
  const std::string url = kind.url();
  // Both processes write at once; on SQLite the busy timeout and BEGIN IMMEDIATE serialise them,
  // on PostgreSQL SERIALIZABLE and the unit of work's retries.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto db = Database::open(url, test_options());
    if (!db) _exit(2);
    for (int i = 0; i < 100; ++i) {
      if (!db.value().system().tenants().create(
              {.slug = "child-" + std::to_string(i), .name = "C"}))
        _exit(3);
    }
    must(db.value().close());
    _exit(0);
  }
  auto db = must(Database::open(url, test_options()));
  for (int i = 0; i < 100; ++i) {
    must(db.system().tenants().create({.slug = "parent-" + std::to_string(i), .name = "P"}));
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(must(db.system().tenants().get("child-99")).name == "C");
  TenantQuery all;
  all.limit = 1000;
  CHECK(must(db.system().tenants().list(all)).items.size() == 200);
}

// SQLite only: about its write-ahead log.
TEST_CASE("database: checkpoints keep the WAL bounded") {
  TempDir dir;
  Options options = test_options();
  options.wal_autocheckpoint_pages = 64;  // 256 KiB of 4 KiB pages
  auto db = must(Database::open(dir.sqlite_url(), options));
  const std::string settings = R"({"padding":")" + std::string(4000, 'p') + R"("})";
  // About 8 MiB of rows, committed one by one.
  for (int i = 0; i < 2000; ++i) {
    must(db.system().tenants().create(
        {.slug = "t-" + std::to_string(i), .name = "T", .settings = settings}));
  }
  const auto wal = std::filesystem::file_size(dir.path() / "test.db-wal");
  CHECK_MESSAGE(wal < 2u * 1024u * 1024u, "WAL grew to ", wal, " bytes");
  CHECK(std::filesystem::file_size(dir.path() / "test.db") > 7u * 1024u * 1024u);
  must(db.close());
  // The last close checkpoints and truncates the log.
  CHECK((!std::filesystem::exists(dir.path() / "test.db-wal") ||
         std::filesystem::file_size(dir.path() / "test.db-wal") == 0));
}
