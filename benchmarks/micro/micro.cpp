// Micro-benchmarks of the pieces every write goes through: slugs, the role check, the audit hash,
// the line diff of the Version engine, JSON of a post record, and the excerpt derived from a body.
// They link quire_objects to reach the internals.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/workload.hpp"
#include "core/crypto.hpp"
#include "core/diff.hpp"
#include "core/json.hpp"
#include "core/slug.hpp"
#include "core/text.hpp"
#include "engines/audit_chain.hpp"
#include "engines/roles.hpp"

namespace {

using quire::detail::Json;

// The workload's own data, so the inputs look like W1's.
struct Data {
  w1::Rng rng{w1::seed};
  w1::Vocabulary vocab{rng};
  std::string title = w1::make_title(vocab, rng);
  std::string body = w1::make_body(vocab, rng);
};

const Data& data() {
  static const Data d;
  return d;
}

void BM_Slugify_Title(benchmark::State& state) {
  const auto& title = data().title;
  for (auto _ : state) benchmark::DoNotOptimize(quire::detail::slugify(title));
  state.SetLabel(title);
}
BENCHMARK(BM_Slugify_Title);

void BM_Slugify_Accented(benchmark::State& state) {
  const std::string title = "Crème brûlée à la française: Æsir, Øresund & Łódź — don't panic";
  for (auto _ : state) benchmark::DoNotOptimize(quire::detail::slugify(title));
}
BENCHMARK(BM_Slugify_Accented);

void BM_RoleHas_Granted(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(quire::detail::role_has("author", "post.update.own"));
  }
}
BENCHMARK(BM_RoleHas_Granted);

void BM_RoleHas_Refused(benchmark::State& state) {
  // The worst case: the last role name, and a permission looked up through the whole matrix.
  for (auto _ : state) {
    benchmark::DoNotOptimize(quire::detail::role_has("viewer", "tenant.manage"));
  }
}
BENCHMARK(BM_RoleHas_Refused);

// A post.create entry as the unit of work appends it: new values are the audited post.
quire::AuditEntry create_entry() {
  const auto& d = data();
  Json values = {{"type", "post"},
                 {"slug", quire::detail::slugify(d.title)},
                 {"title", d.title},
                 {"status", "draft"},
                 {"category", "Category"},
                 {"tags", {"alpha", "beta", "gamma"}},
                 {"parent_id", nullptr},
                 {"version", 1},
                 {"body_hash", std::string(32, 'a')},
                 {"excerpt", quire::detail::derive_excerpt(d.body)},
                 {"seo", Json::object()},
                 {"fields", Json::object()},
                 {"published_at", nullptr},
                 {"scheduled_at", nullptr},
                 {"deleted_at", nullptr}};
  quire::AuditEntry entry;
  entry.tenant_id = 7;
  entry.seq = 12345;
  entry.at = 1'760'000'000'000;
  entry.actor_type = quire::ActorType::user;
  entry.actor_id = 42;
  entry.action = "post.create";
  entry.resource_type = "post";
  entry.resource_id = "98765";
  entry.outcome = "ok";
  entry.new_values = quire::detail::dump_json(values);
  entry.ip = "198.51.100.7";
  entry.user_agent = "w1-bench/1";
  entry.prev_hash = std::string(64, 'f');
  return entry;
}

void BM_AuditEntryHash(benchmark::State& state) {
  const auto entry = create_entry();
  for (auto _ : state) benchmark::DoNotOptimize(quire::detail::entry_hash(entry));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(entry.new_values->size()));
}
BENCHMARK(BM_AuditEntryHash);

// Its two parts: the canonical JSON, and BLAKE2b-256 over it.
void BM_AuditCanonicalEntry(benchmark::State& state) {
  const auto entry = create_entry();
  for (auto _ : state) benchmark::DoNotOptimize(quire::detail::canonical_entry(entry));
}
BENCHMARK(BM_AuditCanonicalEntry);

void BM_Blake2b256_Canonical(benchmark::State& state) {
  const auto text = quire::detail::canonical_entry(create_entry());
  for (auto _ : state) benchmark::DoNotOptimize(quire::detail::blake2b_256(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_Blake2b256_Canonical);

// 1 MB of Markdown-like lines, and the same text with one line in 100 rewritten and a block moved.
struct DiffInput {
  std::string a, b;
  DiffInput() {
    w1::Rng rng(w1::seed);
    const auto& vocab = data().vocab;
    std::vector<std::string> lines;
    std::size_t size = 0;
    while (size < 1'000'000) {
      lines.push_back(w1::make_sentence(vocab, rng, 4, 14) + ".\n");
      size += lines.back().size();
    }
    for (const auto& line : lines) a += line;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i % 100 == 50) lines[i] = w1::make_sentence(vocab, rng, 4, 14) + "!\n";
    }
    std::rotate(lines.begin() + 1000, lines.begin() + 1200, lines.begin() + 1300);
    for (const auto& line : lines) b += line;
  }
};

void BM_DiffLines_1MB(benchmark::State& state) {
  static const DiffInput input;
  std::size_t changed = 0;
  for (auto _ : state) {
    auto diff = quire::detail::diff_lines(input.a, input.b);
    changed = diff.added + diff.removed;
    benchmark::DoNotOptimize(diff);
  }
  state.counters["changed_lines"] = static_cast<double>(changed);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.a.size() + input.b.size()));
}
BENCHMARK(BM_DiffLines_1MB)->Unit(benchmark::kMillisecond);

void BM_DiffLines_Body(benchmark::State& state) {
  // A W1 update: one body against the next.
  w1::Rng rng(7);
  const auto a = w1::make_body(data().vocab, rng);
  const auto b = w1::make_body(data().vocab, rng);
  for (auto _ : state) benchmark::DoNotOptimize(quire::detail::diff_lines(a, b));
}
BENCHMARK(BM_DiffLines_Body);

// A post record as JSON (what the bindings and the version snapshot carry).
Json post_json() {
  const auto& d = data();
  return {{"id", 98765},
          {"tenant_id", 7},
          {"type", "post"},
          {"parent_id", nullptr},
          {"slug", quire::detail::slugify(d.title)},
          {"title", d.title},
          {"body", d.body},
          {"excerpt", quire::detail::derive_excerpt(d.body)},
          {"status", "published"},
          {"author_id", 42},
          {"category", "Category"},
          {"tags", {"alpha", "beta", "gamma"}},
          {"seo", Json::object()},
          {"fields", Json::object()},
          {"version", 3},
          {"published_version", 3},
          {"reading_time", 2},
          {"view_count", 0},
          {"created_at", 1'760'000'000'000},
          {"updated_at", 1'760'000'100'000},
          {"published_at", 1'760'000'100'000},
          {"scheduled_at", nullptr},
          {"deleted_at", nullptr}};
}

void BM_JsonEncodePost(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state) {
    Json post = post_json();
    benchmark::DoNotOptimize(quire::detail::dump_json(post));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(d.body.size()));
}
BENCHMARK(BM_JsonEncodePost);

void BM_JsonDecodePost(benchmark::State& state) {
  const auto text = quire::detail::dump_json(post_json());
  for (auto _ : state) {
    auto parsed = quire::detail::parse_json("post", text);
    const auto& post = parsed.value();
    benchmark::DoNotOptimize(post.at("body").get_ref<const std::string&>().size() +
                             post.at("tags").size() + post.at("id").get<std::int64_t>());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_JsonDecodePost);

// Derived on every create, and three times on every update (before, after, and to compare).
void BM_DeriveExcerpt(benchmark::State& state) {
  const auto& body = data().body;
  for (auto _ : state) benchmark::DoNotOptimize(quire::detail::derive_excerpt(body));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_DeriveExcerpt);

}  // namespace

BENCHMARK_MAIN();
