// No password, and no password hash, ever leaves the library: not in an error message, not in a
// record, and not in clear in the database file.

#include <fstream>
#include <iterator>

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

TEST_CASE("secrets: passwords and hashes never appear in messages, records or the file") {
  TempDir dir;
  auto db = must(Database::open(dir.sqlite_url(), test_options()));
  auto system = db.system();
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

  // The file holds the argon2id hash, never the password itself.
  db.close();
  std::string bytes;
  for (const char* name : {"test.db", "test.db-wal"}) {
    std::ifstream in(dir.path() / name, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  CHECK(bytes.find("$argon2id$") != std::string::npos);
  CHECK(bytes.find(secret) == std::string::npos);
}
