// Transaction handles (Database::begin): commit, rollback, rollback on destruction, nesting as
// savepoints, denials audited after the end, contexts of an ended transaction, other writers and
// Database::close() while a handle is open.

#include <atomic>
#include <chrono>
#include <thread>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

// A tenant with an owner and a viewer, and a context for each.
template <class B>
struct Newsroom : EngineFixture<B> {
  Newsroom() {
    must(this->system.tenants().create({.slug = "acme", .name = "Acme"}));
    owner_id = this->make_user("olga").id;
    viewer_id = this->make_user("vic").id;
    must(this->system.tenants().add_member("acme", owner_id, "owner"));
    must(this->system.tenants().add_member("acme", viewer_id, "viewer"));
  }
  Context as(UserId user) { return must(this->db.context("acme", user)); }
  std::size_t posts() { return must(as(owner_id).posts().list()).items.size(); }

  UserId owner_id = 0;
  UserId viewer_id = 0;
};

std::size_t denied_entries(Context& ctx) {
  AuditQuery denied;
  denied.outcome = "denied";
  return must(ctx.audit().query(denied)).items.size();
}

}  // namespace

TEST_CASE_TEMPLATE("transaction: commit keeps everything, rollback and destruction nothing", B,
                   QUIRE_TEST_BACKENDS) {
  Newsroom<B> f;
  auto owner = f.as(f.owner_id);
  {
    auto tx = must(f.db.begin(owner));
    CHECK(tx.is_open());
    must(tx.context().posts().create({.title = "One"}));
    must(tx.context().posts().create({.title = "Two"}));
    // The transaction sees its own writes.
    CHECK(must(tx.context().posts().list()).items.size() == 2);
    must(tx.commit());
    CHECK_FALSE(tx.is_open());
  }
  CHECK(f.posts() == 2);

  {
    auto tx = must(f.db.begin(owner));
    must(tx.context().posts().create({.title = "Three"}));
    must(tx.rollback());
  }
  CHECK(f.posts() == 2);

  {
    auto tx = must(f.db.begin(owner));
    must(tx.context().posts().create({.title = "Dropped"}));
  }  // destroyed open: rolled back
  CHECK(f.posts() == 2);

  // Moving hands the transaction over.
  auto first = must(f.db.begin(owner));
  must(first.context().posts().create({.title = "Moved"}));
  auto moved = std::move(first);
  CHECK_FALSE(first.is_open());  // NOLINT(bugprone-use-after-move): what a moved-from one says
  must(moved.commit());
  CHECK(f.posts() == 3);
  // Assigning over an open handle rolls its transaction back (and the child with it).
  auto parent = must(f.db.begin(owner));
  must(parent.context().posts().create({.title = "Overwritten"}));
  auto child = must(f.db.begin(parent.context()));
  parent = std::move(child);
  CHECK_FALSE(parent.is_open());
  CHECK(f.posts() == 3);
}

TEST_CASE_TEMPLATE("transaction: after the end its contexts and the handle refuse", B,
                   QUIRE_TEST_BACKENDS) {
  Newsroom<B> f;
  auto tx = must(f.db.begin(f.as(f.owner_id)));
  Context copy = tx.context();
  must(tx.commit());
  CHECK(expect_error(copy.posts().create({.title = "Late"}), Errc::invalid_argument) ==
        "the transaction has ended");
  expect_error(tx.context().posts().list(), Errc::invalid_argument);
  expect_error(tx.commit(), Errc::invalid_argument);
  expect_error(tx.rollback(), Errc::invalid_argument);
  expect_error(f.db.begin(copy), Errc::invalid_argument);
  CHECK(f.posts() == 0);

  auto other = must(Database::open(SqliteMemory().url(), test_options()));
  expect_error(other.begin(f.system), Errc::invalid_argument);
}

TEST_CASE_TEMPLATE("transaction: a nested one is a savepoint of its parent", B,
                   QUIRE_TEST_BACKENDS) {
  Newsroom<B> f;
  auto outer = must(f.db.begin(f.as(f.owner_id)));
  must(outer.context().posts().create({.title = "Outer"}));
  {
    auto undone = must(f.db.begin(outer.context()));
    must(undone.context().posts().create({.title = "Undone"}));
    must(undone.rollback());
  }
  {
    auto kept = must(f.db.begin(outer.context()));
    must(kept.context().posts().create({.title = "Kept"}));
    must(kept.commit());
  }
  // A failed operation inside undoes only itself (the unit's own savepoint).
  expect_error(outer.context().posts().create({.title = ""}), Errc::invalid_argument);
  auto open_child = must(f.db.begin(outer.context()));
  must(open_child.context().posts().create({.title = "Child left open"}));
  CHECK(must(outer.context().posts().list()).items.size() == 3);
  must(outer.commit());
  // Committing the parent committed what the open child had done, and ended the child.
  CHECK_FALSE(open_child.is_open());
  expect_error(open_child.commit(), Errc::invalid_argument);
  CHECK(f.posts() == 3);

  // Database::transaction nests the same way.
  auto owner = f.as(f.owner_id);
  must(f.db.transaction(owner, [&](Context& tx) -> Result<void> {
    (void)f.db.transaction(tx, [&](Context& inner) -> Result<void> {
      QUIRE_TRY(inner.posts().create({.title = "Inner undone"}));
      return fail(Errc::conflict, "changed my mind");
    });
    return success();
  }));
  CHECK(f.posts() == 3);
}

TEST_CASE_TEMPLATE("transaction: a denial inside is audited after the transaction ends", B,
                   QUIRE_TEST_BACKENDS) {
  Newsroom<B> f;
  auto owner = f.as(f.owner_id);
  auto viewer = f.as(f.viewer_id);
  auto tx = must(f.db.begin(viewer));
  auto nested = must(f.db.begin(tx.context()));
  const auto denied =
      expect_error(nested.context().posts().create({.title = "No"}), Errc::permission_denied);
  must(nested.rollback());
  CHECK(denied.find("lacks post.create") != std::string::npos);
  // Held back while the transaction is open (one SQLite connection in memory: no reader then).
  if constexpr (B::separate_readers) CHECK(denied_entries(owner) == 0);
  must(tx.rollback());
  CHECK(denied_entries(owner) == 1);  // and kept although the transaction rolled back
}

TEST_CASE_TEMPLATE("transaction: another writer waits for an open handle", B, SqliteFile,
                   PostgresServer) {
  Options options = test_options();
  options.busy_timeout_ms = 200;
  Newsroom<B> f;
  auto db = must(Database::open(f.kind.url(), options));
  auto writer = must(db.context("acme", f.owner_id));
  auto tx = must(f.db.begin(f.as(f.owner_id)));
  must(tx.context().posts().create({.title = "Inside"}));
  if constexpr (std::is_same_v<B, SqliteFile>) {
    // The single SQLite writer: another write waits for the lock, then fails with busy.
    expect_error(writer.posts().create({.title = "Outside"}), Errc::busy);
  }
  // Readers do not wait, and do not see the open transaction's writes.
  CHECK(must(writer.posts().list()).items.empty());
  // A handle may be committed on another thread than the one that began it.
  std::thread([&] { must(tx.commit()); }).join();
  must(writer.posts().create({.title = "Outside"}));
  CHECK(f.posts() == 2);
}

TEST_CASE_TEMPLATE("transaction: close() rolls back an open handle instead of waiting", B,
                   QUIRE_TEST_BACKENDS) {
  Newsroom<B> f;
  auto tx = must(f.db.begin(f.as(f.owner_id)));
  must(tx.context().posts().create({.title = "Never kept"}));
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    must(f.db.close());
    closed = true;
  });
  closer.join();  // would hang if close waited for the handle
  CHECK(closed);
  CHECK_FALSE(tx.is_open());
  expect_error(tx.context().posts().list(), Errc::invalid_argument);
  expect_error(tx.commit(), Errc::invalid_argument);
  expect_error(f.db.begin(f.system), Errc::invalid_argument);
  if constexpr (!std::is_same_v<B, SqliteMemory>) {
    auto reopened = must(Database::open(f.kind.url(), test_options()));
    auto system = must(reopened.system("acme"));
    CHECK(must(system.posts().list()).items.empty());
  }
}

namespace {

// Runs `body`, and ends the whole test run if it has not returned within `seconds`: what it
// checks used to hang forever.
template <class Body>
void within_seconds(int seconds, Body&& body) {
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!done) {
      std::fprintf(stderr, "hung for %d s: a call waited for its own thread\n", seconds);
      std::_Exit(1);
    }
  });
  body();
  done = true;
  watchdog.join();
}

}  // namespace

TEST_CASE_TEMPLATE("transaction: close() inside a body refuses at once and closes nothing", B,
                   QUIRE_TEST_BACKENDS) {
  Newsroom<B> f;
  Result<void> closed = success();
  within_seconds(10, [&] {
    auto result = f.db.transaction(f.as(f.owner_id), [&](Context& tx) -> Result<void> {
      QUIRE_TRY(tx.posts().create({.title = "In the body"}));
      closed = f.db.close();
      return closed;
    });
    CHECK(expect_error(result, Errc::invalid_argument).find("inside a transaction body") !=
          std::string::npos);
  });
  expect_error(closed, Errc::invalid_argument);
  CHECK(f.db.is_open());
  CHECK(f.posts() == 0);  // the body failed, so it rolled back
  must(f.db.close());     // and out of the body, close works
}

TEST_CASE_TEMPLATE("transaction: close() from an operation's callback refuses at once", B,
                   QUIRE_TEST_BACKENDS) {
  Newsroom<B> f;
  auto owner = f.as(f.owner_id);
  must(owner.posts().create({.title = "Audited"}));
  std::vector<Result<void>> closes;
  within_seconds(10, [&] {
    must(owner.audit().export_to(ExportFormat::jsonl,
                                 [&](std::string_view) { closes.push_back(f.db.close()); }));
    // The same from inside a transaction: the callback runs in a unit joined to it.
    auto tx = must(f.db.begin(owner));
    must(tx.context().audit().export_to(ExportFormat::csv,
                                        [&](std::string_view) { closes.push_back(f.db.close()); }));
    CHECK(tx.is_open());
    must(tx.commit());
  });
  REQUIRE_FALSE(closes.empty());
  for (const auto& closed : closes) {
    CHECK(expect_error(closed, Errc::invalid_argument).find("inside an operation") !=
          std::string::npos);
  }
  CHECK(f.db.is_open());
  must(f.db.close());
}

TEST_CASE_TEMPLATE("transaction: another context's write inside a body fails at once", B,
                   SqliteFile) {
  Newsroom<B> f;
  auto other = f.as(f.owner_id);
  Result<Post> outside = fail(Errc::internal, "not run");
  Result<Post> from_callback = fail(Errc::internal, "not run");
  const auto started = std::chrono::steady_clock::now();
  must(f.db.transaction(f.as(f.owner_id), [&](Context& tx) -> Result<void> {
    QUIRE_TRY(tx.posts().create({.title = "Inside"}));
    outside = other.posts().create({.title = "Outside"});
    // And from a callback of an operation joined to the transaction.
    QUIRE_TRY(tx.audit().export_to(ExportFormat::jsonl, [&](std::string_view) {
      from_callback = other.posts().create({.title = "From the callback"});
    }));
    // Reads through another context do not wait for the writer.
    QUIRE_TRY(other.posts().list());
    return success();
  }));
  const auto waited = std::chrono::steady_clock::now() - started;
  for (const auto* result : {&outside, &from_callback}) {
    CHECK(expect_error(*result, Errc::invalid_argument)
              .find("this thread's own transaction holds the write lock: use the transaction's "
                    "context") != std::string::npos);
  }
  CHECK(waited < std::chrono::milliseconds(2000));  // not the 5 s busy timeout
  CHECK(f.posts() == 1);
}

TEST_CASE_TEMPLATE("transaction: a write waits for a handle another thread may still commit", B,
                   SqliteFile) {
  // A handle may end on another thread, so a write beside it on the thread that began it waits
  // (for the busy timeout) rather than being refused.
  Newsroom<B> f;
  auto other = f.as(f.owner_id);
  auto tx = must(f.db.begin(f.as(f.owner_id)));
  must(tx.context().posts().create({.title = "Inside"}));
  std::thread committer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    must(tx.commit());
  });
  auto outside = other.posts().create({.title = "Outside"});
  committer.join();
  must(std::move(outside));
  CHECK(f.posts() == 2);
}
