// What permission checks cost (issue 6), through the public C++ API on one SQLite file
// (synchronous=NORMAL, as W1's main run):
//   micro   PermissionEngine::check() alone, many calls each, alternating rounds: "post.update" on
//           a post by an author on someone else's post (denied), on their own post, on someone
//           else's post they hold a write grant on, by an editor (the role decides), and
//           "post.create" with no resource (role only). Median and processor time per call
//           (target: median under 2 µs), for check() on its own (a read transaction per call) and
//           for check() inside a transaction already open (Database::transaction), which is how
//           every operation checks: in the hot path.
//   floor   The least a check() on its own could cost: a read transaction by hand on the sqlite3
//           C API, on a read-only connection to the same file (BEGIN, one prepared point lookup
//           of a post's author and status, COMMIT), timed the same way; check() ÷ floor.
//   writes  W1's write phases (create, update, publish; w1::make_create and W1's choice of posts
//           and actors) done twice with the same data: as the tenants' members (every call checks
//           membership, role and ownership) and as each tenant's system context, which skips
//           permission checks but writes the same rows, versions and audit entries. Each side has
//           tenants of its own; rounds alternate which side goes first. p50, mean and processor
//           time per operation, and checked ÷ unchecked (target: at most 1.10).
// Prints one JSON object.
//
//   check_cost [--calls N] [--rounds N] [--tenants N] [--creates N] [--updates N] [--publishes N]
//              [--path FILE]

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <quire/quire.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/tool.hpp"
#include "common/workload.hpp"

namespace {

struct Args {
  std::size_t calls = 50000;  // per check case and round
  int rounds = 5;
  int tenants = 4;              // per side
  std::size_t creates = 400;    // per round and side
  std::size_t updates = 400;    // per round and side
  std::size_t publishes = 100;  // per round and side
  std::string path = "check_cost.db";
};

Args parse(int argc, char** argv) {
  Args args;
  tool::parse_flags(argc, argv,
                    {{"--calls", tool::number(args.calls)},
                     {"--rounds", tool::number(args.rounds)},
                     {"--tenants", tool::number(args.tenants)},
                     {"--creates", tool::number(args.creates)},
                     {"--updates", tool::number(args.updates)},
                     {"--publishes", tool::number(args.publishes)},
                     {"--path", tool::text(args.path)}},
                    "[--calls N] [--rounds N] [--tenants N] [--creates N] [--updates N]"
                    " [--publishes N] [--path FILE]");
  tool::require(args.calls > 0 && args.rounds > 0 && args.tenants > 0 && args.creates > 0 &&
                    args.updates > 0 && args.publishes > 0,
                "check_cost", "every count must be positive");
  return args;
}

using tool::median;
using tool::must;

double mean(const std::vector<double>& values) {
  double total = 0;
  for (double v : values) total += v;
  return values.empty() ? 0 : total / static_cast<double>(values.size());
}

struct Side {
  std::vector<double> latencies;  // microseconds
  double cpu = 0;                 // seconds
  std::size_t errors = 0;
  std::string first_error;

  double cpu_us() const { return latencies.empty() ? 0 : cpu * 1e6 / double(latencies.size()); }
  template <class T>
  void note(const quire::Result<T>& result) {
    if (result) return;
    if (errors++ == 0) first_error = result.error().message;
  }
};

// Times `op` over `items`, one call each.
template <class Item, class Op>
void timed(Side& side, const std::vector<Item>& items, Op&& op) {
  const double cpu = w1::cpu_now();
  for (const auto& item : items) {
    const auto begin = w1::Clock::now();
    op(item);
    side.latencies.push_back(
        std::chrono::duration<double, std::micro>(w1::Clock::now() - begin).count());
  }
  side.cpu += w1::cpu_now() - cpu;
}

// ---- the micro-benchmark of check() ------------------------------------------------------------

struct Case {
  const char* name;
  quire::Context ctx;
  const char* permission;
  std::optional<quire::ResourceRef> resource;
  bool expected;
  Side side;   // check() on its own: a read transaction per call
  Side inner;  // check() inside a transaction already open, as every operation checks
};

// ---- the floor: a read transaction by hand -----------------------------------------------------

// BEGIN, the point lookup of a post's author and status, COMMIT: the shape of one check() on its
// own, without quire, on a read-only connection of its own.
Side read_transaction_floor(const std::string& path, std::int64_t post, std::size_t calls,
                            int rounds) {
  sqlite3* db = nullptr;
  tool::require(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK,
                "check_cost", "cannot open the file read-only");
  sqlite3_stmt* statements[3] = {};
  const char* sql[3] = {"BEGIN", "SELECT author_id, status FROM posts WHERE id = ?1", "COMMIT"};
  for (int i = 0; i < 3; ++i) {
    tool::require(sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &statements[i],
                                     nullptr) == SQLITE_OK,
                  "check_cost", sqlite3_errmsg(db));
  }
  sqlite3_bind_int64(statements[1], 1, post);
  Side side;
  std::int64_t seen = 0;
  const std::vector<int> items(calls);
  for (int r = 0; r < rounds; ++r) {
    timed(side, items, [&](int) {
      for (auto* statement : statements) {
        if (sqlite3_step(statement) == SQLITE_ROW) seen += sqlite3_column_int64(statement, 0);
        sqlite3_reset(statement);
      }
    });
  }
  for (auto* statement : statements) sqlite3_finalize(statement);
  sqlite3_close(db);
  tool::require(seen > 0, "check_cost", "the floor's lookup found no post");
  return side;
}

// ---- W1's write phases, checked and unchecked --------------------------------------------------

// One side's tenants and what it remembers of its posts.
struct Writer {
  const char* name;
  bool checked;
  std::vector<std::string> slugs;               // its tenants
  std::vector<std::vector<quire::Context>> as;  // [tenant][user]; all the system context if not
  std::vector<w1::PostState> posts;
  Side create, update, publish;

  quire::Context& ctx(int tenant, int actor) {
    return as[static_cast<std::size_t>(tenant)][static_cast<std::size_t>(actor)];
  }
};

Writer make_writer(quire::Database& db, const char* name, bool checked, int tenants) {
  Writer w{name, checked, {}, {}, {}, {}, {}, {}};
  auto system = db.system();
  for (int t = 0; t < tenants; ++t) {
    const std::string slug = std::string(name) + "-" + w1::tenant_slug(t);
    must(system.tenants().create({.slug = slug, .name = "Tenant " + slug, .plan = "enterprise"}),
         "create tenant");
    w.slugs.push_back(slug);
    w.as.emplace_back();
    for (int u = 0; u < w1::users_per_tenant; ++u) {
      const std::string user_name = slug + "-" + w1::user_names[static_cast<std::size_t>(u)];
      auto user = must(system.users().create({.username = user_name,
                                              .email = user_name + "@check.test",
                                              .password = "check benchmark password"}),
                       "create user");
      must(system.tenants().add_member(slug, user.id, w1::user_roles[static_cast<std::size_t>(u)]),
           "add member");
      w.as.back().push_back(checked ? must(db.context(slug, user.id), "context")
                                    : must(db.system(slug), "system context"));
    }
  }
  return w;
}

// The operations of one round, the same for both sides: drawn from the round's seed.
struct Round {
  std::vector<w1::CreateOp> creates;
  std::vector<std::pair<std::size_t, w1::UpdateOp>> updates;  // index into posts, op
  std::vector<std::pair<std::size_t, int>> publishes;         // index into posts, actor
};

void run_creates(Writer& w, const std::vector<w1::CreateOp>& ops, int tenants) {
  timed(w.create, ops, [&](const w1::CreateOp& op) {
    const int tenant = op.tenant % tenants;
    auto post = w.ctx(tenant, op.actor)
                    .posts()
                    .create({.title = op.title,
                             .body = op.body,
                             .tags = op.tags,
                             .category = std::optional<std::string>(op.category)});
    w.create.note(post);
    // Failed creates still take a place, so both sides keep the same indexes.
    w.posts.push_back(
        {tenant, op.actor, post ? post.value().id : 0, post ? post.value().slug : "", 1, false});
  });
}

void run_updates(Writer& w, const std::vector<std::pair<std::size_t, w1::UpdateOp>>& ops) {
  timed(w.update, ops, [&](const std::pair<std::size_t, w1::UpdateOp>& item) {
    auto& post = w.posts[item.first];
    const auto& op = item.second;
    auto updated = w.ctx(post.tenant, op.actor)
                       .posts()
                       .update(post.id, post.version, {.title = op.title, .body = op.body});
    w.update.note(updated);
    if (updated) post.version = updated.value().version;
  });
}

void run_publishes(Writer& w, const std::vector<std::pair<std::size_t, int>>& ops) {
  timed(w.publish, ops, [&](const std::pair<std::size_t, int>& item) {
    auto& post = w.posts[item.first];
    auto published = w.ctx(post.tenant, item.second).posts().publish(post.id);
    w.publish.note(published);
    if (published) post.published = true;
  });
}

// Draws a round's operations over `posts` (both sides' lists have the same shape).
Round draw_round(const w1::Vocabulary& vocab, std::uint64_t seed, std::size_t first,
                 const std::vector<w1::PostState>& before, const Args& args) {
  w1::Rng rng(seed);
  Round round;
  for (std::size_t i = 0; i < args.creates; ++i) {
    round.creates.push_back(w1::make_create(vocab, rng, first + i));
  }
  // Posts as they will be after the creates: the shape only (tenant, author), for the actors.
  std::vector<w1::PostState> shape = before;
  for (const auto& op : round.creates) {
    shape.push_back({op.tenant % args.tenants, op.actor, 0, "", 1, false});
  }
  for (std::size_t i = 0; i < args.updates; ++i) {
    const auto at = static_cast<std::size_t>(rng.below(shape.size()));
    w1::UpdateOp op{nullptr, w1::editor_or_author(rng, shape[at]), 0, w1::make_title(vocab, rng),
                    w1::make_body(vocab, rng)};
    round.updates.emplace_back(at, std::move(op));
  }
  std::vector<bool> picked(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) picked[i] = shape[i].published;
  for (std::size_t i = 0, tries = 0; i < args.publishes && tries < 100 * args.publishes; ++tries) {
    const auto at = static_cast<std::size_t>(rng.below(shape.size()));
    if (picked[at]) continue;
    picked[at] = true;
    round.publishes.emplace_back(at, w1::editor_or_author(rng, shape[at]));
    ++i;
  }
  return round;
}

std::string side_json(const Side& s) {
  char out[256];
  std::snprintf(out, sizeof out,
                "{\"n\":%zu,\"p50_us\":%.1f,\"mean_us\":%.1f,\"cpu_us\":%.1f,\"errors\":%zu}",
                s.latencies.size(), median(s.latencies), mean(s.latencies), s.cpu_us(), s.errors);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const std::string load_start = w1::load_average();
  w1::remove_database(args.path);

  quire::Options options;
  options.synchronous = quire::Synchronous::normal;
  options.passwords.opslimit = 2;
  options.passwords.memlimit = std::size_t{19} * 1024 * 1024;
  options.passwords.max_concurrent = 1;
  auto db = must(quire::Database::open("sqlite:" + args.path, options), "open");

  Writer checked = make_writer(db, "checked", true, args.tenants);
  Writer unchecked = make_writer(db, "system", false, args.tenants);
  w1::Rng rng(w1::seed);
  const w1::Vocabulary vocab(rng);

  // ---- writes: W1's create, update and publish, checked and unchecked, alternating ------------
  for (int r = 0; r < args.rounds; ++r) {
    const auto round = draw_round(vocab, w1::seed + 1 + static_cast<std::uint64_t>(r),
                                  static_cast<std::size_t>(r) * args.creates, checked.posts, args);
    Writer* order[2] = {&checked, &unchecked};
    if (r % 2 == 1) std::swap(order[0], order[1]);
    for (auto* w : order) run_creates(*w, round.creates, args.tenants);
    for (auto* w : order) run_updates(*w, round.updates);
    for (auto* w : order) run_publishes(*w, round.publishes);
  }
  for (const auto* w : {&checked, &unchecked}) {
    for (const auto* side : {&w->create, &w->update, &w->publish}) {
      if (side->errors > 0) {
        std::fprintf(stderr, "check_cost: %s: %zu errors, first: %s\n", w->name, side->errors,
                     side->first_error.c_str());
      }
    }
  }

  // ---- micro: check() alone, on the posts the checked side made -------------------------------
  // Tenant 0 of the checked side: its author1 (index 3) and author2 (index 4), and an editor.
  const auto& posts = checked.posts;
  const auto post_of = [&](int author) -> std::string {
    for (const auto& p : posts) {
      if (p.tenant == 0 && p.author == author && p.id != 0) return std::to_string(p.id);
    }
    std::fprintf(stderr, "check_cost: tenant 0 has no post by user %d\n", author);
    std::exit(1);
  };
  const std::string own = post_of(3);
  std::string others;
  std::string granted;
  for (const auto& p : posts) {  // two posts of author2's: one granted, one not
    if (p.tenant != 0 || p.author != 4 || p.id == 0) continue;
    (granted.empty() ? granted : others) = std::to_string(p.id);
    if (!others.empty()) break;
  }
  if (others.empty()) {
    std::fprintf(stderr, "check_cost: tenant 0 needs two posts by author2\n");
    std::exit(1);
  }
  auto author1 = checked.ctx(0, 3);
  // The admin grants author1 write on `granted`; every other check stands on roles and ownership.
  const auto author1_id = author1.actor().id;
  must(checked.ctx(0, 0).permissions().grant(author1_id, {"post", granted},
                                             quire::GrantLevel::write),
       "grant");
  std::vector<Case> cases;
  cases.push_back(
      {"author_others_post", author1, "post.update", {{"post", others}}, false, {}, {}});
  cases.push_back({"author_own_post", author1, "post.update", {{"post", own}}, true, {}, {}});
  cases.push_back(
      {"author_granted_post", author1, "post.update", {{"post", granted}}, true, {}, {}});
  cases.push_back(
      {"editor_any_post", checked.ctx(0, 1), "post.update", {{"post", others}}, true, {}, {}});
  cases.push_back({"role_only", author1, "post.create", std::nullopt, true, {}, {}});
  std::vector<int> calls(args.calls);
  for (auto& c : cases) {  // warm-up, and the decision must be the expected one
    auto decision = must(c.ctx.permissions().check(c.permission, c.resource), c.name);
    if (decision.allowed != c.expected) {
      std::fprintf(stderr, "check_cost: %s: unexpected decision: %s\n", c.name,
                   decision.reason.c_str());
      std::exit(1);
    }
    for (int i = 0; i < 1000; ++i) (void)c.ctx.permissions().check(c.permission, c.resource);
  }
  for (int r = 0; r < args.rounds; ++r) {
    for (std::size_t k = 0; k < cases.size(); ++k) {
      auto& c = cases[(k + static_cast<std::size_t>(r)) % cases.size()];
      auto engine = c.ctx.permissions();
      timed(c.side, calls, [&](int) { c.side.note(engine.check(c.permission, c.resource)); });
      must(db.transaction(c.ctx,
                          [&](quire::Context& tx) -> quire::Result<void> {
                            auto inner = tx.permissions();
                            timed(c.inner, calls, [&](int) {
                              c.inner.note(inner.check(c.permission, c.resource));
                            });
                            return quire::success();
                          }),
           "transaction");
    }
  }

  const Side floor = read_transaction_floor(args.path, std::stoll(own), args.calls, args.rounds);

  // ---- the report ------------------------------------------------------------------------------
  std::printf(
      "{\"benchmark\":\"check_cost\",\"backend\":\"sqlite\",\"synchronous\":\"normal\","
      "\"rounds\":%d,\n\"check\":[\n",
      args.rounds);
  const auto side_of = [](const Side& s) {
    char out[200];
    const double p50 = median(s.latencies);
    std::snprintf(out, sizeof out,
                  "{\"n\":%zu,\"p50_us\":%.3f,\"mean_us\":%.3f,\"cpu_us\":%.3f,\"errors\":%zu,"
                  "\"under_2us\":%s}",
                  s.latencies.size(), p50, mean(s.latencies), s.cpu_us(), s.errors,
                  p50 < 2.0 ? "true" : "false");
    return std::string(out);
  };
  for (std::size_t k = 0; k < cases.size(); ++k) {
    std::printf(
        " {\"case\":\"%s\",\"permission\":\"%s\",\"allowed\":%s,\"alone\":%s,"
        "\"in_transaction\":%s}%s\n",
        cases[k].name, cases[k].permission, cases[k].expected ? "true" : "false",
        side_of(cases[k].side).c_str(), side_of(cases[k].inner).c_str(),
        k + 1 < cases.size() ? "," : "");
  }
  std::printf("],\n\"floor\":{\"read_transaction_by_hand\":%s,\"check_alone_p50_over_floor\":[",
              side_of(floor).c_str());
  for (std::size_t k = 0; k < cases.size(); ++k) {
    std::printf("%.2f%s", median(cases[k].side.latencies) / median(floor.latencies),
                k + 1 < cases.size() ? "," : "");
  }
  std::printf("]},\n\"writes\":{\"tenants_per_side\":%d,\"posts_per_side\":%zu,\"phases\":[\n",
              args.tenants, checked.posts.size());
  const std::pair<const char*, Side Writer::*> phases[] = {
      {"create", &Writer::create}, {"update", &Writer::update}, {"publish", &Writer::publish}};
  for (std::size_t i = 0; i < std::size(phases); ++i) {
    const Side& on = checked.*phases[i].second;
    const Side& off = unchecked.*phases[i].second;
    std::printf(
        " {\"phase\":\"%s\",\"checked\":%s,\"system\":%s,\"ratio_p50\":%.3f,\"ratio_mean\":%.3f,"
        "\"ratio_cpu\":%.3f}%s\n",
        phases[i].first, side_json(on).c_str(), side_json(off).c_str(),
        median(on.latencies) / median(off.latencies), mean(on.latencies) / mean(off.latencies),
        on.cpu_us() / off.cpu_us(), i + 1 < std::size(phases) ? "," : "");
  }
  std::printf(
      "]},\"targets\":{\"check_p50_us\":2.0,\"write_ratio\":1.10},\"load_start\":\"%s\","
      "\"load_end\":\"%s\",\"nproc\":%ld}\n",
      load_start.c_str(), w1::load_average().c_str(), sysconf(_SC_NPROCESSORS_ONLN));

  (void)db.close();  // not inside an operation: cannot fail
  w1::remove_database(args.path);
  return 0;
}
