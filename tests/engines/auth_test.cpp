// Sessions and API keys: logins that are throttled and audited, tokens that refuse every kind of
// tampering, keys that act with exactly their scopes and whose secret appears nowhere.

#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <type_traits>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

template <class B>
struct AuthFixture {
  B kind;
  Options options = test_options();
  Database db;
  Context system;
  User alice;  // admin of acme
  User bob;    // editor of acme, member of nothing else

  explicit AuthFixture(Options opts = test_options())
      : options(opts),
        db(must(Database::open(kind.url(), options))),
        system(db.system()),
        alice(),
        bob() {
    must(system.tenants().create({.slug = "acme", .name = "Acme", .plan = "pro"}));
    must(system.tenants().create({.slug = "other", .name = "Other", .plan = "pro"}));
    alice = must(system.users().create(
        {.username = "alice", .email = "alice@acme.test", .password = "alice-password"}));
    bob = must(system.users().create(
        {.username = "bob", .email = "bob@acme.test", .password = "bob-password"}));
    must(system.tenants().add_member("acme", alice.id, "admin"));
    must(system.tenants().add_member("acme", bob.id, "editor"));
    must(system.tenants().add_member("other", alice.id, "viewer"));
  }

  std::vector<AuditEntry> entries(const std::string& tenant, const std::string& action) {
    auto ctx = must(db.system(tenant));
    AuditQuery query;
    query.action = action;
    query.limit = 1000;
    return must(ctx.audit().query(query)).items;
  }
};

// Runs `sql` on the database behind quire's back, as an operator or another tool would (on
// PostgreSQL as the schema's owner), and returns the first column of its first row ("" if none).
template <class B>
std::string raw_sql(const B& kind, const std::string& sql) {
  if constexpr (std::is_same_v<B, PostgresServer>) {
    return postgres::Connection(kind.owner_url()).exec(sql);
  } else {
    static_assert(std::is_same_v<B, SqliteFile>, "an in-memory database has no file to change");
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open((kind.dir_->path() / "test.db").c_str(), &raw) == SQLITE_OK);
    std::string first;
    char* error = nullptr;
    const int rc = sqlite3_exec(
        raw, sql.c_str(),
        [](void* out, int columns, char** values, char**) {
          auto& text = *static_cast<std::string*>(out);
          if (text.empty() && columns > 0 && values[0] != nullptr) text = values[0];
          return 0;
        },
        &first, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(raw);
    REQUIRE_MESSAGE(rc == SQLITE_OK, sql, ": ", message);
    return first;
  }
}

// Everything the database holds, as text to search for secrets: the SQLite file's bytes (closed
// first), or every row of the test's PostgreSQL schema, read as each tenant in turn since row-level
// security hides tenant rows from their owner too. An in-memory database keeps nothing.
template <class B>
std::string stored(const B& kind, Database& db) {
  db.close();
  std::string text;
  if constexpr (std::is_same_v<B, SqliteFile>) {
    for (const char* name : {"test.db", "test.db-wal"}) {
      std::ifstream in(kind.dir_->path() / name, std::ios::binary);
      text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  } else if constexpr (std::is_same_v<B, PostgresServer>) {
    postgres::Connection owner(kind.owner_url());
    const auto list = [&](const std::string& sql) {
      std::vector<std::string> items;
      std::istringstream in(owner.exec(sql));
      for (std::string item; std::getline(in, item, ',');) items.push_back(item);
      return items;
    };
    const auto tables = list(
        "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = current_schema()");
    REQUIRE(tables.size() > 10);
    for (const auto& tenant : list("SELECT string_agg(id::text, ',') FROM tenants")) {
      owner.exec("SELECT set_config('quire.tenant_id', '" + tenant + "', false)");
      for (const auto& table : tables) {
        text += owner.exec("SELECT string_agg(t::text, E'\\n') FROM " + table + " t");
      }
    }
  }
  return text;
}

std::string flip_bit(std::string token, std::size_t bit) {
  // Flip one bit of the decoded signature and encode it again.
  const auto dot = token.rfind('.');
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string sig = token.substr(dot + 1);
  std::vector<int> bits;
  for (char c : sig) {
    const auto v = static_cast<int>(alphabet.find(c));
    for (int b = 5; b >= 0; --b) bits.push_back((v >> b) & 1);
  }
  bits[bit] ^= 1;
  for (std::size_t i = 0; i < sig.size(); ++i) {
    int v = 0;
    for (int b = 0; b < 6; ++b) v = (v << 1) | bits[i * 6 + b];
    sig[i] = alphabet[v];
  }
  return token.substr(0, dot + 1) + sig;
}

std::string b64url(const std::string& text) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  int value = 0;
  int bits = -6;
  for (unsigned char c : text) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(alphabet[(value >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(alphabet[((value << 8) >> (bits + 8)) & 0x3F]);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("auth: login by username or email gives a token that opens a context", B,
                   QUIRE_TEST_BACKENDS) {
  AuthFixture<B> f;
  auto session = must(f.db.login("acme", "alice", "alice-password", {.ip = "203.0.113.5"}));
  CHECK(std::count(session.token.begin(), session.token.end(), '.') == 2);
  CHECK(session.expires_at > now_ms());
  CHECK(session.context.actor().id == f.alice.id);
  auto ctx = must(f.db.context_from_token(session.token));
  CHECK(ctx.actor().type == ActorType::user);
  CHECK(ctx.actor().id == f.alice.id);
  CHECK(must(ctx.tenants().get("acme")).slug == "acme");
  must(f.db.login("acme", "ALICE@acme.test", "alice-password"));
  auto logins = f.entries("acme", "auth.login");
  REQUIRE(logins.size() == 2);
  CHECK(logins.back().ip == "203.0.113.5");
}

TEST_CASE_TEMPLATE("auth: failed logins say nothing about why, are audited and throttled", B,
                   QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.free_login_failures = 2;
  AuthFixture<B> f(options);
  const auto wrong =
      expect_error(f.db.login("acme", "alice", "not-her-password"), Errc::unauthenticated);
  CHECK(wrong == "invalid credentials");
  expect_error(f.db.login("acme", "alice@acme.test", "still-not-hers"), Errc::unauthenticated);
  CHECK(expect_error(f.db.login("acme", "nobody", "whatever-pass"), Errc::unauthenticated) ==
        wrong);
  CHECK(expect_error(f.db.login("other", "bob", "bob-password"), Errc::unauthenticated) ==
        wrong);  // right password, but not a member
  CHECK(f.entries("acme", "auth.login_failed").size() == 3);
  CHECK(f.entries("acme", "auth.login_failed")[0].outcome == "denied");
  // Two failures in a row for alice: the next try waits, even with the right password.
  auto throttled =
      expect_error(f.db.login("acme", "alice", "alice-password"), Errc::unauthenticated);
  CHECK(throttled.find("too many failed logins") != std::string::npos);
  // Other users are not affected.
  must(f.db.login("acme", "bob", "bob-password"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  must(f.db.login("acme", "alice", "alice-password"));
}

TEST_CASE_TEMPLATE("auth: tokens are refused for every kind of tampering and staleness", B,
                   QUIRE_TEST_BACKENDS) {
  AuthFixture<B> f;
  auto session = must(f.db.login("acme", "alice", "alice-password"));
  const auto& token = session.token;
  must(f.db.context_from_token(token));

  SUBCASE("one flipped bit anywhere in the signature") {
    for (std::size_t bit = 0; bit < 256; ++bit) {
      CAPTURE(bit);
      expect_error(f.db.context_from_token(flip_bit(token, bit)), Errc::unauthenticated);
    }
  }
  SUBCASE("alg none and other algorithms") {
    const auto payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
    for (const auto* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512","typ":"JWT"})",
                               R"({"alg":"hs256","typ":"JWT"})", R"({"typ":"JWT"})"}) {
      CAPTURE(header);
      const auto forged = b64url(header) + "." + payload + "." + token.substr(token.rfind('.') + 1);
      CHECK(expect_error(f.db.context_from_token(forged), Errc::unauthenticated).find("HS256") !=
            std::string::npos);
      expect_error(f.db.context_from_token(b64url(header) + "." + payload + "."),
                   Errc::unauthenticated);
    }
  }
  SUBCASE("malformed") {
    for (const std::string& bad :
         {std::string(), std::string("a.b"), std::string("a.b.c.d"), std::string("!!!.###.$$$"),
          token + "x", std::string(5000, 'a')}) {
      expect_error(f.db.context_from_token(bad), Errc::unauthenticated);
    }
  }
  SUBCASE("another tenant") {
    CHECK(
        expect_error(f.db.context_from_token(token, {}, TenantRef("other")), Errc::unauthenticated)
            .find("another tenant") != std::string::npos);
    must(f.db.context_from_token(token, {}, TenantRef("acme")));
  }
  SUBCASE("logged out") {
    must(f.db.logout(token));
    CHECK(expect_error(f.db.context_from_token(token), Errc::unauthenticated).find("revoked") !=
          std::string::npos);
    CHECK(f.entries("acme", "auth.logout").size() == 1);
  }
  SUBCASE("a deactivated user or tenant") {
    must(f.system.users().deactivate(f.alice.id));
    expect_error(f.db.context_from_token(token), Errc::unauthenticated);
    expect_error(f.db.login("acme", "alice", "alice-password"), Errc::unauthenticated);
    must(f.system.users().activate(f.alice.id));
    must(f.db.context_from_token(token));
    must(f.system.tenants().deactivate("acme"));
    expect_error(f.db.context_from_token(token), Errc::unauthenticated);
    expect_error(f.db.login("acme", "alice", "alice-password"), Errc::unauthenticated);
  }
  SUBCASE("a rotated secret") {
    must(f.db.rotate_token_secret());
    CHECK(expect_error(f.db.context_from_token(token), Errc::unauthenticated).find("signature") !=
          std::string::npos);
    auto fresh = must(f.db.login("acme", "alice", "alice-password"));
    must(f.db.context_from_token(fresh.token));
  }
  if constexpr (!std::is_same_v<B, SqliteMemory>) {
    SUBCASE("the secret is shared by every process that opens the database") {
      auto again = must(Database::open(f.kind.url(), f.options));
      must(again.context_from_token(token));
    }
  }
}

// Not on SqliteMemory: nothing else can reach an in-memory database to change it.
TEST_CASE_TEMPLATE("auth: a token secret deleted or damaged behind quire's back is corrupt", B,
                   SqliteFile, PostgresServer) {
  AuthFixture<B> f;
  auto session = must(f.db.login("acme", "alice", "alice-password"));
  must(f.db.context_from_token(session.token));

  SUBCASE("deleted") {
    raw_sql(f.kind, "DELETE FROM quire_secrets");
    for (const auto& msg : {expect_error(f.db.context_from_token(session.token), Errc::corrupt),
                            expect_error(f.db.logout(session.token), Errc::corrupt)}) {
      CHECK(msg.find("token secret") != std::string::npos);
      CHECK(msg.find("quire_secrets") != std::string::npos);
      CHECK(msg.find("missing") != std::string::npos);
    }
    // A token this database never issued is only unauthenticated, secret or not.
    const auto forged = b64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                        b64url(R"({"sub":1,"tenant":1,"exp":99999999999,"jti":"00ff"})") + ".AAAA";
    CHECK(expect_error(f.db.context_from_token(forged), Errc::unauthenticated)
              .find("not a known session") != std::string::npos);
    expect_error(f.db.context_from_token("not a token"), Errc::unauthenticated);
    // A login makes a new secret; the old sessions are gone with the old one.
    auto fresh = must(f.db.login("acme", "alice", "alice-password"));
    must(f.db.context_from_token(fresh.token));
    expect_error(f.db.context_from_token(session.token), Errc::unauthenticated);
  }
  SUBCASE("damaged") {
    constexpr bool pg = std::is_same_v<B, PostgresServer>;
    raw_sql(f.kind, std::string("UPDATE quire_secrets SET value = ") +
                        (pg ? "'\\x00'::bytea" : "x'00'") + " WHERE name = 'token'");
    const auto msg = expect_error(f.db.context_from_token(session.token), Errc::corrupt);
    CHECK(msg.find("damaged") != std::string::npos);
    CHECK(msg.find("1 bytes") != std::string::npos);
    // Nothing is signed with it either.
    expect_error(f.db.login("acme", "alice", "alice-password"), Errc::corrupt);
    // Rotating replaces it.
    must(f.db.rotate_token_secret());
    must(f.db.context_from_token(must(f.db.login("acme", "alice", "alice-password")).token));
  }
}

TEST_CASE_TEMPLATE("auth: an expired token is refused", B, QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.session_ttl_ms = 1;
  AuthFixture<B> f(options);
  auto session = must(f.db.login("acme", "alice", "alice-password"));
  // The token's exp is in whole seconds, rounded down from the session's end: past it once that
  // end (1 ms after the login) has passed.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(
      expect_error(f.db.context_from_token(session.token), Errc::unauthenticated).find("expired") !=
      std::string::npos);
}

// Not on SqliteMemory: the hash is read, and the database opened again, from outside.
TEST_CASE_TEMPLATE("auth: a password hashed with other parameters is rehashed on login", B,
                   SqliteFile, PostgresServer) {
  AuthFixture<B> f;
  f.db.close();
  const auto stored_hash = [&] {
    return raw_sql(f.kind, "SELECT password_hash FROM users WHERE username = 'alice'");
  };
  CHECK(stored_hash().find("t=2") != std::string::npos);
  Options stronger = test_options();
  stronger.passwords.opslimit = 3;
  auto db = must(Database::open(f.kind.url(), stronger));
  must(db.login("acme", "alice", "alice-password"));
  db.close();
  CHECK(stored_hash().find("t=3") != std::string::npos);
}

TEST_CASE_TEMPLATE("auth: API keys act with exactly their scopes", B, QUIRE_TEST_BACKENDS) {
  AuthFixture<B> f;
  auto as_alice = must(f.db.context("acme", f.alice.id));
  auto issued = must(as_alice.keys().create(
      {.name = "importer", .scopes = {"post.create", "post.read", "post.update"}}));
  CHECK(issued.text.rfind("qk_" + issued.key.public_id + "_", 0) == 0);
  CHECK(issued.text.size() == 48);
  CHECK(issued.key.created_by == f.alice.id);

  auto as_key = must(f.db.context_from_key(issued.text, {.ip = "198.51.100.7"}));
  CHECK(as_key.actor().type == ActorType::api_key);
  auto post = must(as_key.posts().create({.title = "Imported"}));
  must(as_key.posts().update(post.id, post.version, {.body = "more"}));
  auto why = expect_error(as_key.posts().publish(post.id), Errc::permission_denied);
  CHECK(why.find("API key") != std::string::npos);
  expect_error(as_key.tenants().update("acme", {.name = "x"}), Errc::permission_denied);
  expect_error(as_key.keys().create({.name = "child", .scopes = {"post.read"}}),
               Errc::permission_denied);

  auto listed = must(as_alice.keys().list());
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].use_count == 1);
  CHECK(listed[0].last_used_at);

  // Scopes never exceed the creator's permissions; unknown scopes are refused.
  expect_error(as_alice.keys().create({.name = "too much", .scopes = {"tenant.manage"}}),
               Errc::permission_denied);
  expect_error(as_alice.keys().create({.name = "typo", .scopes = {"post.wrte"}}),
               Errc::invalid_argument);
  auto as_bob = must(f.db.context("acme", f.bob.id));
  expect_error(as_bob.keys().create({.name = "editor's", .scopes = {"post.read"}}),
               Errc::permission_denied);  // editors lack key.manage
}

TEST_CASE_TEMPLATE("auth: revoked, expired, rotated-away and malformed keys are refused", B,
                   QUIRE_TEST_BACKENDS) {
  AuthFixture<B> f;
  auto as_alice = must(f.db.context("acme", f.alice.id));
  auto issued = must(as_alice.keys().create({.name = "k", .scopes = {"post.read"}}));
  auto as_key = must(f.db.context_from_key(issued.text));

  SUBCASE("revoked: new contexts and open ones alike") {
    must(as_alice.keys().revoke(issued.key.id));
    CHECK(expect_error(f.db.context_from_key(issued.text), Errc::unauthenticated).find("revoked") !=
          std::string::npos);
    expect_error(as_key.posts().list(), Errc::permission_denied);
    CHECK(f.entries("acme", "auth.key_refused").size() == 1);
  }
  SUBCASE("rotated") {
    auto rotated = must(as_alice.keys().rotate(issued.key.id));
    CHECK(rotated.text != issued.text);
    expect_error(f.db.context_from_key(issued.text), Errc::unauthenticated);
    must(f.db.context_from_key(rotated.text));
  }
  SUBCASE("expired") {
    auto short_lived = must(as_alice.keys().create(
        {.name = "short", .scopes = {"post.read"}, .expires_at = now_ms() + 50}));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(expect_error(f.db.context_from_key(short_lived.text), Errc::unauthenticated)
              .find("expired") != std::string::npos);
    expect_error(as_alice.keys().create(
                     {.name = "past", .scopes = {"post.read"}, .expires_at = now_ms() - 1}),
                 Errc::invalid_argument);
  }
  SUBCASE("a wrong secret, a wrong form") {
    auto wrong = issued.text;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    expect_error(f.db.context_from_key(wrong), Errc::unauthenticated);
    for (const std::string& bad : {std::string(), std::string("qk_"), issued.text + "x",
                                   "xk" + issued.text.substr(2), std::string(48, 'a')}) {
      expect_error(f.db.context_from_key(bad), Errc::unauthenticated);
    }
  }
  SUBCASE("a deactivated creator or tenant") {
    must(f.system.users().deactivate(f.alice.id));
    expect_error(f.db.context_from_key(issued.text), Errc::unauthenticated);
    must(f.system.users().activate(f.alice.id));
    must(f.system.tenants().deactivate("acme"));
    expect_error(f.db.context_from_key(issued.text), Errc::unauthenticated);
  }
}

TEST_CASE_TEMPLATE("auth: no secret appears in an error, a record, the audit trail or the store", B,
                   QUIRE_TEST_BACKENDS) {
  AuthFixture<B> f;
  auto as_alice = must(f.db.context("acme", f.alice.id));
  auto issued = must(as_alice.keys().create({.name = "k", .scopes = {"post.read"}}));
  const auto secret = issued.text.substr(16);
  auto session = must(f.db.login("acme", "alice", "alice-password"));
  auto wrong = issued.text;
  wrong[20] = wrong[20] == 'A' ? 'B' : 'A';
  for (const auto& message : {f.db.context_from_key(wrong).error().message,
                              f.db.context_from_key(issued.text + "x").error().message,
                              f.db.login("acme", "alice", "alice-passwordX").error().message}) {
    CHECK(message.find(secret) == std::string::npos);
    CHECK(message.find("alice-password") == std::string::npos);
  }
  auto ctx = must(f.db.system("acme"));
  const auto trail = must(ctx.audit().export_text(ExportFormat::jsonl));
  CHECK(trail.find(secret) == std::string::npos);
  CHECK(trail.find(session.token) == std::string::npos);
  CHECK(trail.find("alice-password") == std::string::npos);
  const auto bytes = stored(f.kind, f.db);
  CHECK(bytes.find(secret) == std::string::npos);
  CHECK(bytes.find("alice-password") == std::string::npos);
  if constexpr (std::is_same_v<B, PostgresServer>) {
    // bytea reads as hex: the key's secret must not hide there either.
    std::string hex;
    for (unsigned char c : secret) {
      hex += "0123456789abcdef"[c >> 4];
      hex += "0123456789abcdef"[c & 15];
    }
    CHECK(bytes.find(hex) == std::string::npos);
    CHECK(bytes.find("$argon2id$") != std::string::npos);  // the dump did read the users
  }
}
