// What a tenant-first full-text index saves: 20 tenants × 1,000 W1 posts (1-4 KiB bodies from W1's
// 2,000-word vocabulary, shared/bench/W1-editorial.md), then one-word searches in one tenant, top
// 20 by bm25, against two indexes over the same posts:
//   tenant_first — quire's posts_fts: every term filed under its tenant ("12:word"), so MATCH reads
//                  that tenant's doclists only (src/storage/sqlite/sqlite_search.hpp), ranked by
//                  quire_bm25 over the tenant's own statistics;
//   naive        — one global FTS5 table (external content, unicode61 remove_diacritics 2), built
//                  here with plain SQL: its hits joined to posts and filtered by tenant afterwards,
//                  ranked by FTS5's bm25 over the whole table.
// Both run on one connection to the same file with a warm cache, after 'optimize' merged each
// index into one segment, alternating which goes first, so they differ only in the index.
// Two sets of words: W1's search phase (a uniform draw from the vocabulary, so mostly rare words)
// and the 20 most common words (bodies draw words by Zipf's law). For each, these shapes:
//   count                   rows MATCH hands back: the doclist walk alone
//   rank                    MATCH, join, tenant filter, bm25, top 20: the index's whole work
//   snippets_for_every_hit  rank plus a snippet() per hit before the LIMIT (quire's old statement)
//   snippets_for_top_20     the top 20 first, then their snippets (quire's statement now)
//   quire_before_vs_now     naive with snippets for every hit against tenant_first's statement now
// and rows_matched, the hits MATCH returned in all: the work the naive index does for nothing.
// Then PostEngine::search through the API, the whole call. Prints JSON; exits 2 if the two indexes
// ever disagree on a tenant's hits. Build with -DCMAKE_BUILD_TYPE=Release.
//
// usage: search_scope [--dir DIR] [--tenants N] [--posts N] [--queries N] [--keep]

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <quire/quire.hpp>
#include <string>
#include <vector>

#include "common/workload.hpp"
#include "storage/sqlite/sqlite_search.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using quire::storage::sqlite::SearchTenantScope;

struct Args {
  std::string dir;
  int tenants = 20;
  int posts = 1000;
  int queries = 400;
  bool keep = false;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "search_scope: %s\n", what.c_str());
  std::exit(1);
}

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--dir") {
      args.dir = value();
    } else if (arg == "--tenants") {
      args.tenants = std::stoi(value());
    } else if (arg == "--posts") {
      args.posts = std::stoi(value());
    } else if (arg == "--queries") {
      args.queries = std::stoi(value());
    } else if (arg == "--keep") {
      args.keep = true;
    } else {
      die("usage: search_scope [--dir DIR] [--tenants N] [--posts N] [--queries N] [--keep]");
    }
  }
  if (args.tenants < 1 || args.posts < 1 || args.queries < 1) die("counts must be positive");
  return args;
}

template <class T>
T must(quire::Result<T> result, const char* what) {
  if (!result) die(std::string(what) + ": " + result.error().message);
  return std::move(result).value();
}

void must(quire::Result<void> result, const char* what) {
  if (!result) die(std::string(what) + ": " + result.error().message);
}

// ---- raw SQLite
// -----------------------------------------------------------------------------------

class Raw {
 public:
  explicit Raw(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      die("cannot open " + path);
    }
    if (quire::storage::sqlite::register_search(db_) != SQLITE_OK) die("register_search failed");
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    for (auto* statement : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }

  void exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : "?";
      sqlite3_free(error);
      die(std::string(sql) + ": " + message);
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) !=
        SQLITE_OK) {
      die(sql + ": " + sqlite3_errmsg(db_));
    }
    statements_.push_back(statement);
    return statement;
  }
  // Binds (match, tenant, limit), steps through every row, returns the rows and the sum of the
  // first column (a check that both sides found something comparable).
  std::int64_t run(sqlite3_stmt* statement, const std::string& match, std::int64_t tenant,
                   std::int64_t* first_sum = nullptr) {
    sqlite3_reset(statement);
    sqlite3_bind_text(statement, 1, match.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(statement) >= 2) sqlite3_bind_int64(statement, 2, tenant);
    if (sqlite3_bind_parameter_count(statement) >= 3) sqlite3_bind_int64(statement, 3, 20);
    std::int64_t rows = 0;
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      ++rows;
      if (first_sum != nullptr) *first_sum += sqlite3_column_int64(statement, 0);
    }
    if (rc != SQLITE_DONE) die(std::string("query failed: ") + sqlite3_errmsg(db_));
    sqlite3_reset(statement);
    return rows;
  }
  std::int64_t scalar(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) != SQLITE_OK) return -1;
    std::int64_t value = -1;
    if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

// The statements, for either index: `rank` is its bm25 expression (lower is better). quire's is
// bm25 over the tenant's own statistics; the naive one can only have the whole table's.
struct Index {
  const char* table;
  const char* rank;
};
const Index tenant_first_index{
    "posts_fts",
    "quire_bm25(posts_fts, (SELECT documents FROM post_search_stats WHERE tenant_id = ?2),"
    " (SELECT tokens FROM post_search_stats WHERE tenant_id = ?2), 10.0, 1.0)"};
const Index naive_index{"naive_fts", "bm25(naive_fts, 10.0, 1.0)"};

std::string hits_of(const Index& x) {
  return fmt::format(
      " FROM {0} JOIN posts p ON p.id = {0}.rowid WHERE {0} MATCH ?1 AND p.tenant_id = ?2"
      " AND p.deleted_at IS NULL",
      x.table);
}
// The index's own work: MATCH, join, filter, bm25, top 20.
std::string rank_sql(const Index& x) {
  return fmt::format("SELECT p.id, {} AS rank{} ORDER BY 2, 1 DESC LIMIT ?3", x.rank, hits_of(x));
}
// What quire's search did before: a snippet for every hit, then the top 20.
std::string inline_snippets_sql(const Index& x) {
  return fmt::format(
      "SELECT p.id, p.type, p.slug, p.title, snippet({0}, 1, '[', ']', '…', 16), {1} AS rank{2}"
      " ORDER BY 6, 1 DESC LIMIT ?3",
      x.table, x.rank, hits_of(x));
}
// What it does now (src/storage/sqlite/sqlite_post_store.cpp): the top 20, then their snippets.
std::string deferred_snippets_sql(const Index& x) {
  return fmt::format(
      "WITH top AS MATERIALIZED (SELECT {0}.rowid AS id, {1} AS rank{2} ORDER BY 2, 1 DESC"
      " LIMIT ?3) SELECT p.id, p.type, p.slug, p.title, snippet({0}, 1, '[', ']', '…', 16),"
      " -top.rank FROM top CROSS JOIN {0} ON {0}.rowid = top.id CROSS JOIN posts p"
      " ON p.id = top.id WHERE {0} MATCH ?1 ORDER BY top.rank, top.id DESC",
      x.table, x.rank, hits_of(x));
}
constexpr const char* tenant_first_count_sql =
    "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?1";
constexpr const char* naive_count_sql = "SELECT count(*) FROM naive_fts WHERE naive_fts MATCH ?1";
// The hits of one tenant through each index, to check that they agree.
constexpr const char* tenant_first_all_sql =
    "SELECT sum(p.id), count(*) FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid"
    " WHERE posts_fts MATCH ?1 AND p.tenant_id = ?2";
constexpr const char* naive_all_sql =
    "SELECT sum(p.id), count(*) FROM naive_fts JOIN posts p ON p.id = naive_fts.rowid"
    " WHERE naive_fts MATCH ?1 AND p.tenant_id = ?2";

// ---- timing
// ---------------------------------------------------------------------------------------

struct Query {
  int tenant;  // index, t00 = 0
  std::int64_t tenant_id;
  std::string word;
};

struct Stats {
  std::vector<double> us;
  double total() const {
    double sum = 0;
    for (double v : us) sum += v;
    return sum;
  }
  double percentile(double p) const {
    if (us.empty()) return 0;
    auto sorted = us;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1,
                           static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
  }
};

template <class F>
double time_us(F&& f) {
  const auto begin = Clock::now();
  f();
  return std::chrono::duration<double, std::micro>(Clock::now() - begin).count();
}

std::string quoted_term(const std::string& word) {
  return "\"" + word + "\"";
}

// Runs every query through both statements, alternating which goes first, `rounds` times.
std::pair<Stats, Stats> compare(Raw& raw, sqlite3_stmt* naive, sqlite3_stmt* tenant_first,
                                const std::vector<Query>& queries, int rounds,
                                std::int64_t* naive_rows, std::int64_t* tenant_rows) {
  Stats a;
  Stats b;
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < queries.size(); ++i) {
      const auto& q = queries[i];
      const auto match = quoted_term(q.word);
      const auto run_naive = [&] {
        std::int64_t first = 0;
        const auto rows = raw.run(naive, match, q.tenant_id, &first);
        if (round == 0 && naive_rows != nullptr) *naive_rows += first;
        (void)rows;
      };
      const auto run_tenant = [&] {
        const SearchTenantScope scope(q.tenant_id);
        std::int64_t first = 0;
        const auto rows = raw.run(tenant_first, match, q.tenant_id, &first);
        if (round == 0 && tenant_rows != nullptr) *tenant_rows += first;
        (void)rows;
      };
      if ((i + static_cast<std::size_t>(round)) % 2 == 0) {
        a.us.push_back(time_us(run_naive));
        b.us.push_back(time_us(run_tenant));
      } else {
        b.us.push_back(time_us(run_tenant));
        a.us.push_back(time_us(run_naive));
      }
    }
  }
  return {a, b};
}

void print_pair(const char* name, const std::pair<Stats, Stats>& pair, bool comma) {
  const auto& [naive, tenant] = pair;
  const double naive_p50 = naive.percentile(0.5);
  const double tenant_p50 = tenant.percentile(0.5);
  std::printf(
      "    \"%s\": {\"naive_us_p50\": %.1f, \"naive_us_p99\": %.1f, \"naive_us_mean\": %.1f, "
      "\"tenant_first_us_p50\": %.1f, \"tenant_first_us_p99\": %.1f, "
      "\"tenant_first_us_mean\": %.1f, \"ratio_p50\": %.2f, \"ratio_mean\": %.2f}%s\n",
      name, naive_p50, naive.percentile(0.99), naive.total() / static_cast<double>(naive.us.size()),
      tenant_p50, tenant.percentile(0.99), tenant.total() / static_cast<double>(tenant.us.size()),
      naive_p50 / tenant_p50, naive.total() / tenant.total(), comma ? "," : "");
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  namespace fs = std::filesystem;
  std::string dir = args.dir;
  if (dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "quire-search-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp failed");
    dir = pattern;
  }
  fs::create_directories(dir);
  const std::string path = (fs::path(dir) / "search_scope.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);

  // ---- fill: tenants t00…, each with `posts` W1 posts, 250 to a transaction (not timed) ---------
  quire::Options options;
  options.synchronous = quire::Synchronous::normal;
  const auto fill_begin = Clock::now();
  auto db = must(quire::Database::open("sqlite:" + path, options), "open");
  auto system = db.system();
  w1::Rng rng(w1::seed);
  const w1::Vocabulary vocab(rng);
  std::vector<std::int64_t> tenant_ids;
  for (int t = 0; t < args.tenants; ++t) {
    const auto tenant = must(system.tenants().create({.slug = w1::tenant_slug(t),
                                                      .name = "Tenant " + w1::tenant_slug(t),
                                                      .plan = "enterprise"}),
                             "tenant");
    tenant_ids.push_back(tenant.id);
  }
  // Posts go round the tenants, as W1 creates them, so each tenant's rows are spread out.
  constexpr int batch = 250;
  const int total = args.tenants * args.posts;
  for (int start = 0; start < total; start += batch * args.tenants) {
    for (int t = 0; t < args.tenants; ++t) {
      auto ctx = must(db.system(tenant_ids[static_cast<std::size_t>(t)]), "context");
      must(db.transaction(ctx,
                          [&](quire::Context& c) -> quire::Result<void> {
                            for (int i = 0; i < batch && start / args.tenants + i < args.posts;
                                 ++i) {
                              auto created = c.posts().create({.title = w1::make_title(vocab, rng),
                                                               .body = w1::make_body(vocab, rng)});
                              if (!created) return created.error();
                            }
                            return quire::success();
                          }),
           "create posts");
    }
  }
  const double fill_seconds = std::chrono::duration<double>(Clock::now() - fill_begin).count();

  // ---- the naive index beside quire's, both merged to one segment -------------------------------
  Raw raw(path);
  const auto naive_begin = Clock::now();
  raw.exec(
      "CREATE VIRTUAL TABLE naive_fts USING fts5 (title, body, content = 'posts',"
      " content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2')");
  raw.exec("INSERT INTO naive_fts (naive_fts) VALUES ('rebuild')");
  const double naive_build_seconds =
      std::chrono::duration<double>(Clock::now() - naive_begin).count();
  raw.exec("INSERT INTO naive_fts (naive_fts) VALUES ('optimize')");
  raw.exec("INSERT INTO posts_fts (posts_fts) VALUES ('optimize')");
  const auto index_bytes = [&](const char* table) {
    const std::string sql = std::string("SELECT sum(length(block)) FROM ") + table + "_data";
    return raw.scalar(sql.c_str());
  };

  // ---- the queries: W1's (a uniform vocabulary word, a random tenant), and the most common words
  // --
  std::vector<Query> w1_queries;
  std::vector<Query> common_queries;
  w1::Rng query_rng(7);
  for (int i = 0; i < args.queries; ++i) {
    const int t = static_cast<int>(query_rng.below(static_cast<std::uint64_t>(args.tenants)));
    w1_queries.push_back({t, tenant_ids[static_cast<std::size_t>(t)], vocab.uniform(query_rng)});
    const int c = static_cast<int>(query_rng.below(static_cast<std::uint64_t>(args.tenants)));
    common_queries.push_back(
        {c, tenant_ids[static_cast<std::size_t>(c)], vocab.at(static_cast<std::size_t>(i % 20))});
  }

  // Both indexes find the same posts of the tenant.
  auto* tenant_all = raw.prepare(tenant_first_all_sql);
  auto* naive_all = raw.prepare(naive_all_sql);
  std::int64_t mismatches = 0;
  for (const auto* set : {&w1_queries, &common_queries}) {
    for (const auto& q : *set) {
      std::int64_t a = 0;
      std::int64_t b = 0;
      raw.run(naive_all, quoted_term(q.word), q.tenant_id, &a);
      {
        const SearchTenantScope scope(q.tenant_id);
        raw.run(tenant_all, quoted_term(q.word), q.tenant_id, &b);
      }
      if (a != b) ++mismatches;
    }
  }

  // A snippet for every hit or for the top 20 alone: the same hits, in the same order.
  for (const auto& q : common_queries) {
    const SearchTenantScope scope(q.tenant_id);
    std::int64_t a = 0;
    std::int64_t b = 0;
    auto* inline_statement = raw.prepare(inline_snippets_sql(tenant_first_index));
    auto* deferred_statement = raw.prepare(deferred_snippets_sql(tenant_first_index));
    if (raw.run(inline_statement, quoted_term(q.word), q.tenant_id, &a) !=
            raw.run(deferred_statement, quoted_term(q.word), q.tenant_id, &b) ||
        a != b) {
      ++mismatches;
    }
    break;
  }

  // Rows MATCH hands back: the whole table's hits, or the tenant's.
  auto* naive_count = raw.prepare(naive_count_sql);
  auto* tenant_count = raw.prepare(tenant_first_count_sql);
  std::int64_t naive_rows = 0;
  std::int64_t tenant_rows = 0;
  const auto count_rows = [&](const std::vector<Query>& queries) {
    naive_rows = tenant_rows = 0;
    return compare(raw, naive_count, tenant_count, queries, 3, &naive_rows, &tenant_rows);
  };

  auto* naive_rank = raw.prepare(rank_sql(naive_index));
  auto* tenant_rank = raw.prepare(rank_sql(tenant_first_index));
  auto* naive_inline = raw.prepare(inline_snippets_sql(naive_index));
  auto* tenant_inline = raw.prepare(inline_snippets_sql(tenant_first_index));
  auto* naive_deferred = raw.prepare(deferred_snippets_sql(naive_index));
  auto* tenant_deferred = raw.prepare(deferred_snippets_sql(tenant_first_index));
  // Warm the cache.
  compare(raw, naive_inline, tenant_deferred, w1_queries, 1, nullptr, nullptr);
  compare(raw, naive_inline, tenant_deferred, common_queries, 1, nullptr, nullptr);

  const auto w1_count = count_rows(w1_queries);
  const std::int64_t w1_naive_rows = naive_rows;
  const std::int64_t w1_tenant_rows = tenant_rows;
  const auto common_count = count_rows(common_queries);
  const std::int64_t common_naive_rows = naive_rows;
  const std::int64_t common_tenant_rows = tenant_rows;
  const auto w1_rank = compare(raw, naive_rank, tenant_rank, w1_queries, 3, nullptr, nullptr);
  const auto common_rank =
      compare(raw, naive_rank, tenant_rank, common_queries, 3, nullptr, nullptr);
  const auto w1_inline = compare(raw, naive_inline, tenant_inline, w1_queries, 3, nullptr, nullptr);
  const auto common_inline =
      compare(raw, naive_inline, tenant_inline, common_queries, 3, nullptr, nullptr);
  const auto w1_deferred =
      compare(raw, naive_deferred, tenant_deferred, w1_queries, 3, nullptr, nullptr);
  const auto common_deferred =
      compare(raw, naive_deferred, tenant_deferred, common_queries, 3, nullptr, nullptr);
  // quire before (global index, a snippet per hit) against quire now.
  const auto w1_before_after =
      compare(raw, naive_inline, tenant_deferred, w1_queries, 3, nullptr, nullptr);
  const auto common_before_after =
      compare(raw, naive_inline, tenant_deferred, common_queries, 3, nullptr, nullptr);

  // ---- the whole call through the API (tenant-first only: it is what quire runs) ---------------
  std::vector<quire::Context> contexts;
  contexts.reserve(tenant_ids.size());
  for (auto id : tenant_ids) contexts.push_back(must(db.system(id), "context"));
  Stats api_w1;
  Stats api_common;
  std::size_t api_hits = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto* set : {&w1_queries, &common_queries}) {
      for (const auto& q : *set) {
        auto& ctx = contexts[static_cast<std::size_t>(q.tenant)];
        const double us =
            time_us([&] { api_hits += must(ctx.posts().search(q.word), "search").size(); });
        (set == &w1_queries ? api_w1 : api_common).us.push_back(us);
      }
    }
  }

  std::printf("{\n  \"benchmark\": \"search_scope\",\n");
  std::printf("  \"sqlite\": \"%s\",\n", sqlite3_libversion());
  std::printf(
      "  \"tenants\": %d, \"posts_per_tenant\": %d, \"queries_per_set\": %d, \"rounds\": 3,\n",
      args.tenants, args.posts, args.queries);
  std::printf("  \"fill_seconds\": %.1f, \"naive_rebuild_seconds\": %.2f,\n", fill_seconds,
              naive_build_seconds);
  std::printf("  \"index_bytes\": {\"tenant_first\": %lld, \"naive\": %lld},\n",
              static_cast<long long>(index_bytes("posts_fts")),
              static_cast<long long>(index_bytes("naive_fts")));
  std::printf("  \"result_mismatches\": %lld,\n", static_cast<long long>(mismatches));
  std::printf(
      "  \"rows_matched\": {\"w1_words\": {\"naive\": %lld, \"tenant_first\": %lld, \"ratio\": "
      "%.2f}, \"common_words\": {\"naive\": %lld, \"tenant_first\": %lld, \"ratio\": %.2f}},\n",
      static_cast<long long>(w1_naive_rows), static_cast<long long>(w1_tenant_rows),
      static_cast<double>(w1_naive_rows) /
          static_cast<double>(std::max<std::int64_t>(1, w1_tenant_rows)),
      static_cast<long long>(common_naive_rows), static_cast<long long>(common_tenant_rows),
      static_cast<double>(common_naive_rows) /
          static_cast<double>(std::max<std::int64_t>(1, common_tenant_rows)));
  std::printf("  \"w1_words\": {\n");
  print_pair("count", w1_count, true);
  print_pair("rank", w1_rank, true);
  print_pair("snippets_for_every_hit", w1_inline, true);
  print_pair("snippets_for_top_20", w1_deferred, true);
  print_pair("quire_before_vs_now", w1_before_after, false);
  std::printf("  },\n  \"common_words\": {\n");
  print_pair("count", common_count, true);
  print_pair("rank", common_rank, true);
  print_pair("snippets_for_every_hit", common_inline, true);
  print_pair("snippets_for_top_20", common_deferred, true);
  print_pair("quire_before_vs_now", common_before_after, false);
  std::printf("  },\n");
  std::printf(
      "  \"api_search\": {\"w1_words_us_p50\": %.1f, \"w1_words_us_p99\": %.1f, "
      "\"common_words_us_p50\": %.1f, \"common_words_us_p99\": %.1f, \"hits\": %zu}\n}\n",
      api_w1.percentile(0.5), api_w1.percentile(0.99), api_common.percentile(0.5),
      api_common.percentile(0.99), api_hits);

  (void)db.close();  // not inside an operation: cannot fail
  if (!args.keep && args.dir.empty()) fs::remove_all(dir);
  return mismatches == 0 ? 0 : 2;
}
