// The Audit engine: every change recorded in the same transaction, denials in their own, a hash
// chain that detects tampering done directly to the file, queries, exports and retention.

#include <sqlite3.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

void raw_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

std::vector<AuditEntry> all_entries(Context& ctx) {
  AuditQuery query;
  query.limit = 1000;
  auto page = must(ctx.audit().query(query));
  return {page.items.rbegin(), page.items.rend()};  // oldest first
}

// A tenant with an owner and some history, on a file the test can tamper with.
struct AuditedTenant {
  TempDir dir;
  Database db;
  Context system;
  Context tenant;  // the system context of tenant "acme"
  User owner;

  AuditedTenant()
      : db(must(Database::open(dir.sqlite_url(), test_options()))),
        system(db.system()),
        tenant(system) {
    must(system.tenants().create({.slug = "acme", .name = "Acme"}));
    owner = must(system.users().create(
        {.username = "owner", .email = "owner@acme.test", .password = "owner-password"}));
    must(system.tenants().add_member("acme", owner.id, "owner"));
    for (int i = 0; i < 8; ++i) {
      must(system.tenants().update("acme", {.name = "Acme " + std::to_string(i)}));
    }
    tenant = must(db.system("acme"));
  }

  std::filesystem::path file() const { return dir.path() / "test.db"; }
  void tamper(const std::string& sql) {
    must(db.close());
    raw_exec(file(), "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql);
    db = must(Database::open(dir.sqlite_url(), test_options()));
    tenant = must(db.system("acme"));
  }
  Verification verify(std::optional<AuditHead> head = std::nullopt) {
    return must(tenant.audit().verify(head));
  }
};

}  // namespace

TEST_CASE_TEMPLATE("audit: every change is recorded in its tenant's chain", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  auto t = must(f.system.tenants().create({.slug = "acme", .name = "Acme", .plan = "pro"}));
  must(f.system.tenants().update("acme", {.name = "Acme Inc"}));
  must(f.system.tenants().add_member("acme", alice.id, "editor"));
  must(f.system.tenants().set_role("acme", alice.id, "admin"));
  must(f.system.tenants().deactivate("acme"));
  must(f.system.tenants().activate("acme"));

  auto ctx = must(f.db.system("acme"));
  auto entries = all_entries(ctx);
  REQUIRE(entries.size() == 6);
  std::vector<std::string> actions;
  for (const auto& e : entries) actions.push_back(e.action);
  CHECK(actions == std::vector<std::string>{"tenant.create", "tenant.update", "member.add",
                                            "member.set_role", "tenant.deactivate",
                                            "tenant.activate"});
  for (std::size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i].tenant_id == t.id);
    CHECK(entries[i].seq == static_cast<std::int64_t>(i + 1));  // no gaps
    CHECK(entries[i].outcome == "ok");
    CHECK(entries[i].actor_type == ActorType::system);
    CHECK(entries[i].hash.size() == 64);
    if (i > 0) CHECK(entries[i].prev_hash == entries[i - 1].hash);
  }
  CHECK(entries[0].prev_hash == std::string(64, '0'));
  // Updates record only the fields that changed.
  CHECK(entries[1].old_values == std::optional<std::string>(R"({"name":"Acme"})"));
  CHECK(entries[1].new_values == std::optional<std::string>(R"({"name":"Acme Inc"})"));
  CHECK(entries[3].old_values == std::optional<std::string>(R"({"role":"editor"})"));
  CHECK(entries[3].new_values == std::optional<std::string>(R"({"role":"admin"})"));
  CHECK(entries[2].resource_type == "member");
  CHECK(entries[2].resource_id == std::to_string(alice.id));

  // Accounts live in the system chain; a password change is recorded, never its value.
  must(f.system.users().set_password(alice.id, "another password"));
  auto system_chain = all_entries(f.system);
  REQUIRE(system_chain.size() == 2);
  CHECK(system_chain[0].action == "user.create");
  CHECK(system_chain[1].action == "user.set_password");
  CHECK_FALSE(system_chain[1].new_values);
  CHECK(system_chain[0].new_values->find("password") == std::string::npos);
  CHECK(must(f.system.audit().verify()).ok);
  CHECK(must(ctx.audit().verify()).ok);
}

TEST_CASE_TEMPLATE("audit: the request metadata and the acting user are recorded", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  must(f.system.tenants().add_member("acme", alice.id, "owner"));
  auto ctx = must(f.db.context(
      "acme", alice.id, {.ip = "203.0.113.9", .user_agent = "Editor/1.0", .request_id = "r-42"}));
  must(ctx.tenants().update("acme", {.name = "Mine"}));
  auto entries = all_entries(ctx);
  const auto& last = entries.back();
  CHECK(last.action == "tenant.update");
  CHECK(last.actor_type == ActorType::user);
  CHECK(last.actor_id == alice.id);
  CHECK(last.ip == "203.0.113.9");
  CHECK(last.user_agent == "Editor/1.0");
  CHECK(last.request_id == "r-42");
}

TEST_CASE_TEMPLATE("audit: a failed change leaves no entry, a denial exactly one", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto viewer = f.make_user("viewer");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme"}));
  must(f.system.tenants().add_member("acme", viewer.id, "viewer"));
  auto ctx = must(f.db.system("acme"));
  const auto before = all_entries(ctx).size();

  // Failures: validation, conflicts, not found, a transaction rolled back.
  expect_error(f.system.tenants().update("acme", {.name = ""}), Errc::invalid_argument);
  expect_error(f.system.tenants().add_member("acme", viewer.id, "editor"), Errc::already_exists);
  expect_error(f.system.tenants().add_member("acme", 99999, "editor"), Errc::not_found);
  expect_error(f.db.transaction(f.system,
                                [&](Context& tx) -> Result<void> {
                                  QUIRE_TRY(tx.tenants().update("acme", {.name = "Lost"}));
                                  return fail(Errc::conflict, "rolled back");
                                }),
               Errc::conflict);
  CHECK(all_entries(ctx).size() == before);

  auto as_viewer = must(f.db.context("acme", viewer.id, {.ip = "198.51.100.1"}));
  auto why =
      expect_error(as_viewer.tenants().update("acme", {.name = "Mine"}), Errc::permission_denied);
  auto entries = all_entries(ctx);
  REQUIRE(entries.size() == before + 1);
  const auto& denial = entries.back();
  CHECK(denial.outcome == "denied");
  CHECK(denial.action == "tenant.update");
  CHECK(denial.actor_id == viewer.id);
  CHECK(denial.ip == "198.51.100.1");
  CHECK_FALSE(denial.new_values);  // the denied change wrote nothing

  // A denial inside an explicit transaction is audited although the transaction rolls back.
  auto failed = f.db.transaction(as_viewer, [&](Context& tx) -> Result<void> {
    QUIRE_TRY(tx.tenants().add_member("acme", viewer.id, "owner"));
    return success();
  });
  expect_error(failed, Errc::permission_denied);
  entries = all_entries(ctx);
  REQUIRE(entries.size() == before + 2);
  CHECK(entries.back().action == "member.add");
  CHECK(entries.back().outcome == "denied");
  CHECK(must(ctx.audit().verify()).ok);
}

TEST_CASE("audit: UPDATE and DELETE on the table are refused by the database") {
  AuditedTenant t;
  must(t.db.close());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(t.file().c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  CHECK(sqlite3_exec(db, "UPDATE audit_log SET action = 'x'", nullptr, nullptr, &error) ==
        SQLITE_CONSTRAINT);
  CHECK(std::string(error).find("append-only") != std::string::npos);
  sqlite3_free(error);
  CHECK(sqlite3_exec(db, "DELETE FROM audit_log", nullptr, nullptr, &error) == SQLITE_CONSTRAINT);
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_CASE("audit: verify names the first entry that was tampered with") {
  SUBCASE("an intact chain verifies") {
    AuditedTenant t;
    auto v = t.verify();
    CHECK(v.ok);
    CHECK(v.checked == 10);  // create, member.add, 8 updates
    CHECK_FALSE(v.first_bad_seq);
  }
  SUBCASE("an edited field") {
    AuditedTenant t;
    t.tamper("UPDATE audit_log SET new_values = '{\"name\":\"Evil\"}' WHERE seq = 5");
    auto v = t.verify();
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == std::optional<std::int64_t>(5));
    CHECK(v.problem.find("changed") != std::string::npos);
  }
  SUBCASE("an edited time") {
    AuditedTenant t;
    t.tamper("UPDATE audit_log SET at = at + 1 WHERE seq = 7");
    CHECK(t.verify().first_bad_seq == std::optional<std::int64_t>(7));
  }
  SUBCASE("a deleted entry") {
    AuditedTenant t;
    t.tamper("DELETE FROM audit_log WHERE seq = 4");
    auto v = t.verify();
    CHECK(v.first_bad_seq == std::optional<std::int64_t>(4));
    CHECK(v.problem.find("missing") != std::string::npos);
  }
  SUBCASE("the first entry deleted") {
    AuditedTenant t;
    t.tamper("DELETE FROM audit_log WHERE seq = 1");
    CHECK(t.verify().first_bad_seq == std::optional<std::int64_t>(1));
  }
  SUBCASE("two swapped entries") {
    AuditedTenant t;
    t.tamper(
        "UPDATE audit_log SET seq = -1 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 6;"
        "UPDATE audit_log SET seq = 6 WHERE seq = -1;");
    CHECK(t.verify().first_bad_seq == std::optional<std::int64_t>(5));
  }
  SUBCASE("an inserted entry") {
    AuditedTenant t;
    // Make room at seq 3 and copy entry 2 there, as a forger would.
    t.tamper(
        "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3;"
        "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103;"
        "INSERT INTO audit_log SELECT tenant_id, 3, at, actor_type, actor_id, action,"
        " resource_type, resource_id, outcome, ip, user_agent, request_id, prev_hash, hash,"
        " old_values, new_values FROM audit_log WHERE seq = 2;");
    CHECK(t.verify().first_bad_seq == std::optional<std::int64_t>(3));
  }
  SUBCASE("a truncated tail is caught against the published head") {
    AuditedTenant t;
    const auto head = must(t.tenant.audit().head());
    CHECK(head.seq == 10);
    t.tamper("DELETE FROM audit_log WHERE seq >= 8");
    CHECK(t.verify().ok);  // without the head, a shorter chain is still a chain
    auto v = t.verify(head);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == std::optional<std::int64_t>(8));
  }
  SUBCASE("a rewritten tail is caught against the published head") {
    AuditedTenant t;
    const auto head = must(t.tenant.audit().head());
    t.tamper("UPDATE audit_log SET hash = prev_hash WHERE seq = 10");
    CHECK(t.verify(head).first_bad_seq == std::optional<std::int64_t>(10));
  }
}

TEST_CASE_TEMPLATE("audit: queries filter, page newest first, and check permissions", B,
                   QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  auto alice = f.make_user("alice");
  auto bob = f.make_user("bob");
  must(f.system.tenants().create({.slug = "acme", .name = "Acme", .plan = "pro"}));
  must(f.system.tenants().create({.slug = "other", .name = "Other"}));
  must(f.system.tenants().add_member("acme", alice.id, "admin"));
  must(f.system.tenants().add_member("acme", bob.id, "viewer"));
  auto as_alice = must(f.db.context("acme", alice.id));
  for (int i = 0; i < 5; ++i)
    must(as_alice.tenants().set_role("acme", bob.id, i % 2 ? "viewer" : "editor"));
  auto as_bob = must(f.db.context("acme", bob.id));
  expect_error(as_bob.tenants().update("acme", {.name = "x"}), Errc::permission_denied);

  AuditQuery by_alice;
  by_alice.actor_id = alice.id;
  auto page = must(as_alice.audit().query(by_alice));
  REQUIRE(page.items.size() == 5);
  CHECK(page.items.front().seq > page.items.back().seq);  // newest first

  AuditQuery denied;
  denied.outcome = "denied";
  page = must(as_alice.audit().query(denied));
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].actor_id == bob.id);

  AuditQuery members;
  members.resource_type = "member";
  members.resource_id = std::to_string(bob.id);
  members.limit = 2;
  std::vector<std::int64_t> seqs;
  for (;;) {
    page = must(as_alice.audit().query(members));
    for (const auto& e : page.items) seqs.push_back(e.seq);
    if (page.next_cursor.empty()) break;
    members.cursor = page.next_cursor;
  }
  CHECK(seqs.size() == 6);  // member.add + 5 set_role
  CHECK(std::is_sorted(seqs.rbegin(), seqs.rend()));

  AuditQuery window;
  window.since = now_ms() + 60'000;
  CHECK(must(as_alice.audit().query(window)).items.empty());

  AuditQuery bad;
  bad.outcome = "maybe";
  expect_error(as_alice.audit().query(bad), Errc::invalid_argument);

  // Viewers may not read the trail; the denial is itself audited.
  expect_error(as_bob.audit().query(), Errc::permission_denied);
  expect_error(as_bob.audit().verify(), Errc::permission_denied);
  // The trail of one tenant is not readable from another.
  auto other = must(f.db.system("other"));
  for (const auto& e : all_entries(other)) CHECK(e.resource_type == "tenant");
}

TEST_CASE_TEMPLATE("audit: exports round-trip", B, QUIRE_TEST_BACKENDS) {
  EngineFixture<B> f;
  must(f.system.tenants().create(
      {.slug = "acme", .name = "Acme, \"quoted\"", .settings = R"({"a":"x,y"})"}));
  auto ctx = must(f.db.system("acme"))
                 .with_request({.ip = "192.0.2.1", .user_agent = "Agent, \"q\"\r\nline two"});
  must(ctx.tenants().update("acme", {.name = "Plain"}));
  const auto entries = all_entries(ctx);

  const auto jsonl = must(ctx.audit().export_text(ExportFormat::jsonl));
  std::istringstream lines(jsonl);
  std::string line;
  std::size_t i = 0;
  while (std::getline(lines, line)) {
    REQUIRE(i < entries.size());
    CHECK(line.find("\"seq\":" + std::to_string(entries[i].seq)) != std::string::npos);
    CHECK(line.find("\"hash\":\"" + entries[i].hash + "\"") != std::string::npos);
    CHECK(line.find("\"action\":\"" + entries[i].action + "\"") != std::string::npos);
    ++i;
  }
  CHECK(i == entries.size());

  // CSV: parse it back with an RFC 4180 reader and compare every field that matters.
  const auto csv = must(ctx.audit().export_text(ExportFormat::csv));
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (std::size_t p = 0; p < csv.size(); ++p) {
    const char c = csv[p];
    if (quoted) {
      if (c == '"' && p + 1 < csv.size() && csv[p + 1] == '"') {
        field += '"';
        ++p;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && p + 1 < csv.size() && csv[p + 1] == '\n') {
      records.back().push_back(std::move(field));
      field.clear();
      records.emplace_back();
      ++p;
    } else {
      field += c;
    }
  }
  records.pop_back();  // after the last CRLF
  REQUIRE(records.size() == entries.size() + 1);
  CHECK(records[0][0] == "tenant_id");
  for (std::size_t r = 0; r < entries.size(); ++r) {
    const auto& rec = records[r + 1];
    REQUIRE(rec.size() == 16);
    CHECK(rec[12] == entries[r].user_agent);
    CHECK(rec[1] == std::to_string(entries[r].seq));
    CHECK(rec[5] == entries[r].action);
    CHECK(rec[9] == entries[r].old_values.value_or(""));
    CHECK(rec[10] == entries[r].new_values.value_or(""));
    CHECK(rec[15] == entries[r].hash);
  }
  CHECK(records[1][10].find(R"(Acme, \"quoted\")") != std::string::npos);
  CHECK(records[2][12] == "Agent, \"q\"\r\nline two");  // a real line break, quoted
}

TEST_CASE("audit: retention leaves a checkpoint and the chain still verifies") {
  AuditedTenant t;
  const Timestamp cutoff = now_ms() + 1;  // everything so far is older
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  must(t.tenant.tenants().update("acme", {.name = "After the cut"}));
  must(t.tenant.tenants().update("acme", {.name = "Still after"}));
  // Only the system may purge.
  auto owner_ctx = must(t.db.context("acme", t.owner.id));
  expect_error(owner_ctx.audit().purge_before(cutoff), Errc::permission_denied);
  const auto removed = must(t.tenant.audit().purge_before(cutoff));
  CHECK(removed == 10);
  auto v = t.verify();
  CHECK_MESSAGE(v.ok, v.problem);
  auto entries = all_entries(t.tenant);
  REQUIRE(entries.size() == 4);  // two updates, the owner's denied purge, the checkpoint
  CHECK(entries.front().seq == 11);
  CHECK(entries.back().action == "audit.checkpoint");
  CHECK(entries.back().seq == 14);
  // Deleting more behind the checkpoint's back is still caught.
  t.tamper("DELETE FROM audit_log WHERE seq = " + std::to_string(removed + 1));
  CHECK_FALSE(t.verify().ok);
}

// Whoever can write the file can run quire's own purge (or write the same rows): delete entries
// 1..k and append a correctly hashed checkpoint. A head published before that must not verify.
TEST_CASE("audit: a retention cut past a published head cannot prove it") {
  AuditedTenant t;
  const auto head = must(t.tenant.audit().head());  // seq 10: the owner's membership, 8 updates
  REQUIRE(head.seq == 10);
  AuditHead old_head{5, all_entries(t.tenant)[4].hash};
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const Timestamp cutoff = now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  must(t.tenant.tenants().update("acme", {.name = "After the cut"}));
  REQUIRE(must(t.tenant.audit().purge_before(cutoff)) == 10);

  // The head's own entry was removed, but its hash is where the chain now starts: proven.
  auto at_cut = t.verify(head);
  CHECK_MESSAGE(at_cut.ok, at_cut.problem);
  auto wrong = head;
  wrong.hash = std::string(64, 'a');
  auto forged = t.verify(wrong);
  CHECK_FALSE(forged.ok);
  CHECK(forged.first_bad_seq == 10);
  CHECK(forged.problem.find("differs from the published head") != std::string::npos);

  // An older head lies in the purged range: nothing left in the file ties it to the chain.
  auto purged = t.verify(old_head);
  CHECK_FALSE(purged.ok);
  CHECK(purged.first_bad_seq == 5);
  CHECK(purged.problem.find("removed by retention: it cannot be proven") != std::string::npos);

  // A head after the cut is still checked entry by entry.
  auto newest = must(t.tenant.audit().head());
  auto after = t.verify(newest);
  CHECK_MESSAGE(after.ok, after.problem);

  // The checkpoint names the cut before it, so the cuts form a chain.
  must(t.tenant.tenants().update("acme", {.name = "Second cut"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const Timestamp second_cutoff = now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  must(t.tenant.tenants().update("acme", {.name = "After the second cut"}));
  must(t.tenant.audit().purge_before(second_cutoff));
  AuditQuery checkpoints;
  checkpoints.action = "audit.checkpoint";
  const auto newest_checkpoint = must(t.tenant.audit().query(checkpoints)).items.front();
  const auto values = nlohmann::json::parse(newest_checkpoint.new_values.value());
  CHECK(values["previous_through"] == 10);
  CHECK(values["previous_hash"] == head.hash);
  CHECK_FALSE(t.verify(head).ok);    // both heads are now older than the newest cut
  CHECK_FALSE(t.verify(newest).ok);  // (seq 12; the second purge went through 13)
  auto v = t.verify(must(t.tenant.audit().head()));
  CHECK_MESSAGE(v.ok, v.problem);
}

namespace {

using nlohmann::json;

json values_of(const std::optional<std::string>& text) {
  return text ? json::parse(*text) : json();
}

// Every entry of the context's chain, oldest first, through pages of the query.
std::vector<AuditEntry> every_entry(Context& ctx, AuditQuery query = {}, unsigned page = 1000) {
  std::vector<AuditEntry> entries;
  query.limit = page;
  for (;;) {
    auto page = must(ctx.audit().query(query));
    entries.insert(entries.end(), page.items.begin(), page.items.end());
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  return {entries.rbegin(), entries.rend()};
}

std::vector<std::int64_t> seqs_of(const std::vector<AuditEntry>& entries) {
  std::vector<std::int64_t> seqs;
  for (const auto& e : entries) seqs.push_back(e.seq);
  return seqs;
}

// A tenant with an admin member, on any backend.
template <class B>
struct AdminFixture : EngineFixture<B> {
  User alice, bob;
  Context admin;  // the system context of tenant acme
  Context as_alice;

  AdminFixture() : admin(this->system), as_alice(this->system) {
    must(this->system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"}));
    alice = this->make_user("alice");
    bob = this->make_user("bob");
    must(this->system.tenants().add_member("acme", alice.id, "admin"));
    must(this->system.tenants().add_member("acme", bob.id, "viewer"));
    admin = must(this->db.system("acme"));
    as_alice = must(this->db.context("acme", alice.id, {.ip = "203.0.113.7"}));
  }
};

}  // namespace

TEST_CASE_TEMPLATE("audit: grants and API keys are recorded as the engine writes them", B,
                   QUIRE_TEST_BACKENDS) {
  AdminFixture<B> f;
  auto post = must(f.as_alice.posts().create({.title = "Shared"}));
  const ResourceRef item{"post", std::to_string(post.id)};
  const auto seq_before = must(f.admin.audit().head()).seq;

  must(f.as_alice.permissions().grant(f.bob.id, item, GrantLevel::write));
  must(f.as_alice.permissions().revoke(f.bob.id, item));
  auto issued = must(f.as_alice.keys().create({.name = "ci", .scopes = {"post.read"}}));
  auto rotated = must(f.as_alice.keys().rotate(issued.key.id));
  auto revoked = must(f.as_alice.keys().revoke(issued.key.id));
  REQUIRE(revoked.revoked_at);

  auto entries = every_entry(f.admin);
  entries.erase(entries.begin(), entries.begin() + seq_before);
  REQUIRE(entries.size() == 5);
  for (const auto& e : entries) {
    CAPTURE(e.action);
    CHECK(e.outcome == "ok");
    CHECK(e.actor_type == ActorType::user);
    CHECK(e.actor_id == f.alice.id);
    CHECK(e.ip == "203.0.113.7");
  }

  CHECK(entries[0].action == "grant.add");
  CHECK(entries[0].resource_type == "post");
  CHECK(entries[0].resource_id == std::to_string(post.id));
  CHECK_FALSE(entries[0].old_values);
  CHECK(values_of(entries[0].new_values) == json{{"user_id", f.bob.id}, {"level", "write"}});

  CHECK(entries[1].action == "grant.revoke");
  CHECK(entries[1].resource_type == "post");
  CHECK(entries[1].resource_id == std::to_string(post.id));
  CHECK(values_of(entries[1].old_values) == json{{"user_id", f.bob.id}});
  CHECK_FALSE(entries[1].new_values);

  const auto key_id = std::to_string(issued.key.id);
  CHECK(entries[2].action == "key.create");
  CHECK(entries[2].resource_type == "api_key");
  CHECK(entries[2].resource_id == key_id);
  CHECK_FALSE(entries[2].old_values);
  CHECK(values_of(entries[2].new_values) == json{{"name", "ci"},
                                                 {"public_id", issued.key.public_id},
                                                 {"scopes", {"post.read"}},
                                                 {"expires_at", nullptr},
                                                 {"revoked_at", nullptr}});

  CHECK(entries[3].action == "key.rotate");
  CHECK(entries[3].resource_type == "api_key");
  CHECK(entries[3].resource_id == key_id);
  CHECK(values_of(entries[3].old_values) == json{{"public_id", issued.key.public_id}});
  CHECK(values_of(entries[3].new_values) == json{{"public_id", rotated.key.public_id}});

  CHECK(entries[4].action == "key.revoke");
  CHECK(entries[4].resource_type == "api_key");
  CHECK(entries[4].resource_id == key_id);
  CHECK(values_of(entries[4].old_values) == json{{"revoked_at", nullptr}});
  CHECK(values_of(entries[4].new_values) == json{{"revoked_at", *revoked.revoked_at}});

  // No key secret anywhere in the trail or its exports: neither the first nor the rotated one.
  const auto secret_of = [](const std::string& text) { return text.substr(text.rfind('_') + 1); };
  const std::vector<std::string> secrets = {secret_of(issued.text), secret_of(rotated.text)};
  const auto jsonl = must(f.admin.audit().export_text(ExportFormat::jsonl));
  const auto csv = must(f.admin.audit().export_text(ExportFormat::csv));
  for (const auto& secret : secrets) {
    REQUIRE(secret.size() == 32);
    CHECK(jsonl.find(secret) == std::string::npos);
    CHECK(csv.find(secret) == std::string::npos);
    for (const auto& e : entries) {
      CHECK(e.old_values.value_or("").find(secret) == std::string::npos);
      CHECK(e.new_values.value_or("").find(secret) == std::string::npos);
    }
  }
  CHECK(must(f.admin.audit().verify()).ok);
}

TEST_CASE_TEMPLATE("audit: the JSON Lines export parses back to exactly what query() returns", B,
                   QUIRE_TEST_BACKENDS) {
  AdminFixture<B> f;
  auto odd = f.as_alice.with_request(
      {.ip = "2001:db8::1", .user_agent = "Agent \"q\"\n\ttab \xc3\xa9\\", .request_id = "r/1"});
  auto post = must(odd.posts().create({.title = "T\xc3\xadtulo \"quoted\"", .body = "b"}));
  must(odd.posts().update(post.id, post.version,
                          {.title = "Back\\slash & <tag>", .tags = std::vector<std::string>{"x"}}));
  must(odd.posts().publish(post.id));
  auto as_bob = must(f.db.context("acme", f.bob.id));
  expect_error(as_bob.tenants().update("acme", {.name = "Mine"}), Errc::permission_denied);

  const auto entries = every_entry(f.admin);
  REQUIRE(entries.size() >= 6);
  const auto jsonl = must(f.admin.audit().export_text(ExportFormat::jsonl));
  std::istringstream lines(jsonl);
  std::size_t i = 0;
  for (std::string line; std::getline(lines, line); ++i) {
    REQUIRE(i < entries.size());
    const auto& e = entries[i];
    CAPTURE(e.seq);
    const auto parsed = json::parse(line);
    REQUIRE(parsed.is_object());
    const json expected = {{"tenant_id", e.tenant_id},
                           {"seq", e.seq},
                           {"at", format_rfc3339(e.at)},
                           {"actor_type", actor_type_name(e.actor_type)},
                           {"actor_id", e.actor_id},
                           {"action", e.action},
                           {"resource_type", e.resource_type},
                           {"resource_id", e.resource_id},
                           {"outcome", e.outcome},
                           {"old", values_of(e.old_values)},
                           {"new", values_of(e.new_values)},
                           {"ip", e.ip},
                           {"user_agent", e.user_agent},
                           {"request_id", e.request_id},
                           {"prev_hash", e.prev_hash},
                           {"hash", e.hash}};
    CHECK(parsed.size() == expected.size());  // no field more than these
    for (const auto& [field, value] : expected.items()) {
      CAPTURE(field);
      REQUIRE(parsed.contains(field));
      CHECK(parsed.at(field).dump() == value.dump());
    }
    CHECK(parse_rfc3339(parsed.at("at").get<std::string>()) == std::optional<Timestamp>(e.at));
  }
  CHECK(i == entries.size());
  CHECK(jsonl.back() == '\n');
  // The odd request metadata made it through intact.
  CHECK(entries.back().outcome == "denied");
  CHECK(entries[entries.size() - 2].user_agent == "Agent \"q\"\n\ttab \xc3\xa9\\");
}

TEST_CASE_TEMPLATE("audit: an export of 2,600 entries streams every one once, in order", B,
                   QUIRE_TEST_BACKENDS) {
  AdminFixture<B> f;
  constexpr int updates = 2600;  // well past the 1,000 entries export reads at a time
  must(f.db.transaction(f.admin, [&](Context& tx) -> Result<void> {
    for (int i = 0; i < updates; ++i) {
      QUIRE_TRY(tx.tenants().update("acme", {.name = "Acme " + std::to_string(i)}));
    }
    return success();
  }));
  const auto head = must(f.admin.audit().head());
  REQUIRE(head.seq >= updates);

  // The sink runs inside the library (noexcept): it only counts, and the test checks afterwards.
  std::int64_t calls = 0;
  std::int64_t not_one_line = 0;
  std::int64_t out_of_order = 0;
  std::string last_hash;
  must(f.admin.audit().export_to(ExportFormat::jsonl, [&](std::string_view chunk) {
    ++calls;
    if (chunk.empty() || chunk.find('\n') != chunk.size() - 1) ++not_one_line;
    const auto entry = json::parse(chunk, nullptr, false);
    if (entry.is_discarded() || !entry.is_object() || !entry.contains("seq") ||
        entry["seq"] != calls) {
      ++out_of_order;
      return;
    }
    last_hash = entry.value("hash", "");
  }));
  CHECK(calls == head.seq);
  CHECK(not_one_line == 0);
  CHECK(out_of_order == 0);  // seq 1, 2, 3, … each once
  CHECK(last_hash == head.hash);

  std::int64_t records = 0;
  must(f.admin.audit().export_to(ExportFormat::csv, [&](std::string_view) { ++records; }));
  CHECK(records == head.seq + 1);  // and the header
  CHECK(must(f.admin.audit().verify()).checked == head.seq);
}

TEST_CASE_TEMPLATE("audit: queries by actor type and within a time window", B,
                   QUIRE_TEST_BACKENDS) {
  AdminFixture<B> f;
  auto issued = must(f.as_alice.keys().create({.name = "bot", .scopes = {"post.create"}}));
  auto as_key = must(f.db.context_from_key(issued.text));
  const auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
  // Three rounds a little apart, each with an entry by the system, a user and a key.
  for (int round = 0; round < 3; ++round) {
    pause();
    must(f.admin.tenants().update("acme", {.name = "Acme " + std::to_string(round)}));
    must(f.as_alice.posts().create({.title = "By alice " + std::to_string(round)}));
    must(as_key.posts().create({.title = "By key " + std::to_string(round)}));
  }
  pause();
  const auto all = every_entry(f.admin);

  for (const auto type : {ActorType::system, ActorType::user, ActorType::api_key}) {
    const std::string type_name(actor_type_name(type));
    CAPTURE(type_name);
    std::vector<std::int64_t> expected;
    for (const auto& e : all)
      if (e.actor_type == type) expected.push_back(e.seq);
    CHECK(expected.size() >= 3);
    AuditQuery query;
    query.actor_type = type;
    const auto got = every_entry(f.admin, query);
    CHECK(seqs_of(got) == expected);
    for (const auto& e : got) CHECK(e.actor_type == type);
  }
  AuditQuery keyed;
  keyed.actor_type = ActorType::api_key;
  keyed.actor_id = issued.key.id;
  CHECK(every_entry(f.admin, keyed).size() == 3);

  // A window from the first entry of round two (inclusive) to the first of round three
  // (exclusive): exactly round two.
  std::vector<const AuditEntry*> round_starts;
  for (const auto& e : all) {
    if (e.action == "tenant.update") round_starts.push_back(&e);
  }
  REQUIRE(round_starts.size() == 3);
  const Timestamp since = round_starts[1]->at;
  const Timestamp until = round_starts[2]->at;
  REQUIRE(since < until);
  std::vector<std::int64_t> in_window;
  for (const auto& e : all)
    if (e.at >= since && e.at < until) in_window.push_back(e.seq);
  REQUIRE(in_window.size() >= 3);
  CHECK(in_window.front() == round_starts[1]->seq);
  CHECK(std::find(in_window.begin(), in_window.end(), round_starts[2]->seq) == in_window.end());
  AuditQuery window;
  window.since = since;
  window.until = until;
  CHECK(seqs_of(every_entry(f.admin, window)) == in_window);
  // Pages of two through the window, and the window with an actor type.
  CHECK(seqs_of(every_entry(f.admin, window, 2)) == in_window);
  AuditQuery key_window;
  key_window.since = since;
  key_window.until = until;
  key_window.actor_type = ActorType::api_key;
  const auto by_key = every_entry(f.admin, key_window);
  REQUIRE(by_key.size() == 1);
  CHECK(by_key[0].resource_type == "post");
  // since alone and until alone.
  AuditQuery from;
  from.since = until;
  for (const auto& e : every_entry(f.admin, from)) CHECK(e.at >= until);
  CHECK(every_entry(f.admin, from).front().seq == round_starts[2]->seq);
  AuditQuery before;
  before.until = since;
  const auto earlier = every_entry(f.admin, before);
  for (const auto& e : earlier) CHECK(e.at < since);
  CHECK(earlier.back().seq < round_starts[1]->seq);
  CHECK(earlier.size() + every_entry(f.admin, AuditQuery{.since = since}).size() == all.size());
}

TEST_CASE_TEMPLATE("audit: denials alone page newest first, among many other entries", B,
                   QUIRE_TEST_BACKENDS) {
  AdminFixture<B> f;
  must(f.system.tenants().create({.slug = "other", .name = "Other"}));
  must(f.system.tenants().add_member("other", f.bob.id, "viewer"));
  auto as_bob = must(f.db.context("acme", f.bob.id));
  auto bob_elsewhere = must(f.db.context("other", f.bob.id));
  // Rounds of changes with a denial among them: of two kinds, and one in another tenant's chain.
  for (int round = 0; round < 7; ++round) {
    for (int i = 0; i < 3; ++i) {
      must(f.admin.tenants().update(
          "acme", {.name = "Acme " + std::to_string(round) + "." + std::to_string(i)}));
    }
    if (round % 2 == 0) {
      expect_error(as_bob.tenants().update("acme", {.name = "Mine"}), Errc::permission_denied);
    } else {
      expect_error(as_bob.audit().query(), Errc::permission_denied);
    }
    expect_error(bob_elsewhere.tenants().update("other", {.name = "Mine"}),
                 Errc::permission_denied);
  }
  must(f.admin.tenants().update("acme", {.name = "Acme, last"}));

  const auto all = every_entry(f.admin);
  std::vector<std::int64_t> denials, oks, tenant_denials;
  for (const auto& e : all) {
    (e.outcome == "denied" ? denials : oks).push_back(e.seq);
    if (e.outcome == "denied" && e.resource_type == "tenant") tenant_denials.push_back(e.seq);
  }
  REQUIRE(denials.size() == 7);
  REQUIRE(tenant_denials.size() == 4);

  AuditQuery denied;
  denied.outcome = "denied";
  // The first page: the newest denials, newest first, and a cursor to the rest.
  denied.limit = 3;
  const auto first = must(f.admin.audit().query(denied));
  REQUIRE(first.items.size() == 3);
  CHECK(first.items[0].seq == denials[6]);
  CHECK(first.items[1].seq == denials[5]);
  CHECK(first.items[2].seq == denials[4]);
  CHECK_FALSE(first.next_cursor.empty());
  for (const auto& e : first.items) {
    CHECK(e.outcome == "denied");
    CHECK(e.actor_id == f.bob.id);
  }
  // Every page size reads all seven, each once, and none of the other chain's.
  for (unsigned page : {1u, 2u, 3u, 7u, 1000u}) {
    CAPTURE(page);
    CHECK(seqs_of(every_entry(f.admin, denied, page)) == denials);
  }
  // With another filter beside it, and the other outcome.
  denied.resource_type = "tenant";
  CHECK(seqs_of(every_entry(f.admin, denied, 2)) == tenant_denials);
  AuditQuery ok;
  ok.outcome = "ok";
  CHECK(seqs_of(every_entry(f.admin, ok, 5)) == oks);
  // The other tenant's chain has its own seven.
  auto other = must(f.db.system("other"));
  AuditQuery other_denied;
  other_denied.outcome = "denied";
  CHECK(every_entry(other, other_denied, 2).size() == 7);
}

namespace {

// The SQL of every statement run on the SQLite connections opened while one of these lives: an
// automatic extension (process-wide) traces each new connection, quire's own included.
class StatementLog {
 public:
  StatementLog() {
    REQUIRE(sqlite3_auto_extension(reinterpret_cast<void (*)()>(&StatementLog::attach)) ==
            SQLITE_OK);
  }
  StatementLog(const StatementLog&) = delete;
  StatementLog& operator=(const StatementLog&) = delete;
  ~StatementLog() {
    sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(&StatementLog::attach));
    const std::lock_guard lock(mutex());
    statements().clear();
  }

  // The queries (SELECT statements) seen so far that contain `needle`.
  std::vector<std::string> queries_with(std::string_view needle) const {
    const std::lock_guard lock(mutex());
    std::vector<std::string> found;
    for (const auto& sql : statements()) {
      if (sql.starts_with("SELECT ") && sql.find(needle) != std::string::npos) {
        found.push_back(sql);
      }
    }
    return found;
  }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::set<std::string>& statements() {
    static std::set<std::string> s;
    return s;
  }
  static int attach(sqlite3* db, const char**, const sqlite3_api_routines*) {
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, &StatementLog::trace, nullptr);
    return SQLITE_OK;
  }
  static int trace(unsigned, void*, void* statement, void*) {
    if (const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(statement))) {
      const std::lock_guard lock(mutex());
      statements().insert(sql);
    }
    return 0;
  }
};

// SQLite's plan for `sql`, one detail line each, on a connection of its own to `file`.
std::string query_plan(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr);
  const std::string error = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
  std::string plan;
  while (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += '\n';
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, sql, ": ", error);
  return plan;
}

}  // namespace

// SQLite only: its plans are checked with EXPLAIN QUERY PLAN on the statements quire ran.
TEST_CASE("audit: a query for denials alone reads the partial index, not the whole chain") {
  StatementLog log;  // before the database opens its connections
  AdminFixture<SqliteFile> f;
  auto as_bob = must(f.db.context("acme", f.bob.id));
  for (int i = 0; i < 3; ++i) {
    must(f.admin.tenants().update("acme", {.name = "Acme " + std::to_string(i)}));
    expect_error(as_bob.tenants().update("acme", {.name = "Mine"}), Errc::permission_denied);
  }
  AuditQuery denied;
  denied.outcome = "denied";
  CHECK(every_entry(f.admin, denied, 2).size() == 3);  // two pages: the second with a cursor
  AuditQuery ok;
  ok.outcome = "ok";
  CHECK(every_entry(f.admin, ok).size() > 3);

  const auto file = f.kind.dir_->path() / "test.db";
  const auto denial_queries = log.queries_with("outcome = 'denied'");
  REQUIRE(denial_queries.size() == 2);  // the first page, and the pages after a cursor
  for (const auto& sql : denial_queries) {
    CAPTURE(sql);
    const auto plan = query_plan(file, sql);
    CAPTURE(plan);
    CHECK(plan.find("USING INDEX audit_denied (tenant_id=?") != std::string::npos);
    CHECK(plan.find("PRIMARY KEY") == std::string::npos);
  }
  // The other outcome is bound, and walks the chain's own key.
  const auto ok_queries = log.queries_with("outcome = ?");
  REQUIRE(ok_queries.size() == 1);
  CHECK(query_plan(file, ok_queries.front()).find("audit_denied") == std::string::npos);
}

TEST_CASE_TEMPLATE("audit: a CSV cell that looks like a formula is exported as text", B,
                   QUIRE_TEST_BACKENDS) {
  AdminFixture<B> f;
  const std::vector<std::string> formulas = {
      "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"};
  for (const auto& formula : formulas) {
    auto typed = f.admin.with_request({.ip = "", .user_agent = formula, .request_id = "r"});
    must(typed.tenants().update("acme", {.name = "Acme " + std::to_string(formula.size())}));
  }
  const auto csv = must(f.admin.audit().export_text(ExportFormat::csv));
  for (const auto& formula : formulas) {
    CAPTURE(formula);
    std::string quoted = "'";
    for (char c : formula) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    CHECK(csv.find(",\"" + quoted + "\",") != std::string::npos);  // quoted, after a '
    CHECK(csv.find("," + formula + ",") == std::string::npos);
    CHECK(csv.find(",\"" + formula) == std::string::npos);
  }
  // JSON Lines keeps the value as it was.
  const auto jsonl = must(f.admin.audit().export_text(ExportFormat::jsonl));
  CHECK(jsonl.find(R"x("user_agent":"@SUM(A1)")x") != std::string::npos);
}

TEST_CASE_TEMPLATE("audit: an entry records at most a bounded part of each string", B,
                   QUIRE_TEST_BACKENDS) {
  AdminFixture<B> f;
  // A denied attempt is audited with what was tried: an 8 MB username.
  const std::string huge(8 * 1024 * 1024, 'u');
  expect_error(
      f.as_alice.users().create({.username = huge, .email = "e@x.test", .password = "long enough"}),
      Errc::permission_denied);
  AuditQuery denied;
  denied.outcome = "denied";
  denied.action = "user.create";
  const auto entries = must(f.admin.audit().query(denied)).items;
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].resource_id.size() < 1024);
  CHECK(entries[0].resource_id.rfind(std::string(100, 'u'), 0) == 0);  // still says what it was
  CHECK(entries[0].resource_id.find("truncated: 8388608 bytes in all") != std::string::npos);
  // And a change's recorded values: a long string inside the new settings, and a long user agent.
  const std::string long_text(20000, 's');
  auto typed = f.admin.with_request({.user_agent = long_text});
  must(typed.tenants().update("acme", {.settings = "{\"note\":\"" + long_text + "\"}"}));
  const auto head = must(f.admin.audit().head());
  AuditQuery latest;
  latest.limit = 1;
  const auto entry = must(f.admin.audit().query(latest)).items.at(0);
  CHECK(entry.seq == head.seq);
  REQUIRE(entry.new_values);
  CHECK(entry.new_values->size() < 2048);
  CHECK(entry.new_values->find("truncated: 20000 bytes in all") != std::string::npos);
  CHECK(entry.user_agent.size() < 1024);
  CHECK(must(f.admin.audit().verify()).ok);
}
