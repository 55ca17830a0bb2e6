// Every write operation of every engine, with storage failing at each of its steps in turn: the
// operation must fail with Errc::storage and leave the SQLite file exactly as it was, table by
// table and row by row (audit trail, search index and schema included).
//
// How. The fixture (tenants, users, posts in every state, versions, an autosave, a custom role, a
// grant, API keys, a session) is built once into a file. For each operation, a copy of that file
// is opened over a FaultBackend that only counts, and the operation runs once: that gives its N
// storage steps (and proves it changes the file, so a missing change would be noticed). Then for
// each i in 1..N a fresh copy is opened, step i is made to fail, the operation runs, the database
// is closed, and the dump of the copy must equal the dump of the fixture.

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>

#include "support/engine_fixture.hpp"
#include "support/fault_backend.hpp"

using namespace quire;
using namespace quire::test;

namespace {

// --- The dump: every table of the file, as text.

std::string column_text(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", sqlite3_column_double(statement, column));
      return buffer;
    }
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(statement, column));
      std::string hex = "x'";
      for (int i = 0; i < sqlite3_column_bytes(statement, column); ++i) {
        char digits[3];
        std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
        hex += digits;
      }
      return hex + "'";
    }
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
      return "'" +
             std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column))) +
             "'";
    }
  }
}

// Runs `sql` and appends each row as one line to `out`; returns the number of columns.
int dump_rows(sqlite3* db, const std::string& sql, std::ostringstream& out) {
  sqlite3_stmt* statement = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK, sql,
                  ": ", sqlite3_errmsg(db));
  const int columns = sqlite3_column_count(statement);
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    for (int c = 0; c < columns; ++c) out << (c ? "|" : "  ") << column_text(statement, c);
    out << '\n';
  }
  sqlite3_finalize(statement);
  REQUIRE_MESSAGE(rc == SQLITE_DONE, sql, ": ", sqlite3_errmsg(db));
  return columns;
}

// The schema (sqlite_master without root pages) and every row of every table, sorted by all
// columns. FTS5 virtual tables are read through their shadow tables (posts_fts_data, _idx,
// _content, _docsize, _config), which are ordinary tables listed here and hold the whole index;
// the virtual table itself would need quire's tokenizer to be opened.
std::string dump(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::ostringstream out;
  out << "user_version\n";
  dump_rows(db, "PRAGMA user_version", out);
  out << "schema\n";
  dump_rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name", out);
  std::vector<std::string> tables;
  {
    std::ostringstream names;
    dump_rows(db,
              "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE "
              "VIRTUAL TABLE%' ORDER BY name",
              names);
    std::istringstream lines(names.str());
    for (std::string line; std::getline(lines, line);)
      tables.push_back(line.substr(3, line.size() - 4));
  }
  for (const auto& table : tables) {
    std::ostringstream ignored;
    const int columns = dump_rows(db, "SELECT * FROM \"" + table + "\" LIMIT 0", ignored);
    std::string order;
    for (int c = 1; c <= columns; ++c) order += (c > 1 ? "," : "") + std::to_string(c);
    out << "table " << table << '\n';
    dump_rows(db, "SELECT * FROM \"" + table + "\" ORDER BY " + order, out);
  }
  sqlite3_close(db);
  return out.str();
}

// `dump` without the audit entries of refused attempts (outcome 'denied').
std::string without_denials(const std::string& dump) {
  std::istringstream lines(dump);
  std::string kept, table;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("table ")) table = line;
    if (table == "table audit_log" && line.find("|'denied'|") != std::string::npos) continue;
    kept += line + '\n';
  }
  return kept;
}

// The first line where two dumps differ, with its table, for the failure message.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream a(expected), b(actual);
  std::string table, left, right;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, left));
    const bool more_b = static_cast<bool>(std::getline(b, right));
    if (!more_a && !more_b) return "no difference";
    if (!more_a) left = "<end>";
    if (!more_b) right = "<end>";
    if (left != right) return "in " + table + ": expected " + left + "\n  got " + right;
    if (left.starts_with("table ")) table = left;
  }
}

// --- The fixture, built once.

struct Fixture {
  TempDir dir;
  std::filesystem::path file = dir.path() / "fixture.db";
  std::string before;  // its dump
  TenantId acme = 0, idle = 0, gone = 0;
  UserId alice = 0, bob = 0, carol = 0, dave = 0, erin = 0, frank = 0;
  PostId draft = 0, review = 0, published = 0, future = 0, trashed = 0;
  std::int64_t draft_version = 0;
  std::int64_t key = 0;
  std::string key_text, revoked_key_text;
  std::string bob_token;
  std::string dave_invitation;  // a pending invitation of dave's address to acme
  std::int64_t dave_invitation_id = 0;
};

void build(Fixture& f) {
  {
    auto db = must(Database::open("sqlite:" + f.file.string(), test_options()));
    auto system = db.system();
    f.acme =
        must(system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"})).id;
    f.idle = must(system.tenants().create({.slug = "idle", .name = "Idle"})).id;
    f.gone = must(system.tenants().create({.slug = "gone", .name = "Gone"})).id;
    must(system.tenants().deactivate("idle"));
    must(system.tenants().remove("gone"));
    const auto user = [&](const std::string& name) {
      return must(system.users().create({.username = name,
                                         .email = name + "@example.test",
                                         .password = "password-" + name}))
          .id;
    };
    f.alice = user("alice");
    f.bob = user("bob");
    f.carol = user("carol");
    f.dave = user("dave");
    f.erin = user("erin");
    f.frank = user("frank");
    must(system.users().deactivate(f.erin));
    must(system.tenants().add_member("acme", f.alice, "owner"));
    must(system.tenants().add_member("acme", f.bob, "editor"));
    must(system.tenants().add_member("acme", f.carol, "author"));
    must(system.tenants().add_member("acme", f.frank, "viewer"));

    auto alice = must(db.context("acme", f.alice));
    auto post = [&](const std::string& title) {
      return must(alice.posts().create({.title = title,
                                        .body = "The body of " + title + ", with words to index.",
                                        .tags = {"news", "fault"},
                                        .category = "notes"}));
    };
    const auto draft = post("Draft");
    f.draft = draft.id;
    f.draft_version =
        must(alice.posts().update(f.draft, draft.version, {.body = std::string("A second body.")}))
            .version;
    f.review = post("Review").id;
    must(alice.posts().submit(f.review));
    f.published = post("Published").id;
    must(alice.posts().publish(f.published));
    f.future = post("Future").id;
    must(alice.posts().schedule(f.future, now_ms() + 3600 * 1000));
    f.trashed = post("Trashed").id;
    must(alice.posts().remove(f.trashed));
    must(alice.versions().autosave(f.draft, "Draft, unsaved", "Typed but not saved."));

    must(alice.permissions().define_role("reviewer", {"post.read", "post.update"}));
    must(alice.permissions().grant(f.bob, {"post", std::to_string(f.draft)}, GrantLevel::write));
    auto issued = must(alice.keys().create({.name = "ci", .scopes = {"post.read"}}));
    f.key = issued.key.id;
    f.key_text = issued.text;
    auto revoked = must(alice.keys().create({.name = "old", .scopes = {"post.read"}}));
    must(alice.keys().revoke(revoked.key.id));
    f.revoked_key_text = revoked.text;
    f.bob_token = must(db.login("acme", "bob", "password-bob")).token;
    auto invited = must(alice.tenants().invite("acme", "dave@example.test", "author"));
    f.dave_invitation = invited.token;
    f.dave_invitation_id = invited.invitation.id;
    must(db.close());
  }
  // The copies take the main file only: everything must be checkpointed into it.
  const auto wal = f.file.string() + "-wal";
  REQUIRE_MESSAGE((!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0),
                  "the WAL was not checkpointed on close");
  f.before = dump(f.file);
}

const Fixture& fixture() {
  static const auto built = [] {
    auto made = std::make_unique<Fixture>();
    build(*made);
    return made;
  }();
  return *built;
}

// --- One case: a copy of the fixture, opened over a FaultBackend.

struct Case {
  const Fixture& f;
  std::filesystem::path file;
  std::shared_ptr<FaultPlan> plan = std::make_shared<FaultPlan>();
  Database db;
  Context system, acme, alice, bob, carol, dave;

  explicit Case(const Fixture& fixture)
      : f(fixture),
        file(copy(fixture)),
        db(open(file, plan)),
        system(db.system()),
        acme(must(db.system("acme"))),
        alice(must(db.context("acme", f.alice))),
        bob(must(db.context("acme", f.bob))),
        carol(must(db.context("acme", f.carol))),
        dave(must(db.user_context(f.dave))) {}

  static std::filesystem::path copy(const Fixture& fixture) {
    const auto file = fixture.dir.path() / "case.db";
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(file.string() + suffix);
    }
    std::filesystem::copy_file(fixture.file, file);
    return file;
  }

  static Database open(const std::filesystem::path& file, std::shared_ptr<FaultPlan> plan) {
    auto real = must(storage::open_backend("sqlite:" + file.string(), test_options()));
    return must(Database::open(std::make_unique<FaultBackend>(std::move(real), std::move(plan)),
                               test_options()));
  }

  // Closes the database (its last connection checkpoints the WAL) and dumps the copy.
  std::string close_and_dump() {
    must(db.close());
    return dump(file);
  }
};

template <class T>
Result<void> done(Result<T> result) {
  if (!result) return std::move(result).as_failure();
  return success();
}

struct Op {
  std::string name;
  std::function<Result<void>(Case&)> run;
  // What the operation returns when storage does not fail: success, or this refusal.
  std::optional<Errc> refusal = std::nullopt;
  // The refusal is audited in a transaction of its own, after the operation's has rolled back,
  // and a failure of that audit is not reported (the caller has its answer already): a fault in
  // that step still returns the refusal. What must hold is that the refused change stays undone.
  bool refusal_audited_after = false;
};

unsigned total_cases = 0;

// Runs `op` once counting its steps, then once per step with that step failing.
void check_every_step(const Op& op) {
  const auto& f = fixture();
  unsigned steps = 0;
  std::vector<std::string> trace;
  {
    Case c(f);
    c.plan->count_only();
    const auto result = op.run(c);
    steps = c.plan->counted();
    trace = c.plan->trace();
    INFO(op.name, " without a fault");
    if (op.refusal) {
      REQUIRE_MESSAGE(result.has_error(), op.name, " should be refused");
      REQUIRE_MESSAGE(result.error().code == *op.refusal, op.name, ": ", result.error().message);
    } else {
      REQUIRE_MESSAGE(result.has_value(), op.name, ": ", result.error().message);
    }
    // Otherwise the comparisons below could not tell a rolled-back change from none at all.
    REQUIRE_MESSAGE(c.close_and_dump() != f.before, op.name, " changed nothing");
  }
  REQUIRE(steps > 0);
  for (unsigned step = 1; step <= steps; ++step) {
    Case c(f);
    c.plan->fail_at(step);
    const auto result = op.run(c);
    const auto failed = c.plan->failed_step();
    INFO(op.name, ": fault at step ", step, " of ", steps, " (", trace[step - 1], ")");
    CHECK_MESSAGE(failed == trace[step - 1], "the fault hit ", failed);
    REQUIRE_MESSAGE(result.has_error(), "succeeded although storage failed");
    const auto code = result.error().code;
    const bool refused_anyway = op.refusal_audited_after && op.refusal && code == *op.refusal;
    CHECK_MESSAGE((code == Errc::storage || refused_anyway), "got ", errc_name(code), ": ",
                  result.error().message);
    // Refused anyway: the fault hit the refusal's own audit (then nothing committed), or a step
    // the refusal did not depend on (then its audit entry committed). Either way the refused
    // change must be undone, so nothing but that entry may differ.
    const auto after = refused_anyway ? without_denials(c.close_and_dump()) : c.close_and_dump();
    const bool unchanged = after == f.before;  // a bool: doctest would print both dumps
    CHECK_MESSAGE(unchanged, first_difference(f.before, after));
    ++total_cases;
  }
  std::printf("fault injection: %-36s %2u steps\n", op.name.c_str(), steps);
}

void check_all(const std::vector<Op>& ops) {
  const auto start = std::chrono::steady_clock::now();
  const unsigned before = total_cases;
  for (const auto& op : ops) check_every_step(op);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("fault injection: %u (operation, step) cases in %lld ms; %u in all so far\n",
              total_cases - before, static_cast<long long>(ms), total_cases);
}

ResourceRef post_ref(PostId id) {
  return {"post", std::to_string(id)};
}

}  // namespace

TEST_CASE("fault injection: the wrapper forwards, counts and fails the chosen step") {
  Case c(fixture());
  c.plan->count_only();
  const auto tenant = must(c.system.tenants().get("acme"));
  CHECK(tenant.name == "Acme");
  CHECK(c.plan->trace() ==
        std::vector<std::string>{"backend.begin", "tenants.find_by_slug", "transaction.commit"});

  // Only writes count: the first write of a tenant update is the row itself.
  c.plan->fail_at(1, FaultCount::writes);
  auto updated = c.system.tenants().update("acme", {.name = std::string("Renamed")});
  expect_error(updated, Errc::storage);
  CHECK(c.plan->failed_step() == "tenants.update");
  CHECK(must(c.system.tenants().get("acme")).name == "Acme");

  c.plan->fail_at(1, FaultCount::commits);
  expect_error(c.system.tenants().update("acme", {.name = std::string("Renamed")}), Errc::storage);
  CHECK(c.plan->failed_step() == "transaction.commit");
  CHECK(must(c.system.tenants().get("acme")).name == "Acme");

  c.plan->fail_at(1, FaultCount::reads);
  expect_error(c.system.tenants().get("acme"), Errc::storage);
  CHECK(c.plan->failed_step() == "tenants.find_by_slug");

  CHECK(c.close_and_dump() == fixture().before);
  expect_error(Database::open(std::unique_ptr<storage::Backend>{}), Errc::invalid_argument);
}

TEST_CASE("fault injection: tenants") {
  check_all({
      {"tenant.create",
       [](Case& c) { return done(c.system.tenants().create({.slug = "new", .name = "New"})); }},
      {"tenant.update",
       [](Case& c) {
         return done(c.system.tenants().update(
             "acme",
             {.name = std::string("Acme Ltd"), .domain = std::optional<std::string>("acme.test")}));
       }},
      {"tenant.deactivate", [](Case& c) { return done(c.system.tenants().deactivate("acme")); }},
      {"tenant.activate", [](Case& c) { return done(c.system.tenants().activate("idle")); }},
      {"tenant.delete", [](Case& c) { return done(c.system.tenants().remove("acme")); }},
      {"tenant.restore", [](Case& c) { return done(c.system.tenants().restore(c.f.gone)); }},
      {"tenant.add_member",
       [](Case& c) { return done(c.system.tenants().add_member("acme", c.f.dave, "viewer")); }},
      {"tenant.set_role",
       [](Case& c) { return done(c.alice.tenants().set_role("acme", c.f.frank, "author")); }},
      {"tenant.remove_member",
       [](Case& c) { return done(c.alice.tenants().remove_member("acme", c.f.frank)); }},
      {"tenant.add_member (denied)",
       [](Case& c) { return done(c.carol.tenants().add_member("acme", c.f.dave, "viewer")); },
       Errc::permission_denied, true},
      {"tenant.add_member by an owner (denied)",
       [](Case& c) { return done(c.alice.tenants().add_member("acme", c.f.dave, "viewer")); },
       Errc::permission_denied, true},
      {"invitation.create",
       [](Case& c) {
         return done(c.alice.tenants().invite("acme", "newcomer@example.test", "editor"));
       }},
      {"invitation.accept",
       [](Case& c) { return done(c.dave.tenants().accept_invitation(c.f.dave_invitation)); }},
      {"invitation.revoke",
       [](Case& c) {
         return done(c.alice.tenants().revoke_invitation("acme", c.f.dave_invitation_id));
       }},
  });
}

TEST_CASE("fault injection: users") {
  check_all({
      {"user.create",
       [](Case& c) {
         return done(c.system.users().create(
             {.username = "gina", .email = "gina@example.test", .password = "password-gina"}));
       }},
      {"user.update",
       [](Case& c) {
         return done(c.system.users().update(
             c.f.carol,
             {.email = std::string("carol@elsewhere.test"), .display_name = std::string("Carol")}));
       }},
      {"user.set_password",
       [](Case& c) { return c.system.users().set_password(c.f.carol, "a-new-password"); }},
      {"user.deactivate", [](Case& c) { return done(c.system.users().deactivate(c.f.carol)); }},
      {"user.activate", [](Case& c) { return done(c.system.users().activate(c.f.erin)); }},
  });
}

TEST_CASE("fault injection: posts") {
  check_all({
      {"post.create",
       [](Case& c) {
         return done(c.carol.posts().create(
             {.title = "Fresh", .body = "Fresh words.", .tags = {"new"}, .category = "notes"}));
       }},
      {"post.update",
       [](Case& c) {
         return done(c.alice.posts().update(c.f.draft, c.f.draft_version,
                                            {.title = std::string("Draft, renamed"),
                                             .body = std::string("A third body."),
                                             .slug = std::string("draft-renamed"),
                                             .tags = std::vector<std::string>{"other"}}));
       }},
      {"post.submit", [](Case& c) { return done(c.alice.posts().submit(c.f.draft)); }},
      {"post.publish", [](Case& c) { return done(c.bob.posts().publish(c.f.review)); }},
      {"post.unpublish", [](Case& c) { return done(c.bob.posts().unpublish(c.f.published)); }},
      {"post.archive", [](Case& c) { return done(c.bob.posts().archive(c.f.published)); }},
      {"post.schedule",
       [](Case& c) { return done(c.bob.posts().schedule(c.f.draft, now_ms() + 7200 * 1000)); }},
      {"post.publish_due",
       [](Case& c) { return done(c.acme.posts().publish_due(now_ms() + 4 * 3600 * 1000)); }},
      {"post.delete", [](Case& c) { return done(c.bob.posts().remove(c.f.published)); }},
      {"post.restore", [](Case& c) { return done(c.bob.posts().restore(c.f.trashed)); }},
      {"post.purge", [](Case& c) { return c.bob.posts().purge(c.f.trashed); }},
      {"post.publish (denied)", [](Case& c) { return done(c.carol.posts().publish(c.f.review)); },
       Errc::permission_denied, true},
  });
}

TEST_CASE("fault injection: versions") {
  check_all({
      {"version.snapshot",
       [](Case& c) { return done(c.bob.versions().snapshot(c.f.draft, "before the rewrite")); }},
      {"version.restore", [](Case& c) { return done(c.bob.versions().restore(c.f.draft, 1)); }},
      {"version.autosave",
       [](Case& c) { return done(c.bob.versions().autosave(c.f.draft, "Bob's", "Bob typed.")); }},
      {"version.discard", [](Case& c) { return c.alice.versions().discard(c.f.draft); }},
      {"version.promote",
       [](Case& c) { return done(c.alice.versions().promote(c.f.draft, c.f.draft_version)); }},
  });
}

TEST_CASE("fault injection: audit") {
  check_all({
      {"audit.purge_before",
       [](Case& c) { return done(c.acme.audit().purge_before(now_ms() + 1000)); }},
      {"audit.purge_before (denied)",
       [](Case& c) { return done(c.alice.audit().purge_before(now_ms() + 1000)); },
       Errc::permission_denied, true},
  });
}

TEST_CASE("fault injection: permissions") {
  check_all({
      {"permission.grant",
       [](Case& c) {
         return done(c.alice.permissions().grant(c.f.carol, post_ref(c.f.draft), GrantLevel::read));
       }},
      {"permission.revoke",
       [](Case& c) { return c.alice.permissions().revoke(c.f.bob, post_ref(c.f.draft)); }},
      {"permission.define_role",
       [](Case& c) {
         return done(
             c.alice.permissions().define_role("proofreader", {"post.read", "version.read"}));
       }},
      {"permission.delete_role",
       [](Case& c) { return c.alice.permissions().delete_role("reviewer"); }},
  });
}

TEST_CASE("fault injection: API keys") {
  check_all({
      {"key.create",
       [](Case& c) {
         return done(c.alice.keys().create({.name = "deploy", .scopes = {"post.read"}}));
       }},
      {"key.revoke", [](Case& c) { return done(c.alice.keys().revoke(c.f.key)); }},
      {"key.rotate", [](Case& c) { return done(c.alice.keys().rotate(c.f.key)); }},
      {"key.use (context_from_key)",
       [](Case& c) { return done(c.db.context_from_key(c.f.key_text)); }},
      {"key.use (revoked, refused)",
       [](Case& c) { return done(c.db.context_from_key(c.f.revoked_key_text)); },
       Errc::unauthenticated, true},
  });
}

TEST_CASE("fault injection: sessions") {
  check_all({
      {"session.login",
       [](Case& c) { return done(c.db.login("acme", "carol", "password-carol")); }},
      // A wrong password commits its failure counter and audit entry: no fault may lose them
      // silently, so this one must fail with storage like any write.
      {"session.login (wrong password)",
       [](Case& c) { return done(c.db.login("acme", "carol", "not-her-password")); },
       Errc::unauthenticated},
      {"session.logout", [](Case& c) { return c.db.logout(c.f.bob_token); }},
      {"session.rotate_token_secret", [](Case& c) { return c.db.rotate_token_secret(); }},
  });
}

TEST_CASE("fault injection: explicit transactions") {
  check_all({
      {"transaction (several operations, nested)",
       [](Case& c) {
         return c.db.transaction(c.alice, [&](Context& tx) -> Result<void> {
           QUIRE_TRY(auto post, tx.posts().create({.title = "Together", .body = "One unit."}));
           QUIRE_TRY(tx.posts().publish(post.id));
           QUIRE_TRY(tx.versions().snapshot(c.f.draft, "in a transaction"));
           return c.db.transaction(tx, [&](Context& inner) -> Result<void> {
             QUIRE_TRY(inner.permissions().grant(c.f.carol, post_ref(post.id), GrantLevel::write));
             return done(inner.posts().archive(c.f.published));
           });
         });
       }},
      // Denied inside: the body gives up, everything rolls back, and the denial is audited in a
      // transaction of its own once the explicit one has ended.
      {"transaction (denied inside)",
       [](Case& c) {
         return c.db.transaction(c.carol, [&](Context& tx) -> Result<void> {
           QUIRE_TRY(tx.posts().create({.title = "Carol's", .body = "Hers."}));
           return done(tx.posts().publish(c.f.review));
         });
       },
       Errc::permission_denied, true},
  });
}

// A body that goes on after an operation failed (it may: the failed unit rolled back to its
// savepoint) must not commit that operation's half when the rollback to the savepoint fails too.
TEST_CASE("fault injection: a unit inside a transaction that cannot be undone stops the commit") {
  const auto& f = fixture();
  const auto run = [&](Case& c) {
    return c.db.transaction(c.alice, [&](Context& tx) -> Result<void> {
      (void)tx.posts().update(f.draft, f.draft_version, {.body = std::string("Half of it.")});
      return success();  // whatever became of the update
    });
  };
  unsigned steps = 0;
  {
    Case c(f);
    c.plan->count_only();
    must(run(c));
    steps = c.plan->counted();
    REQUIRE(c.close_and_dump() != f.before);
  }
  unsigned undone = 0;
  for (unsigned step = 1; step <= steps; ++step) {
    Case c(f);
    c.plan->fail_at(step);
    c.plan->fail_every("transaction.rollback_to");
    const auto result = run(c);
    const auto trace = c.plan->trace();
    const bool rolled_back =
        std::find(trace.begin(), trace.end(), "transaction.rollback_to") != trace.end();
    INFO("fault at step ", step, " of ", steps, " (", c.plan->failed_step(), ")");
    if (rolled_back) {
      ++undone;
      expect_error(result, Errc::storage);
    }
    const auto after = c.close_and_dump();
    const bool unchanged = after == f.before;
    CHECK_MESSAGE(unchanged, first_difference(f.before, after));
    ++total_cases;
  }
  CHECK(undone > 0);  // some faults hit inside the update, and its undo failed
  std::printf("fault injection: %u steps of an update whose undo fails too, %u undone\n", steps,
              undone);
}
