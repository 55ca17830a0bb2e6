// Opening a SQLite file: quire changes only files that are its own, migrates all or nothing,
// lets many processes open a new file at once, and explains what it cannot open.

#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "engines/raw_sqlite.hpp"
#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One integer a query on the file answers, through a connection of its own.
std::int64_t raw_integer(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  const auto value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

constexpr std::int64_t quire_application_id = 0x51554952;

// Opening `file` is refused as not quire's, and leaves it byte for byte as it was.
void expect_refused(const TempDir& dir, const std::string& sql, const std::string& why) {
  const auto file = dir.path() / "test.db";
  raw_exec(file, sql);
  const auto before = file_bytes(file);
  const auto message =
      expect_error(Database::open(dir.sqlite_url(), test_options()), Errc::invalid_argument);
  CHECK(message.find(file.string()) != std::string::npos);
  CHECK(message.find("is not a quire database") != std::string::npos);
  CHECK_MESSAGE(message.find(why) != std::string::npos, message);
  CHECK(file_bytes(file) == before);
  CHECK(raw_integer(file, "SELECT count(*) FROM sqlite_schema WHERE name = 'schema_version'") == 0);
}

}  // namespace

TEST_CASE("open: another application's SQLite file is refused and left unchanged") {
  SUBCASE("a file with an invoices table") {
    TempDir dir;
    expect_refused(dir, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)",
                   "holds invoices and no application_id");
  }
  SUBCASE("a file with a posts table of its own") {
    TempDir dir;
    expect_refused(dir, "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT)", "holds posts");
  }
  SUBCASE("a file in WAL mode with another application's id") {
    TempDir dir;
    expect_refused(dir,
                   "PRAGMA journal_mode = WAL; PRAGMA application_id = 1234;"
                   "CREATE TABLE notes (body TEXT)",
                   "the application_id 0x4d2 of another application");
  }
}

TEST_CASE("open: an empty file and a quire file from before application_id are opened") {
  TempDir dir;
  const auto file = dir.path() / "test.db";
  { std::ofstream touch(file); }  // zero bytes: an empty database
  {
    auto db = must(Database::open(dir.sqlite_url(), test_options()));
    must(db.system().tenants().create({.slug = "acme", .name = "Acme"}));
  }
  CHECK(raw_integer(file, "PRAGMA application_id") == quire_application_id);
  // As a quire from before application_id left it, one migration (schema 12's) behind.
  raw_exec(file,
           "PRAGMA application_id = 0; DROP INDEX audit_denied; DROP TABLE invitations;"
           "DELETE FROM schema_version WHERE version = (SELECT max(version) FROM schema_version)");
  {
    auto db = must(Database::open(dir.sqlite_url(), test_options()));
    CHECK(must(db.system().tenants().get("acme")).name == "Acme");
  }
  CHECK(raw_integer(file, "PRAGMA application_id") == quire_application_id);
}

TEST_CASE("open: the migrations of one open are all or nothing") {
  TempDir dir;
  const auto file = dir.path() / "test.db";
  must(Database::open(dir.sqlite_url(), test_options()));
  const auto latest = raw_integer(file, "SELECT max(version) FROM schema_version");
  REQUIRE(latest >= 9);
  // Back to schema 7, except that schema 9's index is still there: step 8 applies, step 9 fails.
  raw_exec(file,
           "ALTER TABLE post_search_stats DROP COLUMN live_posts;"
           "DELETE FROM schema_version WHERE version > 7");
  const auto before = file_bytes(file);
  const auto message =
      expect_error(Database::open(dir.sqlite_url(), test_options()), Errc::internal);
  CHECK(message.find("schema migration 9 failed") != std::string::npos);
  CHECK(message.find("left at schema version 7") != std::string::npos);
  CHECK(file_bytes(file) == before);
  CHECK(raw_integer(file, "SELECT max(version) FROM schema_version") == 7);
  CHECK(raw_integer(file,
                    "SELECT count(*) FROM pragma_table_info('post_search_stats') "
                    "WHERE name = 'live_posts'") == 0);
}

TEST_CASE("open: many processes opening one new file at once all succeed") {
  constexpr int rounds = 20;
  constexpr int processes = 32;
  int failures = 0;
  for (int round = 0; round < rounds; ++round) {
    TempDir dir;
    const std::string url = dir.sqlite_url();
    int start[2];
    REQUIRE(pipe(start) == 0);
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
      const pid_t child = fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        close(start[1]);
        char go = 0;
        if (read(start[0], &go, 1) != 1) _exit(4);  // all start together
        auto db = Database::open(url, test_options());
        if (!db) _exit(db.error().code == Errc::busy ? 2 : 3);
        if (!db.value().system().tenants().create({.slug = "p" + std::to_string(p), .name = "P"})) {
          _exit(5);
        }
        _exit(0);
      }
      children.push_back(child);
    }
    close(start[0]);
    const std::string go(processes, 'g');
    REQUIRE(write(start[1], go.data(), go.size()) == static_cast<ssize_t>(go.size()));
    close(start[1]);
    int failed = 0;
    for (const pid_t child : children) {
      int status = 0;
      REQUIRE(waitpid(child, &status, 0) == child);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    failures += failed;
    auto db = must(Database::open(url, test_options()));
    TenantQuery all;
    all.limit = 100;
    CHECK(must(db.system().tenants().list(all)).items.size() ==
          static_cast<std::size_t>(processes - failed));
  }
  CHECK_MESSAGE(failures == 0, failures, " of ", rounds * processes, " opens failed");
}

TEST_CASE("open: a WAL file on a read-only mount without its -shm file is explained") {
  TempDir dir;
  {
    auto db = must(Database::open(dir.sqlite_url(), test_options()));
    must(db.system().tenants().create({.slug = "acme", .name = "Acme"}));
  }
  REQUIRE_FALSE(std::filesystem::exists(dir.path() / "test.db-shm"));
  // A private mount namespace, where the directory is bound read-only onto itself.
  int report[2];
  REQUIRE(pipe(report) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(report[0]);
    const auto path = dir.path().string();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount(path.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      _exit(77);
    }
    auto db = Database::open(dir.sqlite_url(), test_options());
    const std::string message = db ? std::string("opened") : db.error().message;
    (void)!write(report[1], message.data(), message.size());
    _exit(0);
  }
  close(report[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = read(report[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  close(report[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    MESSAGE("skipped: cannot make a read-only mount here (no user namespaces)");
    return;
  }
  CHECK_MESSAGE(message.find("test.db-shm file") != std::string::npos, message);
  CHECK_MESSAGE(message.find("the directory is read-only") != std::string::npos, message);
}

TEST_CASE("open: a table dropped behind quire's back is reported as corrupt") {
  TempDir dir;
  const auto file = dir.path() / "test.db";
  {
    auto db = must(Database::open(dir.sqlite_url(), test_options()));
    must(db.system().tenants().create({.slug = "acme", .name = "Acme"}));
  }
  raw_exec(file, "DROP TABLE roles");
  auto db = must(Database::open(dir.sqlite_url(), test_options()));
  auto acme = must(db.system("acme"));
  const auto message = expect_error(acme.permissions().roles(), Errc::corrupt);
  CHECK(message.find("no such table: roles") != std::string::npos);
}
