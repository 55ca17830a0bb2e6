// Several processes writing the same posts at once, each with its own Database, as application
// servers sharing one database do: optimistic concurrency (expected_version) with a retry on
// conflict must lose no update, number the versions without a gap, and leave an audit chain that
// verifies. On PostgreSQL this exercises SERIALIZABLE, the row lock a post update takes and the
// unit of work's retry of serialization failures; on a SQLite file, its single writer across
// processes.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

constexpr int processes = 4;
constexpr int posts_count = 3;
constexpr int updates_per_process = 12;

std::string marker(int process, int update) {
  return "p" + std::to_string(process) + "u" + std::to_string(update) + ";";
}

// One child's work: `updates_per_process` updates, spread over the posts, each appending its
// marker to the body; a conflict (another process updated first) or a busy database re-reads the
// post and tries again. Returns the exit status: 0 when every update landed.
int child(const std::string& url, UserId user, const std::vector<PostId>& posts, int process) {
  auto db = Database::open(url, test_options());
  if (!db) {
    std::fprintf(stderr, "child %d: open: %s\n", process, db.error().message.c_str());
    return 2;
  }
  auto ctx = db.value().context("acme", user);
  if (!ctx) {
    std::fprintf(stderr, "child %d: context: %s\n", process, ctx.error().message.c_str());
    return 3;
  }
  for (int update = 0; update < updates_per_process; ++update) {
    const auto id = posts[static_cast<std::size_t>((update + process) % posts_count)];
    bool done = false;
    for (int attempt = 0; attempt < 500 && !done; ++attempt) {
      auto post = ctx.value().posts().get(id);
      if (!post) {
        if (post.error().code == Errc::busy) continue;
        std::fprintf(stderr, "child %d: get: %s\n", process, post.error().message.c_str());
        return 4;
      }
      auto updated = ctx.value().posts().update(
          id, post.value().version, {.body = post.value().body + marker(process, update)});
      if (updated) {
        done = true;
      } else if (updated.error().code != Errc::conflict && updated.error().code != Errc::busy) {
        std::fprintf(stderr, "child %d: update: %s\n", process, updated.error().message.c_str());
        return 5;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(attempt % 5));
      }
    }
    if (!done) {
      std::fprintf(stderr, "child %d: update %d never landed\n", process, update);
      return 6;
    }
  }
  return 0;
}

}  // namespace

TEST_CASE_TEMPLATE("concurrency: four processes updating the same posts lose no update", B,
                   SqliteFile, PostgresServer) {
  B kind;
  const auto options = test_options();
  UserId owner = 0;
  std::vector<PostId> posts;
  {
    auto db = must(Database::open(kind.url(), options));
    auto system = db.system();
    must(system.tenants().create({.slug = "acme",
                                  .name = "Acme",
                                  .plan = "enterprise",
                                  .settings = R"({"version_retention":0})"}));
    owner = must(system.users().create(
                     {.username = "ann", .email = "ann@example.test", .password = "password-ann"}))
                .id;
    must(system.tenants().add_member("acme", owner, "owner"));
    auto ann = must(db.context("acme", owner));
    for (int i = 0; i < posts_count; ++i) {
      posts.push_back(
          must(ann.posts().create({.title = "Shared " + std::to_string(i), .body = ""})).id);
    }
  }  // closed before forking: every child opens its own connections

  std::vector<pid_t> children;
  for (int process = 0; process < processes; ++process) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) _exit(child(kind.url(), owner, posts, process));  // never back into doctest
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  auto db = must(Database::open(kind.url(), options));
  auto ann = must(db.context("acme", owner));
  std::int64_t updates = 0;
  std::set<std::string> seen;
  for (const auto id : posts) {
    const auto post = must(ann.posts().get(id));
    updates += post.version - 1;
    // Every update that landed is in the body: none was overwritten by a concurrent one.
    std::size_t at = 0;
    while (at < post.body.size()) {
      const auto end = post.body.find(';', at);
      REQUIRE(end != std::string::npos);
      CHECK(seen.insert(post.body.substr(at, end - at + 1)).second);
      at = end + 1;
    }
    // Versions 1 … N, without a gap or a duplicate.
    const auto versions = must(ann.versions().list(id));
    REQUIRE(versions.size() == static_cast<std::size_t>(post.version));
    for (std::size_t i = 0; i < versions.size(); ++i) {
      CHECK(versions[i].number == post.version - static_cast<std::int64_t>(i));
    }
  }
  CHECK(updates == processes * updates_per_process);
  CHECK(seen.size() == static_cast<std::size_t>(processes * updates_per_process));
  for (int process = 0; process < processes; ++process) {
    for (int update = 0; update < updates_per_process; ++update) {
      CHECK(seen.count(marker(process, update)) == 1);
    }
  }
  const auto verified = must(ann.audit().verify());
  CHECK_MESSAGE(verified.ok, verified.problem);
  const auto system_chain = must(db.system().audit().verify());
  CHECK_MESSAGE(system_chain.ok, system_chain.problem);
}

TEST_CASE("postgres: a serialization failure inside Database::transaction is busy, not retried") {
  EngineFixture<PostgresServer> f;
  must(f.system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"}));
  const auto ann = f.make_user("ann");
  must(f.system.tenants().add_member("acme", ann.id, "owner"));
  auto outside = must(f.db.context("acme", ann.id));
  auto other = must(f.db.context("acme", ann.id));  // a context of its own, outside the transaction
  const auto post = must(outside.posts().create({.title = "Contended", .body = "0"}));

  int runs = 0;
  auto result = f.db.transaction(outside, [&](Context& tx) -> Result<void> {
    ++runs;
    // The transaction's snapshot is taken at its first statement (reading the post would lock it,
    // in a write transaction); then another transaction changes the post and commits.
    QUIRE_TRY(tx.tenants().get("acme"));
    QUIRE_TRY(other.posts().update(post.id, post.version, {.body = "changed outside"}));
    // Changing the post as this snapshot saw it cannot serialize after that.
    QUIRE_TRY(tx.posts().update(post.id, post.version + 1, {.body = "changed inside"}));
    return success();
  });
  const auto message = expect_error(result, Errc::busy);
  CHECK(message.find("retry the whole transaction") != std::string::npos);
  CHECK(result.error().backend_detail.starts_with(storage::retryable_detail));
  CHECK(runs == 1);  // only the caller may run the whole transaction again
  CHECK(must(outside.posts().get(post.id)).body == "changed outside");
}
