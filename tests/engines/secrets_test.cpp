// No password, and no password hash, ever leaves the library: not in an error message, not in a
// record, and not in clear in the database file.

#include <fstream>
#include <iterator>
#include <type_traits>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

constexpr const char* secret = "Tr0ub4dor&3-secret";

void check_clean(const std::string& text) {
  CHECK_MESSAGE(text.find(secret) == std::string::npos, text);
  CHECK_MESSAGE(text.find("Tr0ub4dor") == std::string::npos, text);
  CHECK_MESSAGE(text.find("$argon2") == std::string::npos, text);
}

template <class T>
void check_clean(const Result<T>& result) {
  if (result.has_error()) check_clean(result.error().message);
}

}  // namespace

TEST_CASE_TEMPLATE("secrets: passwords and hashes never appear in messages, records or the store",
                   B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto& db = f.db;
  auto& system = f.system;
  auto alice = must(
      system.users().create({.username = "alice", .email = "alice@x.test", .password = secret}));

  // Every failure that involves the password.
  check_clean(
      system.users().create({.username = "alice", .email = "a@x.test", .password = secret}));
  check_clean(
      system.users().create({.username = "bob", .email = "alice@x.test", .password = secret}));
  check_clean(
      system.users().create({.username = "Bad Name", .email = "b@x.test", .password = secret}));
  check_clean(system.users().create({.username = "bob", .email = "nope", .password = secret}));
  check_clean(system.users().create(
      {.username = "bob", .email = "b@x.test", .password = std::string(4097, 'x') + secret}));
  check_clean(
      system.users().create({.username = "bob", .email = "b@x.test", .password = "Tr0ub4d"}));
  check_clean(system.users().set_password(alice.id, "Tr0ub4d"));
  check_clean(system.users().set_password(999, secret));

  // Records carry no hash.
  auto user = must(system.users().get(alice.id));
  check_clean(user.username + user.email + user.display_name);

  // The store holds the argon2id hash, never the password itself: the file's bytes on SQLite; on
  // PostgreSQL the rows of users, the one table a password reaches (there is no tenant, so no
  // tenant-owned row either). An in-memory database keeps nothing to read.
  must(db.close());
  std::string bytes;
  if constexpr (std::is_same_v<B, SqliteFile>) {
    for (const char* name : {"test.db", "test.db-wal"}) {
      std::ifstream in(f.kind.dir_->path() / name, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  } else if constexpr (std::is_same_v<B, PostgresServer>) {
    bytes = postgres::Connection(f.kind.owner_url())
                .exec("SELECT string_agg(u::text, ' ') FROM users u");
  }
  if constexpr (!std::is_same_v<B, SqliteMemory>) {
    CHECK(bytes.find("$argon2id$") != std::string::npos);
  }
  CHECK(bytes.find(secret) == std::string::npos);
}
