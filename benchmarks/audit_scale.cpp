// How the audit trail scales (issue 5), through the public C++ API on one SQLite file:
//   verify   AuditEngine::verify() over a chain of --verify entries (100,000), and over the small
//            and large chains too: seconds, processor seconds and entries/s;
//   queries  the same AuditEngine::query calls (limit 50, as the tenant's admin) on a tenant of
//            --small entries (10,000) and one of --large entries (1,000,000), alternating rounds,
//            so both see the same cache and machine load: p50 and processor time per query, and
//            large ÷ small (target: 1, as fast over 1M entries as over 10k).
// The chains are made through the API as fast as it allows: the tenant's system context, in
// Database::transaction batches of --batch operations, each a grant then a revoke on one of
// --posts posts (two entries, resource "post"/id), a role.define every 1,000 entries (a rare
// action) and, after each batch, a permission denied to a viewer (a rare actor and outcome),
// audited in its own transaction. synchronous=NORMAL for the setup. Prints one JSON object.
//
//   audit_scale [--small N] [--large N] [--verify N] [--posts N] [--batch N] [--queries N]
//               [--rounds N] [--budget SECONDS] [--path FILE] [--keep 0|1] [--reuse 0|1]
//
// --keep 1 leaves the file; --reuse 1 then measures an existing file again without the setup.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <quire/quire.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/tool.hpp"
#include "common/workload.hpp"

namespace {

struct Args {
  std::int64_t small = 10000;
  std::int64_t large = 1000000;
  std::int64_t verify = 100000;
  std::size_t posts = 100;
  std::size_t batch = 2000;    // operations per explicit transaction
  std::size_t queries = 1000;  // per kind, tenant and round, unless --budget runs out first
  int rounds = 3;
  double budget = 1.0;  // seconds per kind, tenant and round
  std::string path = "audit_scale.db";
  bool keep = false;
  bool reuse = false;
};

Args parse(int argc, char** argv) {
  Args args;
  tool::parse_flags(argc, argv,
                    {{"--small", tool::number(args.small)},
                     {"--large", tool::number(args.large)},
                     {"--verify", tool::number(args.verify)},
                     {"--posts", tool::number(args.posts)},
                     {"--batch", tool::number(args.batch)},
                     {"--queries", tool::number(args.queries)},
                     {"--rounds", tool::number(args.rounds)},
                     {"--budget", tool::number(args.budget)},
                     {"--keep", tool::number(args.keep)},
                     {"--reuse", tool::number(args.reuse)},
                     {"--path", tool::text(args.path)}},
                    "[--small N] [--large N] [--verify N] [--posts N] [--batch N] [--queries N]"
                    " [--rounds N] [--budget SECONDS] [--path FILE] [--keep 0|1] [--reuse 0|1]");
  tool::require(args.small > 0 && args.large > 0 && args.verify > 0 && args.posts > 0 &&
                    args.batch > 0 && args.queries > 0 && args.rounds > 0 && args.budget > 0,
                "audit_scale", "every count must be positive");
  return args;
}

using tool::median;
using tool::must;

double seconds_since(w1::Clock::time_point start) {
  return std::chrono::duration<double>(w1::Clock::now() - start).count();
}

// One tenant and its chain.
struct Chain {
  std::string slug;
  std::int64_t target = 0;
  quire::Context admin;  // a member with audit.read: every query and verify runs as them
  quire::Context viewer;
  quire::Context system;  // the tenant's system context: the setup's writer
  quire::UserId viewer_id = 0;
  std::vector<std::string> posts;  // ids, as resource ids
  std::int64_t entries = 0;
  double setup_seconds = 0;
  double setup_cpu = 0;
};

quire::Context member_context(const quire::Database& db, const std::string& slug,
                              std::string_view role, quire::UserId* id = nullptr) {
  auto system = db.system();
  for (const auto& member : must(system.tenants().members(slug), "members")) {
    if (member.role != role) continue;
    if (id != nullptr) *id = member.user_id;
    return must(db.context(slug, member.user_id), "context");
  }
  std::fprintf(stderr, "audit_scale: tenant %s has no %s\n", slug.c_str(),
               std::string(role).c_str());
  std::exit(1);
}

// The tenant, its admin and viewer, and its posts; nothing if --reuse finds them there already.
Chain open_chain(quire::Database& db, const std::string& slug, std::int64_t target,
                 std::size_t posts, bool reuse) {
  auto system = db.system();
  if (!reuse) {
    must(system.tenants().create({.slug = slug, .name = "Tenant " + slug, .plan = "enterprise"}),
         "create tenant");
    for (const char* role : {"admin", "viewer"}) {
      const std::string name = slug + "-" + role;
      auto user = must(system.users().create({.username = name,
                                              .email = name + "@audit.test",
                                              .password = "audit benchmark password"}),
                       "create user");
      must(system.tenants().add_member(slug, user.id, role), "add member");
    }
  }
  Chain chain{slug, target, member_context(db, slug, "admin"), quire::Context(nullptr),
              must(db.system(slug), "system context")};
  chain.viewer = member_context(db, slug, "viewer", &chain.viewer_id);
  if (reuse) {
    auto page = must(chain.system.posts().list({.order = quire::PostOrder::updated_asc,
                                                .limit = static_cast<unsigned>(posts)}),
                     "list posts");
    for (const auto& post : page.items) chain.posts.push_back(std::to_string(post.id));
  } else {
    w1::Rng rng(w1::seed);
    const w1::Vocabulary vocab(rng);
    for (std::size_t i = 0; i < posts; ++i) {
      auto post =
          must(chain.system.posts().create({.title = w1::make_title(vocab, rng), .body = "Short."}),
               "create post");
      chain.posts.push_back(std::to_string(post.id));
    }
  }
  return chain;
}

// Appends entries to the chain until it holds `target`, by the cheapest audited operations.
void fill(quire::Database& db, Chain& chain, std::size_t batch_size) {
  const double cpu = w1::cpu_now();
  const auto start = w1::Clock::now();
  auto head = must(chain.system.audit().head(), "head").seq;
  const std::int64_t before = head;
  std::size_t next = 0;                    // the post the next grant is about
  std::optional<quire::ResourceRef> held;  // granted, to be revoked by the next operation
  // One entry per operation: a role.define on every 1,000th seq, else a grant or its revoke.
  const auto append = [&](quire::PermissionEngine& permissions,
                          std::int64_t seq) -> quire::Result<void> {
    if (seq % 1000 == 0) {
      auto role = permissions.define_role("reviewer", {"post.read"});
      if (!role) return role.error();
    } else if (held) {
      auto revoked = permissions.revoke(chain.viewer_id, *held);
      if (!revoked) return revoked.error();
      held.reset();
    } else {
      held = quire::ResourceRef{"post", chain.posts[next++ % chain.posts.size()]};
      auto granted = permissions.grant(chain.viewer_id, *held, quire::GrantLevel::write);
      if (!granted) return granted.error();
    }
    return quire::success();
  };
  while (head < chain.target) {
    const auto batch =
        std::min<std::int64_t>(static_cast<std::int64_t>(batch_size), chain.target - head);
    must(db.transaction(chain.system,
                        [&](quire::Context& ctx) -> quire::Result<void> {
                          auto permissions = ctx.permissions();
                          for (std::int64_t n = 0; n < batch; ++n) {
                            auto appended = append(permissions, head + n + 1);
                            if (!appended) return appended;
                          }
                          return quire::success();
                        }),
         "batch");
    head += batch;
    // A denial, audited in a transaction of its own: the rare actor and outcome.
    if (head < chain.target) {
      auto denied = chain.viewer.permissions().grant(chain.viewer_id, {"post", chain.posts.front()},
                                                     quire::GrantLevel::read);
      if (denied || denied.error().code != quire::Errc::permission_denied) {
        std::fprintf(stderr, "audit_scale: a viewer's grant was not denied\n");
        std::exit(1);
      }
      ++head;
    }
  }
  chain.entries = must(chain.system.audit().head(), "head").seq;
  if (chain.entries < chain.target) {
    std::fprintf(stderr, "audit_scale: chain %s has %lld entries, expected %lld\n",
                 chain.slug.c_str(), static_cast<long long>(chain.entries),
                 static_cast<long long>(chain.target));
    std::exit(1);
  }
  chain.setup_seconds = before == chain.entries ? 0 : seconds_since(start);
  chain.setup_cpu = before == chain.entries ? 0 : w1::cpu_now() - cpu;
}

struct Verified {
  std::string slug;
  std::int64_t checked = 0;
  double seconds = 0;
  double cpu = 0;
  bool ok = false;
};

Verified verify(Chain& chain) {
  const double cpu = w1::cpu_now();
  const auto start = w1::Clock::now();
  const auto result = must(chain.admin.audit().verify(), "verify");
  return {chain.slug, result.checked, seconds_since(start), w1::cpu_now() - cpu, result.ok};
}

struct Kind {
  const char* name;
  quire::AuditQuery (*make)(const Chain&, w1::Rng&);
};

const Kind kinds[] = {
    {"first_page", [](const Chain&, w1::Rng&) { return quire::AuditQuery{}; }},
    {"resource",  // one post's history: resource_type + resource_id
     [](const Chain& c, w1::Rng& rng) {
       return quire::AuditQuery{.resource_type = "post",
                                .resource_id = c.posts[rng.below(c.posts.size())]};
     }},
    {"action", [](const Chain&, w1::Rng&) { return quire::AuditQuery{.action = "grant.revoke"}; }},
    {"resource_type",  // W1's audit phase
     [](const Chain&, w1::Rng&) { return quire::AuditQuery{.resource_type = "post"}; }},
    {"rare_action",  // 1 entry in 1,000
     [](const Chain&, w1::Rng&) { return quire::AuditQuery{.action = "role.define"}; }},
    {"rare_actor",  // the viewer's denials: 1 entry per batch
     [](const Chain& c, w1::Rng&) {
       return quire::AuditQuery{.actor_type = quire::ActorType::user, .actor_id = c.viewer_id};
     }},
    {"outcome_denied",  // the same entries, by outcome
     [](const Chain&, w1::Rng&) { return quire::AuditQuery{.outcome = "denied"}; }},
};
constexpr std::size_t kind_count = std::size(kinds);

struct Side {
  std::vector<double> latencies;  // microseconds
  double cpu = 0;
  std::size_t items = 0;  // of the last query
};

void run_kind(const Kind& kind, Chain& chain, Side& side, const Args& args, std::uint64_t seed) {
  w1::Rng rng(seed);  // the same resources, in the same order, on both tenants
  auto audit = chain.admin.audit();
  const double cpu = w1::cpu_now();
  const auto start = w1::Clock::now();
  for (std::size_t i = 0; i < args.queries; ++i) {
    if (i >= 3 && seconds_since(start) > args.budget) break;
    const auto query = kind.make(chain, rng);
    const auto begin = w1::Clock::now();
    auto page = must(audit.query(query), kind.name);
    side.latencies.push_back(
        std::chrono::duration<double, std::micro>(w1::Clock::now() - begin).count());
    side.items = page.items.size();
  }
  side.cpu += w1::cpu_now() - cpu;
}

// {"tenant", "entries", "seconds", "cpu_seconds", "entries_per_s"} and `more` fields.
std::string timing_json(const std::string& slug, std::int64_t entries, double seconds, double cpu,
                        std::string_view more = "") {
  const double rate = seconds > 0 ? static_cast<double>(entries) / seconds : 0;
  char out[320];
  std::snprintf(out, sizeof out,
                "{\"tenant\":\"%s\",\"entries\":%lld,\"seconds\":%.3f,\"cpu_seconds\":%.3f,"
                "\"entries_per_s\":%.0f%.*s}",
                slug.c_str(), static_cast<long long>(entries), seconds, cpu, rate,
                static_cast<int>(more.size()), more.data());
  return out;
}

std::string verified_json(const Verified& v) {
  return timing_json(v.slug, v.checked, v.seconds, v.cpu, v.ok ? ",\"ok\":true" : ",\"ok\":false");
}

std::string setup_json(const Chain& c) {
  return timing_json(c.slug, c.entries, c.setup_seconds, c.setup_cpu);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const std::string load_start = w1::load_average();
  const bool reuse = args.reuse && std::filesystem::exists(args.path);
  if (!reuse) w1::remove_database(args.path);

  quire::Options options;
  options.synchronous = quire::Synchronous::normal;
  options.passwords.opslimit = 2;
  options.passwords.memlimit = std::size_t{19} * 1024 * 1024;
  auto db = must(quire::Database::open("sqlite:" + args.path, options), "open");

  const auto setup_start = w1::Clock::now();
  std::vector<Chain> chains;
  chains.push_back(open_chain(db, "small", args.small, args.posts, reuse));
  chains.push_back(open_chain(db, "verify", args.verify, args.posts, reuse));
  chains.push_back(open_chain(db, "large", args.large, args.posts, reuse));
  for (auto& chain : chains) {
    fill(db, chain, args.batch);
    std::fprintf(stderr, "audit_scale: %s\n", setup_json(chain).c_str());
  }
  const double setup_seconds = seconds_since(setup_start);
  Chain& small = chains[0];
  Chain& large = chains[2];

  // Verify: the 100k chain is the figure asked for; the others show how it grows.
  std::vector<Verified> verified;
  for (auto& chain : chains) verified.push_back(verify(chain));

  // Queries, alternating which tenant goes first.
  std::vector<Side> on_small(kind_count), on_large(kind_count);
  for (std::size_t k = 0; k < kind_count; ++k) {  // warm-up, not counted
    Side warm;
    Args once = args;
    once.queries = 20;
    run_kind(kinds[k], small, warm, once, 1);
    run_kind(kinds[k], large, warm, once, 1);
  }
  for (int r = 0; r < args.rounds; ++r) {
    for (std::size_t k = 0; k < kind_count; ++k) {
      const auto seed = 100 + static_cast<std::uint64_t>(r);
      if (r % 2 == 0) {
        run_kind(kinds[k], small, on_small[k], args, seed);
        run_kind(kinds[k], large, on_large[k], args, seed);
      } else {
        run_kind(kinds[k], large, on_large[k], args, seed);
        run_kind(kinds[k], small, on_small[k], args, seed);
      }
    }
  }

  std::printf(
      "{\"benchmark\":\"audit_scale\",\"backend\":\"sqlite\",\"synchronous\":\"normal\","
      "\"posts_per_tenant\":%zu,\"batch\":%zu,\"setup_seconds\":%.1f,\"setup\":[",
      args.posts, args.batch, setup_seconds);
  for (std::size_t i = 0; i < chains.size(); ++i) {
    std::printf("%s%s", i ? "," : "", setup_json(chains[i]).c_str());
  }
  std::printf("],\n\"verify\":[");
  for (std::size_t i = 0; i < verified.size(); ++i) {
    std::printf("%s%s", i ? "," : "", verified_json(verified[i]).c_str());
  }
  std::printf("],\n\"queries\":[\n");
  for (std::size_t k = 0; k < kind_count; ++k) {
    const auto& s = on_small[k];
    const auto& l = on_large[k];
    const double s_p50 = median(s.latencies);
    const double l_p50 = median(l.latencies);
    const double s_cpu = s.cpu * 1e6 / static_cast<double>(s.latencies.size());
    const double l_cpu = l.cpu * 1e6 / static_cast<double>(l.latencies.size());
    std::printf(
        " {\"kind\":\"%s\",\"small\":{\"entries\":%lld,\"n\":%zu,\"items\":%zu,\"p50_us\":%.1f,"
        "\"cpu_us\":%.1f},\"large\":{\"entries\":%lld,\"n\":%zu,\"items\":%zu,\"p50_us\":%.1f,"
        "\"cpu_us\":%.1f},\"ratio_p50\":%.2f,\"ratio_cpu\":%.2f}%s\n",
        kinds[k].name, static_cast<long long>(small.entries), s.latencies.size(), s.items, s_p50,
        s_cpu, static_cast<long long>(large.entries), l.latencies.size(), l.items, l_p50, l_cpu,
        l_p50 / s_p50, l_cpu / s_cpu, k + 1 < kind_count ? "," : "");
  }
  std::printf(
      "],\"target_ratio\":1.0,\"db_bytes\":%ju,\"load_start\":\"%s\",\"load_end\":\"%s\","
      "\"nproc\":%ld}\n",
      w1::file_size(args.path) + w1::file_size(args.path + "-wal"), load_start.c_str(),
      w1::load_average().c_str(), sysconf(_SC_NPROCESSORS_ONLN));

  (void)db.close();  // not inside an operation: cannot fail
  if (!args.keep) w1::remove_database(args.path);
  return 0;
}
