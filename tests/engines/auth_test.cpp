// Sessions and API keys: logins that are throttled and audited, tokens that refuse every kind of
// tampering, keys that act with exactly their scopes and whose secret appears nowhere.

#include <sqlite3.h>

#include <array>
#include <bit>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
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
  must(db.close());
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

// --- Tokens, taken apart and put together by the test itself, independently of quire's code.

constexpr const char* b64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64url without padding, as JWTs spell their parts.
std::string b64url(const std::string& bytes) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = ((acc << 8) | c) & 0xFFFFu;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(b64_alphabet[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(b64_alphabet[(acc << (6 - bits)) & 0x3F]);
  return out;
}

// The inverse of b64url; nullopt for a character outside the alphabet or a dangling 6 bits.
std::optional<std::string> b64url_decode(std::string_view text) {
  const std::string_view alphabet = b64_alphabet;
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const auto value = alphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    acc = ((acc << 6) | static_cast<std::uint32_t>(value)) & 0xFFFFu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return std::nullopt;
  return out;
}

// A token's three parts as sent (base64url) and decoded.
struct TokenParts {
  std::string header64, payload64, signature64;
  nlohmann::json header, payload;
  std::string signature;  // raw bytes
};

TokenParts split_token(const std::string& token) {
  TokenParts parts;
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  REQUIRE_MESSAGE((first != std::string::npos && second != std::string::npos &&
                   token.find('.', second + 1) == std::string::npos),
                  token);
  parts.header64 = token.substr(0, first);
  parts.payload64 = token.substr(first + 1, second - first - 1);
  parts.signature64 = token.substr(second + 1);
  const auto header = b64url_decode(parts.header64);
  const auto payload = b64url_decode(parts.payload64);
  const auto signature = b64url_decode(parts.signature64);
  REQUIRE((header && payload && signature));
  parts.header = nlohmann::json::parse(*header);
  parts.payload = nlohmann::json::parse(*payload);
  parts.signature = *signature;
  return parts;
}

// SHA-256 (FIPS 180-4) and HMAC (RFC 2104), to check and make signatures without quire's crypto.
std::string sha256(const std::string& data) {
  static constexpr std::array<std::uint32_t, 64> k = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string m = data;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56) m.push_back('\0');
  const std::uint64_t length_bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 7; i >= 0; --i) m.push_back(static_cast<char>((length_bits >> (i * 8)) & 0xFF));
  for (std::size_t chunk = 0; chunk < m.size(); chunk += 64) {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t i = 0; i < 16; ++i) {
      for (std::size_t j = 0; j < 4; ++j) {
        w[i] = (w[i] << 8) | static_cast<unsigned char>(m[chunk + i * 4 + j]);
      }
    }
    for (std::size_t i = 16; i < 64; ++i) {
      const auto s0 = std::rotr(w[i - 15], 7) ^ std::rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const auto s1 = std::rotr(w[i - 2], 17) ^ std::rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto v = h;
    for (std::size_t i = 0; i < 64; ++i) {
      const auto s1 = std::rotr(v[4], 6) ^ std::rotr(v[4], 11) ^ std::rotr(v[4], 25);
      const auto ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
      const auto t1 = v[7] + s1 + ch + k[i] + w[i];
      const auto s0 = std::rotr(v[0], 2) ^ std::rotr(v[0], 13) ^ std::rotr(v[0], 22);
      const auto maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
      const auto t2 = s0 + maj;
      v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
    }
    for (std::size_t i = 0; i < 8; ++i) h[i] += v[i];
  }
  std::string digest;
  for (const auto word : h) {
    for (int i = 3; i >= 0; --i) digest.push_back(static_cast<char>((word >> (i * 8)) & 0xFF));
  }
  return digest;
}

std::string hmac_sha256(std::string key, const std::string& message) {
  if (key.size() > 64) key = sha256(key);
  key.resize(64, '\0');
  std::string inner = key;
  std::string outer = key;
  for (std::size_t i = 0; i < 64; ++i) {
    inner[i] = static_cast<char>(inner[i] ^ 0x36);
    outer[i] = static_cast<char>(outer[i] ^ 0x5c);
  }
  return sha256(outer + sha256(inner + message));
}

std::string to_hex(const std::string& bytes) {
  std::string hex;
  for (unsigned char c : bytes) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  return hex;
}

std::string from_hex(const std::string& hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// The database's token secret, read behind quire's back.
template <class B>
std::string token_secret(const B& kind) {
  constexpr bool pg = std::is_same_v<B, PostgresServer>;
  return from_hex(raw_sql(kind, std::string("SELECT ") +
                                    (pg ? "encode(value, 'hex')" : "hex(value)") +
                                    " FROM quire_secrets WHERE name = 'token'"));
}

// --- The login throttle's row, read and moved behind quire's back (login_failures is
// tenant-owned: on PostgreSQL, row-level security shows the owner one tenant's rows at a time).

struct Failures {
  std::int64_t count = 0;  // 0: no row
  Timestamp last_at = 0;
};

template <class B>
std::string in_tenant(TenantId tenant, const std::string& sql) {
  if constexpr (std::is_same_v<B, PostgresServer>) {
    return "SELECT set_config('quire.tenant_id', '" + std::to_string(tenant) + "', false); " + sql;
  } else {
    return sql;
  }
}

template <class B>
Failures stored_failures(const B& kind, TenantId tenant, const std::string& login) {
  const auto row =
      raw_sql(kind, in_tenant<B>(tenant,
                                 "SELECT CAST(failures AS TEXT) || ' ' || CAST(last_at AS TEXT) "
                                 "FROM login_failures WHERE tenant_id = " +
                                     std::to_string(tenant) + " AND login = '" + login + "'"));
  Failures found;
  if (!row.empty()) std::istringstream(row) >> found.count >> found.last_at;
  return found;
}

template <class B>
void store_failures(const B& kind, TenantId tenant, const std::string& login, Failures to) {
  raw_sql(kind,
          in_tenant<B>(tenant, "UPDATE login_failures SET failures = " + std::to_string(to.count) +
                                   ", last_at = " + std::to_string(to.last_at) +
                                   " WHERE tenant_id = " + std::to_string(tenant) +
                                   " AND login = '" + login + "'"));
  const auto now = stored_failures(kind, tenant, login);
  REQUIRE((now.count == to.count && now.last_at == to.last_at));
}

constexpr std::string_view throttled_prefix = "too many failed logins; try again in ";

bool is_throttled(const Result<Session>& result) {
  return result.has_error() && result.error().code == Errc::unauthenticated &&
         result.error().message.starts_with(throttled_prefix);
}

// The seconds a throttled login's message names.
std::int64_t named_wait_s(const std::string& message) {
  REQUIRE_MESSAGE((message.starts_with(throttled_prefix) && message.ends_with(" s")), message);
  return std::stoll(
      message.substr(throttled_prefix.size(), message.size() - throttled_prefix.size() - 2));
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
  expect_error(f.db.login("acme", "Alice", "still-not-hers"), Errc::unauthenticated);
  // Two failures in a row for alice: the next try waits, even with the right password. (Checked
  // at once: the first lockout lasts 1 s.)
  auto throttled =
      expect_error(f.db.login("acme", "alice", "alice-password"), Errc::unauthenticated);
  CHECK(throttled.find("too many failed logins") != std::string::npos);
  CHECK(expect_error(f.db.login("acme", "nobody", "whatever-pass"), Errc::unauthenticated) ==
        wrong);
  CHECK(expect_error(f.db.login("other", "bob", "bob-password"), Errc::unauthenticated) ==
        wrong);  // right password, but not a member
  // Two wrong passwords, the throttled try and the unknown user.
  CHECK(f.entries("acme", "auth.login_failed").size() == 4);
  CHECK(f.entries("acme", "auth.login_failed")[0].outcome == "denied");
  // Other users are not affected.
  must(f.db.login("acme", "bob", "bob-password"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  must(f.db.login("acme", "alice", "alice-password"));
}

TEST_CASE_TEMPLATE("auth: the throttle is per (tenant, name as typed), and a success resets it", B,
                   QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.free_login_failures = 2;
  AuthFixture<B> f(options);
  const auto fails = [&](const char* tenant, const char* who) {
    CHECK(expect_error(f.db.login(tenant, who, "a-wrong-password"), Errc::unauthenticated) ==
          "invalid credentials");
  };

  SUBCASE("per (tenant, user)") {
    // The first lockout lasts only 1 s, so each check that she is locked out comes right after the
    // failure that locked her out, with no password check in between.
    fails("acme", "alice");
    // A success of another user in the same tenant, and hers in another tenant, reset nothing of
    // her count in acme.
    must(f.db.login("acme", "bob", "bob-password"));
    must(f.db.login("other", "alice", "alice-password"));
    fails("acme", "ALICE");  // the name as typed, in any case: the same count
    CHECK(is_throttled(f.db.login("acme", "alice", "alice-password")));
    CHECK(is_throttled(f.db.login("acme", "Alice", "alice-password")));
    // By email: a name of its own (sharing her count would tell that it is hers).
    must(f.db.login("acme", "alice@acme.test", "alice-password"));
    // Another user of the same tenant is neither throttled nor counted against alice.
    must(f.db.login("acme", "bob", "bob-password"));
    fails("acme", "bob");
    must(f.db.login("acme", "bob", "bob-password"));
    // The same user in another tenant: her own count there, which starts at nothing.
    must(f.db.login("other", "alice", "alice-password"));
    fails("other", "alice");
    must(f.db.login("other", "alice", "alice-password"));
    // A username nobody has is throttled just the same (nothing tells it apart from a real one).
    fails("acme", "nobody");
    fails("acme", "nobody");
    CHECK(is_throttled(f.db.login("acme", "nobody", "a-wrong-password")));
  }
  SUBCASE("a successful login resets the count") {
    // One failure short of the lockout, then a success, again and again: without the reset, the
    // second success would already be throttled.
    for (int round = 0; round < 3; ++round) {
      CAPTURE(round);
      fails("acme", "alice");
      must(f.db.login("acme", "alice", "alice-password"));
    }
    // The count still runs: two in a row lock her out.
    fails("acme", "alice");
    fails("acme", "alice");
    CHECK(is_throttled(f.db.login("acme", "alice", "alice-password")));
  }
}

// Not on SqliteMemory: quire reads the clock itself, so the test moves the last failure back in
// time (and reads the count) in the stored row instead.
TEST_CASE_TEMPLATE("auth: each failure past the free ones doubles the lockout, up to 15 minutes", B,
                   SqliteFile, PostgresServer) {
  constexpr unsigned free_failures = 3;
  constexpr Timestamp cap_ms = Timestamp{15} * 60 * 1000;
  Options options = test_options();
  options.free_login_failures = free_failures;
  AuthFixture<B> f(options);
  const TenantId acme = must(f.system.tenants().get("acme")).id;
  const auto row = [&] { return stored_failures(f.kind, acme, "alice"); };
  const auto move_last_failure = [&](Timestamp to) {
    store_failures(f.kind, acme, "alice", {row().count, to});
  };
  // A failure that counts, stamped with the time quire read before checking the password.
  const auto fails = [&] {
    const auto start = now_ms();
    CHECK(expect_error(f.db.login("acme", "alice", "a-wrong-password"), Errc::unauthenticated) ==
          "invalid credentials");
    const auto end = now_ms();
    const auto stamped = row().last_at;
    CHECK(stamped >= start);
    CHECK(stamped <= end);
  };
  // A login refused by the throttle: unauthenticated, naming what is left of a `wait_ms` window
  // since the stored last failure, and neither counted nor moving the window.
  const auto throttled = [&](const char* password, Timestamp wait_ms) {
    const auto before = row();
    REQUIRE(before.count > 0);
    const auto start = now_ms();
    auto result = f.db.login("acme", "alice", password);
    const auto end = now_ms();
    REQUIRE_MESSAGE(is_throttled(result),
                    (result ? std::string("it succeeded") : result.error().message));
    const auto named = named_wait_s(result.error().message);
    const auto seconds_left = [&](Timestamp at) {
      return (before.last_at + wait_ms - at + 999) / 1000;
    };
    CHECK(named >= seconds_left(end));
    CHECK(named <= seconds_left(start));
    const auto after = row();
    CHECK(after.count == before.count);
    CHECK(after.last_at == before.last_at);
  };

  // The free failures are not throttled.
  for (unsigned i = 1; i <= free_failures; ++i) {
    fails();
    CHECK(row().count == i);
  }
  // From there each failure, once its window has passed, doubles the next window: 1 s, 2 s, 4 s,
  // … 512 s, then 15 minutes and no more.
  for (unsigned excess = 0; excess <= 12; ++excess) {
    const Timestamp wait_ms = std::min<Timestamp>(Timestamp{1000} << excess, cap_ms);
    CAPTURE(excess);
    CAPTURE(wait_ms);
    REQUIRE(row().count == free_failures + excess);
    // As if the failure had just happened (the 1 s window must not pass while the test checks).
    move_last_failure(now_ms());
    throttled("alice-password", wait_ms);  // the right password waits too
    move_last_failure(now_ms());
    throttled("a-wrong-password", wait_ms);  // and a wrong one is not counted
    if (wait_ms > 3000) {
      // Three seconds before the window ends, still refused.
      move_last_failure(now_ms() - wait_ms + 3000);
      throttled("alice-password", wait_ms);
    }
    // The window has passed: the attempt is heard again, fails and counts.
    move_last_failure(now_ms() - wait_ms);
    fails();
  }
  CHECK(row().count == free_failures + 13);
  // However many failures, the wait stays at the cap (the shift does not overflow).
  store_failures(f.kind, acme, "alice", {1'000'000, now_ms()});
  throttled("alice-password", cap_ms);
  // Every counted failure was audited.
  CHECK(f.entries("acme", "auth.login_failed").size() >= free_failures + 13);

  // A success once the window has passed clears the count: the next lockout starts at 1 s again.
  move_last_failure(now_ms() - cap_ms);
  must(f.db.login("acme", "alice", "alice-password"));
  CHECK(row().count == 0);
  for (unsigned i = 0; i < free_failures; ++i) fails();
  CHECK(row().count == free_failures);
  move_last_failure(now_ms());
  throttled("alice-password", 1000);
}

// A login the throttle refuses never reaches the password check, and is audited all the same.
TEST_CASE("auth: a login refused by the throttle is audited") {
  Options options = test_options();
  options.free_login_failures = 1;
  AuthFixture<SqliteMemory> f(options);
  expect_error(f.db.login("acme", "alice", "a-wrong-password"), Errc::unauthenticated);
  CHECK(f.entries("acme", "auth.login_failed").size() == 1);
  CHECK(is_throttled(f.db.login("acme", "alice", "alice-password")));
  const auto failed = f.entries("acme", "auth.login_failed");
  REQUIRE(failed.size() == 2);
  // Newest first: the refused attempt says for how long the gate stays shut.
  CHECK(failed.front().outcome == "denied");
  CHECK(failed.front().new_values.value_or("").find("\"throttled_for_s\"") != std::string::npos);
  CHECK_FALSE(failed.back().new_values);
}

TEST_CASE_TEMPLATE("auth: tokens are refused for every kind of tampering and staleness", B,
                   QUIRE_TEST_BACKENDS) {
  AuthFixture<B> f;
  auto session = must(f.db.login("acme", "alice", "alice-password"));
  const auto& token = session.token;
  must(f.db.context_from_token(token));

  SUBCASE("one flipped bit anywhere in the signature") {
    // Every bit of the decoded 32-byte HMAC, not of its base64 spelling.
    const auto parts = split_token(token);
    REQUIRE(parts.signature.size() == 32);
    const auto signed_part = parts.header64 + "." + parts.payload64 + ".";
    for (std::size_t byte = 0; byte < parts.signature.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        CAPTURE(byte);
        CAPTURE(bit);
        auto flipped = parts.signature;
        flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << bit));
        CHECK(expect_error(f.db.context_from_token(signed_part + b64url(flipped)),
                           Errc::unauthenticated)
                  .find("invalid signature") != std::string::npos);
      }
    }
    // Cut short, made longer or left out, the signature is refused too.
    for (const auto& other : {parts.signature.substr(0, 31), parts.signature.substr(0, 16),
                              parts.signature + '\0', std::string()}) {
      CAPTURE(other.size());
      expect_error(f.db.context_from_token(signed_part + b64url(other)), Errc::unauthenticated);
    }
    // 32 bytes take 43 base64 characters, whose last 2 bits are spare: the same signature spelled
    // with them set is not a second valid spelling of the token.
    const std::string_view alphabet = b64_alphabet;
    const auto last = alphabet.find(token.back());
    REQUIRE((last != std::string_view::npos && (last & 3) == 0));
    for (std::size_t spare = 1; spare < 4; ++spare) {
      CAPTURE(spare);
      auto respelled = token;
      respelled.back() = alphabet[last | spare];
      expect_error(f.db.context_from_token(respelled), Errc::unauthenticated);
    }
  }
  SUBCASE("another payload under the original signature") {
    const auto parts = split_token(token);
    // The test's own encoding gives the engine's bytes back: unchanged, the token still opens.
    REQUIRE(b64url(parts.payload.dump()) == parts.payload64);
    must(f.db.context_from_token(parts.header64 + "." + b64url(parts.payload.dump()) + "." +
                                 parts.signature64));
    const auto bob = split_token(must(f.db.login("acme", "bob", "bob-password")).token);
    const auto elsewhere = split_token(must(f.db.login("other", "alice", "alice-password")).token);
    std::vector<std::pair<const char*, nlohmann::json>> changes;
    const auto change = [&](const char* what, const char* claim, const nlohmann::json& value) {
      auto payload = parts.payload;
      payload[claim] = value;
      changes.emplace_back(what, payload);
    };
    change("sub: bob", "sub", f.bob.id);
    change("tenant: other", "tenant", elsewhere.payload["tenant"]);
    change("exp: a day later", "exp", parts.payload["exp"].template get<std::int64_t>() + 86400);
    change("jti: bob's session", "jti", bob.payload["jti"]);
    changes.emplace_back("bob's whole payload", bob.payload);
    changes.emplace_back("alice's payload in other", elsewhere.payload);
    for (const auto& [what, payload] : changes) {
      CAPTURE(what);
      REQUIRE(payload != parts.payload);
      const auto forged = parts.header64 + "." + b64url(payload.dump()) + "." + parts.signature64;
      CHECK(expect_error(f.db.context_from_token(forged), Errc::unauthenticated)
                .find("invalid signature") != std::string::npos);
      expect_error(f.db.logout(forged), Errc::unauthenticated);
    }
    // Nothing was logged out by the forgeries.
    must(f.db.context_from_token(token));
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
    CHECK(expect_error(f.db.context_from_token(token), Errc::unauthenticated).find("deactivated") !=
          std::string::npos);
    expect_error(f.db.login("acme", "alice", "alice-password"), Errc::unauthenticated);
    must(f.system.users().activate(f.alice.id));
    must(f.db.context_from_token(token));
    must(f.system.tenants().deactivate("acme"));
    CHECK(expect_error(f.db.context_from_token(token), Errc::unauthenticated)
              .find("tenant is not active") != std::string::npos);
    expect_error(f.db.login("acme", "alice", "alice-password"), Errc::unauthenticated);
  }
  SUBCASE("a deleted tenant, a removed member") {
    auto elsewhere = must(f.db.login("other", "alice", "alice-password"));
    must(f.system.tenants().remove_member("other", f.alice.id));
    CHECK(expect_error(f.db.context_from_token(elsewhere.token), Errc::unauthenticated)
              .find("not a member") != std::string::npos);
    must(f.db.context_from_token(token));  // her acme session is not touched
    must(f.system.tenants().remove("acme"));
    CHECK(expect_error(f.db.context_from_token(token), Errc::unauthenticated)
              .find("tenant is not active") != std::string::npos);
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

TEST_CASE_TEMPLATE("auth: a token is an HS256 JWT whose claims name the session", B,
                   QUIRE_TEST_BACKENDS) {
  Options options = test_options();
  options.session_ttl_ms = std::int64_t{90} * 60 * 1000;
  AuthFixture<B> f(options);
  const TenantId acme = must(f.system.tenants().get("acme")).id;
  const TenantId other = must(f.system.tenants().get("other")).id;
  const auto start = now_ms();
  const auto session = must(f.db.login("acme", "alice", "alice-password"));
  const auto end = now_ms();
  const auto token = split_token(session.token);

  CHECK(token.header == nlohmann::json{{"alg", "HS256"}, {"typ", "JWT"}});
  CHECK(token.signature.size() == 32);  // HMAC-SHA-256
  const auto& claims = token.payload;
  REQUIRE(claims.is_object());
  std::set<std::string> names;
  for (const auto& [name, value] : claims.items()) names.insert(name);
  CHECK(names == std::set<std::string>{"sub", "tenant", "iat", "exp", "jti"});
  REQUIRE(claims["sub"].is_number_integer());
  REQUIRE(claims["tenant"].is_number_integer());
  REQUIRE(claims["iat"].is_number_integer());
  REQUIRE(claims["exp"].is_number_integer());
  REQUIRE(claims["jti"].is_string());
  CHECK(claims["sub"].template get<std::int64_t>() == f.alice.id);
  CHECK(claims["tenant"].template get<std::int64_t>() == acme);
  const auto iat = claims["iat"].template get<std::int64_t>();
  const auto exp = claims["exp"].template get<std::int64_t>();
  CHECK(iat >= start / 1000);
  CHECK(iat <= end / 1000);
  CHECK(exp - iat == options.session_ttl_ms / 1000);
  CHECK(exp == session.expires_at / 1000);
  CHECK(session.expires_at >= start + options.session_ttl_ms);
  CHECK(session.expires_at <= end + options.session_ttl_ms);
  const auto jti = claims["jti"].template get<std::string>();
  CHECK(jti.size() == 32);
  CHECK(jti.find_first_not_of("0123456789abcdef") == std::string::npos);

  // Each login is a session of its own.
  const auto again = split_token(must(f.db.login("acme", "alice", "alice-password")).token);
  CHECK(again.payload["jti"] != claims["jti"]);
  CHECK(again.signature != token.signature);
  const auto elsewhere = split_token(must(f.db.login("other", "alice", "alice-password")).token);
  CHECK(elsewhere.payload["tenant"].template get<std::int64_t>() == other);
  CHECK(elsewhere.payload["sub"].template get<std::int64_t>() == f.alice.id);
  CHECK(elsewhere.payload["jti"] != claims["jti"]);
  CHECK(elsewhere.payload["jti"] != again.payload["jti"]);
}

// Not on SqliteMemory: the secret is read from outside. With it the test signs tokens itself, as
// someone holding the secret could: the claims are still checked against the stored session.
TEST_CASE_TEMPLATE(
    "auth: the signature is HMAC-SHA-256 under the database's secret, and a token "
    "signed with it still has to match its session",
    B, SqliteFile, PostgresServer) {
  // RFC 4231, test case 2: the test's own HMAC is right.
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  AuthFixture<B> f;
  const auto session = must(f.db.login("acme", "alice", "alice-password"));
  const auto secret = token_secret(f.kind);
  REQUIRE(secret.size() == 32);
  const auto parts = split_token(session.token);
  CHECK(b64url(hmac_sha256(secret, parts.header64 + "." + parts.payload64)) == parts.signature64);

  const auto signed_with = [&](const nlohmann::json& header, const nlohmann::json& payload) {
    const auto input = b64url(header.dump()) + "." + b64url(payload.dump());
    return input + "." + b64url(hmac_sha256(secret, input));
  };
  must(f.db.context_from_token(signed_with(parts.header, parts.payload)));  // the control

  const TenantId other = must(f.system.tenants().get("other")).id;
  const auto bob = split_token(must(f.db.login("acme", "bob", "bob-password")).token);
  const auto changed = [&](const char* claim, const nlohmann::json& value) {
    auto payload = parts.payload;
    if (value.is_null()) {
      payload.erase(claim);
    } else {
      payload[claim] = value;
    }
    return signed_with(parts.header, payload);
  };
  const auto refused = [&](const std::string& token, const char* why) {
    CAPTURE(why);
    CHECK(expect_error(f.db.context_from_token(token), Errc::unauthenticated).find(why) !=
          std::string::npos);
  };
  refused(changed("sub", f.bob.id), "not a known session");
  refused(changed("tenant", other), "not a known session");  // alice is a member there too
  refused(changed("jti", bob.payload["jti"]), "not a known session");
  refused(changed("jti", "00112233445566778899aabbccddeeff"), "not a known session");
  refused(changed("exp", parts.payload["iat"].template get<std::int64_t>() - 1), "expired");
  refused(changed("sub", std::to_string(f.alice.id)), "missing a claim");
  for (const char* claim : {"sub", "tenant", "exp", "jti"}) {
    CAPTURE(claim);
    refused(changed(claim, nullptr), "missing a claim");
  }
  // Signed, but not declared HS256: refused before the signature is looked at.
  refused(signed_with({{"alg", "none"}, {"typ", "JWT"}}, parts.payload), "HS256");
  refused(signed_with({{"alg", "HS384"}, {"typ", "JWT"}}, parts.payload), "HS256");
  // Any claim of another type, or out of range, is a bad token (unauthenticated), never internal.
  const auto signed_raw = [&](const std::string& header, const std::string& payload) {
    const auto input = b64url(header) + "." + b64url(payload);
    return input + "." + b64url(hmac_sha256(secret, input));
  };
  const auto payload_text = parts.payload.dump();
  for (const char* header :
       {R"({"alg":256,"typ":"JWT"})", R"({"alg":["HS256"],"typ":"JWT"})",
        R"({"alg":{"HS256":true}})", R"({"alg":null})", R"({"alg":1e400})", R"(["HS256"])",
        R"("HS256")", R"({"alg":"HS256","typ":1e400})", R"({"alg":"HS256","x":-1e999})"}) {
    CAPTURE(header);
    refused(signed_raw(header, payload_text), "");
  }
  constexpr auto npos = std::string_view::npos;
  const auto with_claim = [&](const char* claim, const std::string& raw) {
    auto payload = parts.payload;
    payload.erase(claim);
    auto text = payload.dump();
    text.insert(1, "\"" + std::string(claim) + "\":" + raw + ",");
    return signed_raw(parts.header.dump(), text);
  };
  for (const char* claim : {"sub", "tenant", "exp", "jti", "iat"}) {
    for (const char* raw : {"1e400", "-1e400", "18446744073709551615", "9223372036854775808",
                            "-9223372036854775809", "1.5", "[1]", "{\"a\":1}", "true", "\"7\""}) {
      CAPTURE(claim);
      CAPTURE(raw);
      auto result = f.db.context_from_token(with_claim(claim, raw));
      if (std::string_view(claim) == "iat" && std::string_view(raw).find("e400") == npos) {
        must(std::move(result));  // iat is not read: the token stands by the others
        continue;
      }
      expect_error(result, Errc::unauthenticated);  // 1e400 anywhere: not JSON a double holds
    }
  }
  // An exp so far off that it is out of range in milliseconds.
  for (const char* raw : {"9223372036854775807", "9223372036854776"}) {
    CAPTURE(raw);
    refused(with_claim("exp", raw), "exp claim is out of range");
  }
  // A revoked session stays revoked, whatever is signed.
  must(f.db.logout(session.token));
  refused(signed_with(parts.header, parts.payload), "revoked");
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
  // Its exp moved a day on without a new signature: refused for the signature.
  const auto parts = split_token(session.token);
  auto later = parts.payload;
  later["exp"] = parts.payload["exp"].template get<std::int64_t>() + 86400;
  CHECK(expect_error(f.db.context_from_token(parts.header64 + "." + b64url(later.dump()) + "." +
                                             parts.signature64),
                     Errc::unauthenticated)
            .find("invalid signature") != std::string::npos);
}

// Not on SqliteMemory: the hash is read, and the database opened again, from outside.
TEST_CASE_TEMPLATE("auth: a password hashed with other parameters is rehashed on login", B,
                   SqliteFile, PostgresServer) {
  AuthFixture<B> f;
  must(f.db.close());
  const auto stored_hash = [&] {
    return raw_sql(f.kind, "SELECT password_hash FROM users WHERE username = 'alice'");
  };
  CHECK(stored_hash().find("t=2") != std::string::npos);
  Options stronger = test_options();
  stronger.passwords.opslimit = 3;
  auto db = must(Database::open(f.kind.url(), stronger));
  must(db.login("acme", "alice", "alice-password"));
  must(db.close());
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
