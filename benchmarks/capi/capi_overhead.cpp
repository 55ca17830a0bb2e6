// What the C ABI costs over the C++ API on W1's get phase: the same get_by_slug calls on the same
// SQLite file, once through quire::Context and once through quire.h (JSON out, a string to free),
// alternating rounds in one process so both see the same page cache and machine load. Prints one
// JSON object: p50 and processor time per call for each, and their ratios (target: under 1.3).
//
//   capi_overhead [--posts N] [--calls N] [--rounds N] [--path FILE]

#include <quire.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <quire/quire.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/tool.hpp"
#include "common/workload.hpp"

namespace {

struct Args {
  std::size_t posts = 2000;
  std::size_t calls = 20000;  // per round and API
  int rounds = 5;
  std::string path = "capi_overhead.db";
};

Args parse(int argc, char** argv) {
  Args args;
  tool::parse_flags(argc, argv,
                    {{"--posts", tool::number(args.posts)},
                     {"--calls", tool::number(args.calls)},
                     {"--rounds", tool::number(args.rounds)},
                     {"--path", tool::text(args.path)}},
                    "[--posts N] [--calls N] [--rounds N] [--path FILE]");
  tool::require(args.posts > 0 && args.calls > 0 && args.rounds > 0, "capi_overhead",
                "--posts, --calls and --rounds must be positive");
  return args;
}

using tool::median;
using tool::must;

void must_c(quire_status status, const char* what) {
  if (status != QUIRE_OK) {
    std::fprintf(stderr, "capi_overhead: %s: %s\n", what, quire_last_error_message());
    std::exit(1);
  }
}

// Every post of W1's generator in one tenant, made by its editor; returns the slugs.
std::vector<std::string> populate(quire::Database& db, std::size_t posts, quire::UserId& editor) {
  auto system = db.system();
  must(system.tenants().create({.slug = "t00", .name = "Tenant t00", .plan = "enterprise"}),
       "create tenant");
  auto user = must(
      system.users().create(
          {.username = "editor1", .email = "editor1@w1.test", .password = "w1 benchmark password"}),
      "create user");
  must(system.tenants().add_member("t00", user.id, "editor"), "add member");
  editor = user.id;
  auto ctx = must(db.context("t00", user.id), "context");
  w1::Rng rng(w1::seed);
  const w1::Vocabulary vocab(rng);
  std::vector<std::string> slugs;
  for (std::size_t i = 0; i < posts; ++i) {
    auto op = w1::make_create(vocab, rng, i);
    auto post = must(ctx.posts().create({.title = op.title,
                                         .body = op.body,
                                         .tags = op.tags,
                                         .category = std::optional<std::string>(op.category)}),
                     "create post");
    slugs.push_back(std::move(post.slug));
  }
  return slugs;
}

struct Side {
  const char* name;
  std::vector<double> latencies;  // microseconds, every call of every round
  double cpu = 0;                 // seconds
};

template <class Get>
void round(Side& side, const std::vector<std::string>& slugs, std::size_t calls, Get&& get) {
  w1::Rng pick(7);  // the same slugs in the same order on both sides
  const double start = w1::cpu_now();
  for (std::size_t i = 0; i < calls; ++i) {
    const auto& slug = slugs[pick.below(slugs.size())];
    const auto begin = std::chrono::steady_clock::now();
    get(slug);
    side.latencies.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - begin)
            .count());
  }
  side.cpu += w1::cpu_now() - start;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  w1::remove_database(args.path);
  const std::string url = "sqlite:" + args.path;

  quire::Options options;
  options.passwords.opslimit = 2;
  options.passwords.memlimit = std::size_t{19} * 1024 * 1024;
  auto db = must(quire::Database::open(url, options), "open (C++)");
  quire::UserId editor = 0;
  const auto slugs = populate(db, args.posts, editor);
  auto cpp_ctx = must(db.context("t00", editor), "context (C++)");

  quire_db* cdb = nullptr;
  quire_ctx* c_ctx = nullptr;
  must_c(quire_db_open(&cdb, url.c_str(), R"({"passwords":{"opslimit":2,"memlimit":19922944}})"),
         "open (C)");
  const std::string context_json = R"({"tenant":"t00","user":)" + std::to_string(editor) + "}";
  must_c(quire_db_context(&c_ctx, cdb, context_json.c_str()), "context (C)");

  Side cpp{"cxx", {}, 0};
  Side c{"c", {}, 0};
  const auto via_cpp = [&](const std::string& slug) {
    if (!cpp_ctx.posts().get_by_slug(slug)) std::exit(1);
  };
  const auto via_c = [&](const std::string& slug) {
    char* json = nullptr;
    must_c(quire_post_get_by_slug(&json, c_ctx, slug.c_str(), nullptr), "get (C)");
    quire_free(json);
  };
  // A warm-up round each, not counted; then alternate so drift hits both alike.
  Side warm{"warm", {}, 0};
  round(warm, slugs, args.calls / 4 + 1, via_cpp);
  round(warm, slugs, args.calls / 4 + 1, via_c);
  for (int r = 0; r < args.rounds; ++r) {
    round(cpp, slugs, args.calls, via_cpp);
    round(c, slugs, args.calls, via_c);
  }

  const double calls = static_cast<double>(args.calls) * args.rounds;
  const double cpp_p50 = median(cpp.latencies);
  const double c_p50 = median(c.latencies);
  const double cpp_cpu = cpp.cpu * 1e6 / calls;
  const double c_cpu = c.cpu * 1e6 / calls;
  std::printf(
      "{\"benchmark\":\"capi_overhead\",\"phase\":\"get\",\"posts\":%zu,\"calls\":%.0f,"
      "\"cxx\":{\"p50_us\":%.2f,\"cpu_us\":%.2f},\"c\":{\"p50_us\":%.2f,\"cpu_us\":%.2f},"
      "\"ratio_p50\":%.3f,\"ratio_cpu\":%.3f,\"target\":1.3}\n",
      args.posts, calls, cpp_p50, cpp_cpu, c_p50, c_cpu, c_p50 / cpp_p50, c_cpu / cpp_cpu);

  quire_ctx_free(c_ctx);
  quire_db_free(cdb);
  w1::remove_database(args.path);
  return 0;
}
