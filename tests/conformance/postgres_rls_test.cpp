// Row-level security on PostgreSQL, seen from below the library: a raw connection as the role quire
// runs as, with statements that forget their tenant filter on purpose. Runs only against a server
// (QUIRE_TEST_POSTGRES_URL); see tests/support/backends.hpp.

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <quire/storage.hpp>
#include <thread>

#include "support/backends.hpp"

using namespace quire;
using quire::test::PostgresServer;
using quire::test::postgres::Connection;

namespace {

template <class T>
T must(Result<T> result) {
  REQUIRE_MESSAGE(result.has_value(), result.error().message);
  return std::move(result).value();
}

void must(Result<void> result) {
  REQUIRE_MESSAGE(result.has_value(), result.error().message);
}

// Two tenants with members, written through quire itself.
struct TwoTenants {
  PostgresServer server;
  TenantId a = 0;
  TenantId b = 0;
  UserId user = 0;

  TwoTenants() {
    auto backend = must(storage::open_backend(server.url(), test::test_options()));
    auto tx = must(backend->begin(storage::Access::write));
    for (const char* slug : {"aaa", "bbb"}) {
      Tenant row;
      row.slug = slug;
      row.name = slug;
      row.plan = "free";
      (slug[0] == 'a' ? a : b) = must(tx->tenants().insert(row));
    }
    std::vector<UserId> users;
    for (const char* name : {"u1", "u2", "u3"}) {
      storage::UserRow row;
      row.user.username = name;
      row.user.email = std::string(name) + "@example.test";
      row.password_hash = "$argon2id$x";
      users.push_back(must(tx->users().insert(row)));
    }
    user = users[2];
    must(tx->members().insert({a, users[0], "owner", 1}));
    must(tx->members().insert({a, users[1], "editor", 2}));
    must(tx->members().insert({b, users[2], "owner", 3}));
    must(tx->commit());
  }
};

std::string set_tenant(TenantId tenant) {
  return "SELECT set_config('quire.tenant_id', '" + std::to_string(tenant) + "', true)";
}

}  // namespace

TEST_CASE("postgres: quire's role is neither superuser nor BYPASSRLS") {
  PostgresServer server;
  Connection app(server.url());
  CHECK(app.exec("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "f");
  CHECK(app.exec("SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user") == "f");
  // Nor does it own the tables it reads, so it cannot switch their row security off.
  CHECK(app.exec("SELECT tableowner = current_user FROM pg_tables WHERE tablename = 'members'"
                 " AND schemaname = current_schema()") == "f");
  CHECK(app.fails("ALTER TABLE members NO FORCE ROW LEVEL SECURITY") == "42501");
}

TEST_CASE("postgres: every tenant-owned table has row-level security enabled and forced") {
  PostgresServer server;
  Connection app(server.url());
  // Tables with a tenant_id column, and those of them without both flags. The three directories
  // that map a presented API key's public id, a token's jti or an invitation token's hash to its
  // tenant are global, like users: they hold that mapping and nothing else (checked below).
  const std::string directories =
      " AND c.relname NOT IN ('api_key_ids', 'session_ids', 'invitation_tokens')";
  CHECK(app.exec("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                 " WHERE c.relnamespace = current_schema()::regnamespace"
                 " AND c.relname IN ('api_key_ids', 'session_ids', 'invitation_tokens')"
                 " AND a.attnum > 0 AND NOT a.attisdropped") == "6");
  CHECK(app.exec("SELECT count(*) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                 " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
                 " AND a.attname = 'tenant_id'") != "0");
  CHECK(app.exec("SELECT coalesce(string_agg(c.relname, ', '), '') FROM pg_class c"
                 " JOIN pg_attribute a ON a.attrelid = c.oid"
                 " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
                 " AND a.attname = 'tenant_id'" +
                 directories + " AND NOT (c.relrowsecurity AND c.relforcerowsecurity)") == "");
  // Each has exactly one policy, for every command, stating both USING and WITH CHECK: another
  // permissive policy would widen access.
  CHECK(app.exec("SELECT coalesce(string_agg(c.relname, ', '), '') FROM pg_class c"
                 " JOIN pg_attribute a ON a.attrelid = c.oid"
                 " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
                 " AND a.attname = 'tenant_id'" +
                 directories +
                 " AND 1 <> (SELECT count(*) FROM pg_policies p"
                 " WHERE p.schemaname = current_schema() AND p.tablename = c.relname"
                 " AND p.cmd = 'ALL' AND p.qual IS NOT NULL AND p.with_check IS NOT NULL)") == "");
  CHECK(app.exec("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()"
                 " AND (cmd <> 'ALL' OR permissive <> 'PERMISSIVE')") == "0");
  // Constraint checks bypass RLS, so every primary key and unique constraint of such a table
  // starts with tenant_id: a duplicate in another tenant can never be what trips it.
  CHECK(app.exec("SELECT coalesce(string_agg(k.conname, ', '), '') FROM pg_constraint k"
                 " JOIN pg_class c ON c.oid = k.conrelid"
                 " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
                 " WHERE c.relnamespace = current_schema()::regnamespace" +
                 directories + " AND k.contype IN ('p', 'u') AND k.conkey[1] <> a.attnum") == "");
  // A foreign key between two tenant-owned tables goes through tenant_id, so a row can only ever
  // refer to a row of its own tenant.
  CHECK(app.exec("SELECT coalesce(string_agg(k.conname, ', '), '') FROM pg_constraint k"
                 " JOIN pg_class c ON c.oid = k.conrelid"
                 " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
                 " JOIN pg_attribute r ON r.attrelid = k.confrelid AND r.attname = 'tenant_id'"
                 " WHERE c.relnamespace = current_schema()::regnamespace AND k.contype = 'f'"
                 " AND NOT (a.attnum = ANY (k.conkey) AND r.attnum = ANY (k.confkey))") == "");
  CHECK(app.exec("SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                 " WHERE c.relnamespace = current_schema()::regnamespace AND k.contype = 'f'"
                 " AND c.relname = 'post_versions'") == "1");
}

TEST_CASE("postgres: a query without a tenant filter sees only the tenant that is set") {
  TwoTenants data;
  Connection app(data.server.url());

  app.exec("BEGIN");
  app.exec(set_tenant(data.a));
  CHECK(app.exec("SELECT count(*) FROM members") == "2");
  CHECK(app.exec("SELECT count(*) FROM members WHERE tenant_id <> " + std::to_string(data.a)) ==
        "0");
  CHECK(app.exec("SELECT count(*) FROM members WHERE tenant_id = " + std::to_string(data.b)) ==
        "0");
  // Updates and deletes reach no row of another tenant either.
  app.exec("UPDATE members SET role = 'viewer'");
  app.exec("DELETE FROM members WHERE tenant_id = " + std::to_string(data.b));
  app.exec("ROLLBACK");

  app.exec("BEGIN");
  app.exec(set_tenant(data.b));
  CHECK(app.exec("SELECT count(*) FROM members") == "1");
  CHECK(app.exec("SELECT role FROM members") == "owner");
  app.exec("ROLLBACK");
}

TEST_CASE("postgres: a row for another tenant cannot be written") {
  TwoTenants data;
  Connection app(data.server.url());
  app.exec("BEGIN");
  app.exec(set_tenant(data.a));
  // 42501: new row violates row-level security policy.
  CHECK(app.fails("INSERT INTO members (tenant_id, user_id, role, joined_at) VALUES (" +
                  std::to_string(data.b) + ", " + std::to_string(data.user) + ", 'viewer', 9)") ==
        "42501");
  app.exec("ROLLBACK");

  // Nor can a row be moved into another tenant.
  app.exec("BEGIN");
  app.exec(set_tenant(data.a));
  CHECK(app.fails("UPDATE members SET tenant_id = " + std::to_string(data.b)) == "42501");
  app.exec("ROLLBACK");
}

TEST_CASE("postgres: with no tenant set, no tenant row is visible") {
  TwoTenants data;
  Connection app(data.server.url());
  // Never set in this session: current_setting(…, true) is NULL.
  CHECK(app.exec("SELECT count(*) FROM members") == "0");
  // Set to the empty string.
  app.exec("BEGIN");
  app.exec("SELECT set_config('quire.tenant_id', '', true)");
  CHECK(app.exec("SELECT count(*) FROM members") == "0");
  app.exec("COMMIT");
  // Set in a transaction that has ended: the setting reads '' from then on.
  app.exec("BEGIN");
  app.exec(set_tenant(data.a));
  CHECK(app.exec("SELECT count(*) FROM members") == "2");
  app.exec("COMMIT");
  CHECK(app.exec("SELECT current_setting('quire.tenant_id', true)") == "");
  CHECK(app.exec("SELECT count(*) FROM members") == "0");
  CHECK(app.fails("INSERT INTO members (tenant_id, user_id, role, joined_at) VALUES (" +
                  std::to_string(data.a) + ", " + std::to_string(data.user) + ", 'viewer', 9)") ==
        "42501");
}

TEST_CASE("postgres: FORCE makes the policy bind the tables' owner too") {
  TwoTenants data;
  Connection owner(data.server.owner_url());
  CHECK(owner.exec("SELECT count(*) FROM members") == "0");
  owner.exec("BEGIN");
  owner.exec(set_tenant(data.b));
  CHECK(owner.exec("SELECT count(*) FROM members") == "1");
  owner.exec("ROLLBACK");
}

TEST_CASE("postgres: the checks above fail when row-level security is off") {
  // The control: the same unfiltered query, with RLS disabled by the owner, sees every tenant. So
  // the tests above prove RLS does the filtering, not the data.
  TwoTenants data;
  Connection owner(data.server.owner_url());
  owner.exec("ALTER TABLE members DISABLE ROW LEVEL SECURITY");
  Connection app(data.server.url());
  app.exec("BEGIN");
  app.exec(set_tenant(data.a));
  CHECK(app.exec("SELECT count(*) FROM members") == "3");
  app.exec("ROLLBACK");
  CHECK(app.exec("SELECT count(*) FROM members") == "3");
}

TEST_CASE("postgres: quire refuses a privileged role and names it") {
  // Whether a superuser URL is at hand depends on the host; QUIRE_TEST_POSTGRES_SUPERUSER_URL
  // names one when it is (scripts/quire test sets it).
  const char* superuser = std::getenv("QUIRE_TEST_POSTGRES_SUPERUSER_URL");
  if (superuser == nullptr || *superuser == '\0') {
    WARN_MESSAGE(false,
                 "QUIRE_TEST_POSTGRES_SUPERUSER_URL is not set: the refusal of a "
                 "superuser is not checked");
    return;
  }
  auto opened = storage::open_backend(superuser, test::test_options());
  REQUIRE(opened.has_error());
  CHECK(opened.error().code == Errc::invalid_argument);
  CHECK(opened.error().message.find("superuser") != std::string::npos);
}

TEST_CASE("postgres: a lost connection is a storage error, and the pool reconnects") {
  PostgresServer server;
  // A name of its own, so that only this backend's connections are cut.
  const std::string name = "quire_lost_" + std::to_string(getpid());
  std::string url = server.url();
  url += url.starts_with("postgres") ? "&application_name=" + name : " application_name=" + name;
  auto backend = must(storage::open_backend(url, test::test_options()));
  Connection killer(server.url());
  const auto cut = [&] {
    CHECK(killer.exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      " WHERE application_name = '" +
                      name + "'") == "1");
  };
  Tenant row;
  row.slug = "kept";
  row.name = "Kept";
  row.plan = "free";
  {
    auto tx = must(backend->begin(storage::Access::write));
    must(tx->tenants().insert(row));
    must(tx->commit());
  }

  // Lost while idle in the pool: the next transaction reconnects before its first statement, and
  // nothing was lost, so nobody notices.
  cut();
  {
    auto tx = must(backend->begin(storage::Access::read));
    CHECK(must(tx->tenants().find_by_slug("kept")));
  }

  // Lost in the middle of a transaction: a storage error that says so, and the transaction is over.
  {
    auto tx = must(backend->begin(storage::Access::write));
    row.slug = "lost";
    must(tx->tenants().insert(row));
    cut();
    auto found = tx->tenants().find_by_slug("kept");
    REQUIRE(found.has_error());
    CHECK(found.error().code == Errc::storage);
    CHECK(found.error().message.find("connection") != std::string::npos);
    CHECK(tx->commit().has_error());
  }

  // The broken connection left the pool; a new one serves the next transaction.
  auto tx = must(backend->begin(storage::Access::read));
  CHECK(must(tx->tenants().find_by_slug("kept")));
  CHECK_FALSE(must(tx->tenants().find_by_slug("lost")));
}

TEST_CASE("postgres: the owner migrates once, even when two open at once; the app role may not") {
  quire::test::postgres::Schema schema(/*migrate=*/false);
  using quire::test::postgres::with_schema;
  const auto app_url = with_schema(quire::test::postgres::app_url(), schema.name());
  const auto owner_url = with_schema(quire::test::postgres::owner_url(), schema.name());

  auto refused = storage::open_backend(app_url, test::test_options());
  if (quire::test::postgres::owner_url() != quire::test::postgres::app_url()) {
    REQUIRE(refused.has_error());
    CHECK(refused.error().code == Errc::permission_denied);
    CHECK(refused.error().message.find("owner") != std::string::npos);
  }

  // Two owners at once: the advisory lock makes one wait, and it then finds the work done.
  std::optional<Result<int>> migrated[2];
  {
    std::thread first([&] { migrated[0] = storage::migrate(owner_url, test::test_options()); });
    std::thread second([&] { migrated[1] = storage::migrate(owner_url, test::test_options()); });
    first.join();
    second.join();
  }
  for (auto& result : migrated) REQUIRE_MESSAGE(result->has_value(), result->error().message);
  CHECK(migrated[0]->value() == migrated[1]->value());
  Connection owner(owner_url);
  CHECK(owner.exec("SELECT count(*) FROM schema_version") == std::to_string(migrated[0]->value()));

  // Now current, it opens as the app role without touching the schema.
  must(storage::open_backend(app_url, test::test_options()));
}

TEST_CASE("postgres: a schema from a newer quire is refused, naming both versions") {
  PostgresServer server;
  Connection owner(server.owner_url());
  owner.exec("INSERT INTO schema_version (version, applied_at) VALUES (9999, 0)");
  auto opened = storage::open_backend(server.url(), test::test_options());
  REQUIRE(opened.has_error());
  CHECK(opened.error().code == Errc::not_supported);
  CHECK(opened.error().message.find("9999") != std::string::npos);
  CHECK(opened.error().message.find("schema version") != std::string::npos);
}

TEST_CASE("postgres: the audit trail is append-only and kept per tenant below the library too") {
  TwoTenants data;
  auto backend = must(storage::open_backend(data.server.url(), test::test_options()));
  {
    auto tx = must(backend->begin(storage::Access::write));
    for (const TenantId chain : {data.a, data.b}) {
      AuditEntry entry;
      entry.tenant_id = chain;
      entry.seq = 1;
      entry.action = "tenant.update";
      entry.resource_type = "tenant";
      entry.resource_id = std::to_string(chain);
      entry.outcome = "ok";
      entry.prev_hash = std::string(64, '0');
      entry.hash = std::string(64, 'a');
      must(tx->audit().append(entry));
    }
    must(tx->commit());
  }
  Connection app(data.server.url());
  // Each attempt in a transaction of its own, set to tenant a as quire's own statements are.
  const auto refused = [&](const std::string& sql) {
    app.exec("BEGIN");
    app.exec(set_tenant(data.a));
    app.exec("SET LOCAL quire.audit_purge = 'on'");  // what the old trigger trusted
    auto sqlstate = app.fails(sql);
    app.exec("ROLLBACK");
    return sqlstate;
  };
  // 42501: quire's role holds no such privilege; P0001: a trigger. Before schema 9 the DELETE
  // went through with quire.audit_purge on, and rewinding the head let verify() pass.
  CHECK(refused("UPDATE audit_log SET action = 'forged'") == "42501");
  CHECK(refused("DELETE FROM audit_log") == "42501");
  CHECK(refused("TRUNCATE audit_log") == "42501");
  CHECK(refused("DELETE FROM audit_heads") == "42501");
  CHECK(refused("UPDATE audit_heads SET seq = seq - 1") == "P0001");
  CHECK(refused("UPDATE audit_heads SET hash = 'forged'") == "P0001");
  // The owner's purge removes only a cut its chain's newest entry records as a checkpoint, never
  // the newest entry, and only in the tenant the transaction is set to.
  CHECK(refused("SELECT audit_purge_through(" + std::to_string(data.a) + ", 1)") == "42501");
  CHECK(refused("SELECT audit_purge_through(" + std::to_string(data.b) + ", 1)") == "42501");

  auto tx = must(backend->begin(storage::Access::write));
  AuditEntry checkpoint;
  checkpoint.tenant_id = data.a;
  checkpoint.seq = 2;
  checkpoint.action = "audit.checkpoint";
  checkpoint.resource_type = "audit";
  checkpoint.resource_id = std::to_string(data.a);
  checkpoint.outcome = "ok";
  checkpoint.prev_hash = std::string(64, 'a');
  checkpoint.hash = std::string(64, 'b');
  checkpoint.new_values = R"({"purged_through":1})";
  must(tx->audit().append(checkpoint));
  // Through the newest entry itself: refused.
  const auto through_newest = tx->audit().purge_through(data.a, 2);
  REQUIRE(through_newest.has_error());
  CHECK(through_newest.error().code == Errc::permission_denied);
  CHECK(through_newest.error().message.find("audit.checkpoint") != std::string::npos);
}

TEST_CASE("postgres: the retention purge removes what its checkpoint records, in its chain") {
  TwoTenants data;
  auto backend = must(storage::open_backend(data.server.url(), test::test_options()));
  auto tx = must(backend->begin(storage::Access::write));
  for (const TenantId chain : {data.a, data.b}) {
    for (std::int64_t seq = 1; seq <= 2; ++seq) {
      AuditEntry entry;
      entry.tenant_id = chain;
      entry.seq = seq;
      entry.action = seq == 2 ? "audit.checkpoint" : "tenant.update";
      entry.resource_type = "tenant";
      entry.resource_id = std::to_string(chain);
      entry.outcome = "ok";
      entry.prev_hash = std::string(64, seq == 1 ? '0' : 'a');
      entry.hash = std::string(64, seq == 1 ? 'a' : 'b');
      entry.new_values =
          seq == 2 ? std::optional<std::string>(R"({"purged_through":1})") : std::nullopt;
      must(tx->audit().append(entry));
    }
  }
  CHECK(must(tx->audit().purge_through(data.a, 1)) == 1);
  CHECK(must(tx->audit().head(data.a))->seq == 2);
  CHECK(must(tx->audit().scan(data.a, 0, 10)).size() == 1);
  CHECK(must(tx->audit().scan(data.b, 0, 10)).size() == 2);
  must(tx->commit());
}

TEST_CASE("postgres: quire does not run as the schema's owner, but migrates as it") {
  PostgresServer server;
  if (quire::test::postgres::owner_url() == quire::test::postgres::app_url()) return;
  auto opened = storage::open_backend(server.owner_url(), test::test_options());
  REQUIRE(opened.has_error());
  CHECK(opened.error().code == Errc::invalid_argument);
  CHECK(opened.error().message.find("owns quire's schema") != std::string::npos);
  CHECK(must(storage::migrate(server.owner_url(), test::test_options())) > 0);
  must(storage::open_backend(server.url(), test::test_options()));
}

TEST_CASE("postgres: a lock held too long is busy, after the busy timeout") {
  PostgresServer server;
  auto options = test::test_options();
  options.busy_timeout_ms = 200;
  auto backend = must(storage::open_backend(server.url(), options));
  Tenant row;
  row.slug = "acme";
  row.name = "Acme";
  row.plan = "free";
  {
    auto tx = must(backend->begin(storage::Access::write));
    row.id = must(tx->tenants().insert(row));
    must(tx->commit());
  }
  auto holder = must(backend->begin(storage::Access::write));
  row.name = "Held";
  must(holder->tenants().update(row));
  auto waiter = must(backend->begin(storage::Access::write));
  row.name = "Waited";
  const auto started = std::chrono::steady_clock::now();
  auto blocked = waiter->tenants().update(row);
  const auto waited = std::chrono::steady_clock::now() - started;
  REQUIRE(blocked.has_error());
  CHECK(blocked.error().code == Errc::busy);
  CHECK(waited >= std::chrono::milliseconds(150));
  CHECK(waited < std::chrono::seconds(3));
}
