#pragma once
// Workload W1 ("an editorial day", shared/bench/W1-editorial.md), written once for every program
// that runs it: the deterministic data, the choice of each operation, the timing of each phase
// and the report. A program only supplies a Driver that performs one operation at a time, so
// quire and the raw-SQLite baseline do exactly the same work, chosen by the same random draws,
// timed the same way.
//
// A Driver has:
//   void setup(const Setup&)                       tenants, users, memberships (not timed)
//   Created create(const CreateOp&)                one post.create
//   std::optional<std::int64_t> update(const UpdateOp&)   the new version, or nullopt on failure
//   bool publish(const PublishOp&)
//   Found get(const GetOp&)                        found / not visible / failed
//   std::optional<std::size_t> list(const ListOp&) items on the page; keeps its own cursor
//   std::optional<std::size_t> search(const SearchOp&)
//   bool has_versions() const                      false: the versions and restore phases skip
//   std::optional<std::size_t> versions(const VersionsOp&)
//   std::optional<std::int64_t> restore(const RestoreOp&)   the new version
//   std::optional<std::size_t> audit(const AuditOp&)
//   void finish()                                  after the last phase (databases stay open)
//   const std::string& last_error() const
// Every operation is one transaction, committed before the next one starts.

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// A driver's operations stay functions of their own, so a profiler can attribute cost to each
// (callgrind --toggle-collect='*Driver::create(*'); one call per operation costs nothing here.
#define QUIRE_BENCH_OP [[gnu::noinline]]

namespace w1 {

// ---- deterministic randomness ------------------------------------------------------------------

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to pick work.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

constexpr std::uint64_t seed = 42;
constexpr int tenants = 20;
constexpr int users_per_tenant = 5;
constexpr std::array<const char*, users_per_tenant> user_roles = {"admin", "editor", "editor",
                                                                  "author", "author"};
constexpr std::array<const char*, users_per_tenant> user_names = {"admin", "editor1", "editor2",
                                                                  "author1", "author2"};
constexpr int admin_user = 0;
constexpr std::size_t max_slug = 96;

inline std::string tenant_slug(int tenant) {
  return (tenant < 10 ? "t0" : "t") + std::to_string(tenant);
}

// ---- the vocabulary: 2,000 made-up words, drawn with Zipf's law as in real text ----------------

class Vocabulary {
 public:
  static constexpr std::size_t size = 2000;

  explicit Vocabulary(Rng& rng) {
    static constexpr std::array<std::string_view, 24> onsets = {
        "b", "c", "d", "f", "g", "h", "j",  "k",  "l",  "m",  "n",  "p",
        "r", "s", "t", "v", "w", "z", "br", "cr", "st", "tr", "ch", "th"};
    static constexpr std::array<std::string_view, 10> vowels = {"a",  "e",  "i",  "o",  "u",
                                                                "ai", "ea", "ou", "io", "y"};
    static constexpr std::array<std::string_view, 8> codas = {"", "", "", "n", "r", "s", "l", "t"};
    std::set<std::string> seen;
    while (words_.size() < size) {
      std::string word;
      const auto syllables = rng.between(1, 4);
      for (std::int64_t s = 0; s < syllables; ++s) {
        word += onsets[rng.below(onsets.size())];
        word += vowels[rng.below(vowels.size())];
      }
      word += codas[rng.below(codas.size())];
      if (word.size() >= 3 && seen.insert(word).second) words_.push_back(word);
    }
    // Zipf, s = 1: the word of rank r is drawn with probability proportional to 1 / r.
    double total = 0;
    cdf_.reserve(size);
    for (std::size_t r = 1; r <= size; ++r) {
      total += 1.0 / static_cast<double>(r);
      cdf_.push_back(total);
    }
    for (auto& c : cdf_) c /= total;
  }

  const std::string& zipf(Rng& rng) const {
    const auto at = std::lower_bound(cdf_.begin(), cdf_.end(), rng.unit());
    return words_[std::min<std::size_t>(static_cast<std::size_t>(at - cdf_.begin()), size - 1)];
  }
  const std::string& uniform(Rng& rng) const { return words_[rng.below(size)]; }
  const std::string& at(std::size_t i) const { return words_[i % size]; }

 private:
  std::vector<std::string> words_;
  std::vector<double> cdf_;
};

// ---- the content of a post ---------------------------------------------------------------------

inline void capitalise(std::string& text, std::size_t at) {
  if (at < text.size() && text[at] >= 'a' && text[at] <= 'z') text[at] = char(text[at] - 32);
}

inline std::string make_title(const Vocabulary& vocab, Rng& rng) {
  std::string title;
  const auto words = rng.between(4, 9);
  for (std::int64_t w = 0; w < words; ++w) {
    if (w > 0) title += ' ';
    title += vocab.zipf(rng);
  }
  capitalise(title, 0);
  return title;
}

inline std::string make_sentence(const Vocabulary& vocab, Rng& rng, int lo, int hi) {
  std::string text;
  const auto words = rng.between(lo, hi);
  for (std::int64_t w = 0; w < words; ++w) {
    if (w > 0) text += ' ';
    text += vocab.zipf(rng);
  }
  capitalise(text, 0);
  return text;
}

inline std::string make_paragraph(const Vocabulary& vocab, Rng& rng, int lo, int hi) {
  std::string text;
  const auto sentences = rng.between(lo, hi);
  for (std::int64_t s = 0; s < sentences; ++s) {
    if (s > 0) text += ' ';
    text += make_sentence(vocab, rng, 6, 16);
    text += '.';
  }
  return text;
}

// Markdown of 1-4 KiB: a paragraph, one "##" heading, a paragraph, one list, then paragraphs up to
// the drawn size.
inline std::string make_body(const Vocabulary& vocab, Rng& rng) {
  const auto target = static_cast<std::size_t>(rng.between(1024, 4096));
  std::string body = make_paragraph(vocab, rng, 1, 2);
  body += "\n\n## ";
  body += make_sentence(vocab, rng, 2, 5);
  body += "\n\n";
  body += make_paragraph(vocab, rng, 1, 2);
  body += "\n\n";
  const auto items = rng.between(3, 5);
  for (std::int64_t i = 0; i < items; ++i) {
    body += "- ";
    body += make_sentence(vocab, rng, 2, 6);
    body += '\n';
  }
  // Paragraphs, sentence by sentence, until the next word would pass the target.
  bool fresh = true;
  for (;;) {
    std::string sentence = make_sentence(vocab, rng, 6, 16) + '.';
    const std::size_t gap = 1;  // the '\n' or ' ' before it
    if (body.size() + gap + sentence.size() > target) {
      // Words of one last sentence that still fit; at least 1 KiB is guaranteed by the target.
      std::string tail = make_sentence(vocab, rng, 6, 16);
      std::size_t keep = 0;
      for (std::size_t space = tail.find(' '); space != std::string::npos;
           space = tail.find(' ', space + 1)) {
        if (body.size() + gap + space + 1 > target) break;
        keep = space;
      }
      if (keep > 0) {
        body += fresh ? "\n" : " ";
        body.append(tail, 0, keep);
        body += '.';
      }
      break;
    }
    body += fresh ? "\n" : " ";
    body += sentence;
    fresh = rng.below(5) == 0;
    if (fresh) body += '\n';
  }
  if (body.back() != '\n') body += '\n';
  return body;
}

// The slug a title gets: what quire's slugify does for ASCII titles (lower-case words joined by
// '-', cut at a '-' to at most 96 characters).
inline std::string slug_of(std::string_view title) {
  std::string slug;
  for (char c : title) {
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > max_slug) {
    const auto cut = slug.rfind('-', max_slug);
    slug.resize(cut != std::string::npos && cut > 0 ? cut : max_slug);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
  }
  return slug;
}

// ---- operations ---------------------------------------------------------------------------------

struct Setup {
  int tenants = w1::tenants;
  int users_per_tenant = w1::users_per_tenant;
};

struct CreateOp {
  int tenant = 0;
  int actor = 0;  // the user's index in its tenant (see user_roles)
  std::string title;
  std::string body;
  std::vector<std::string> tags;
  std::string category;
};

struct Created {
  std::int64_t id = 0;
  std::string slug;
  bool ok = false;
};

// What the workload remembers of a post, identically in every program.
struct PostState {
  int tenant = 0;
  int author = 0;
  std::int64_t id = 0;
  std::string slug;
  std::int64_t version = 1;
  bool published = false;
};

struct UpdateOp {
  const PostState* post = nullptr;
  int actor = 0;
  std::int64_t expected_version = 0;
  std::string title;
  std::string body;
};

struct PublishOp {
  const PostState* post = nullptr;
  int actor = 0;
};

enum class Found { yes, no, failed };

struct GetOp {
  int tenant = 0;
  int actor = 0;
  const PostState* post = nullptr;
};

struct ListOp {
  int tenant = 0;
  int actor = 0;
  bool first_page = true;  // else: the page after the one this driver listed last
};

struct SearchOp {
  int tenant = 0;
  int actor = 0;
  std::string word;
};

struct VersionsOp {
  const PostState* post = nullptr;
  int actor = 0;
};

struct RestoreOp {
  const PostState* post = nullptr;
  int actor = 0;
  std::int64_t expected_version = 0;
  std::int64_t number = 0;  // the version to bring back
};

struct AuditOp {
  int tenant = 0;
  int actor = admin_user;
};

// ---- measuring ---------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

struct PhaseResult {
  std::string name;
  std::size_t ops = 0;
  std::size_t errors = 0;
  double seconds = 0;  // the sum of the operations' own times
  // Processor time of the process over the phase, less the time spent making the operations'
  // data: what the operations cost the machine, whatever else it is running.
  double cpu_seconds = 0;
  // Bytes the process handed to write(2)/pwrite(2) over the phase (WAL frames and checkpoints),
  // and those calls: /proc/self/io's wchar and syscw.
  std::uint64_t write_bytes = 0;
  std::uint64_t write_calls = 0;
  double p50_us = 0;
  double p99_us = 0;
  double max_us = 0;
  std::uint64_t check = 0;  // a count that must agree between programs (rows found, hits, …)
  std::string skipped;      // why the phase did not run, or empty
  std::string first_error;

  double ops_per_s() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  double mean_us() const { return ops > 0 ? seconds * 1e6 / static_cast<double>(ops) : 0; }
  double cpu_us() const { return ops > 0 ? cpu_seconds * 1e6 / static_cast<double>(ops) : 0; }
};

struct IoCounters {
  std::uint64_t bytes = 0;
  std::uint64_t calls = 0;
};

inline IoCounters io_now() {
  IoCounters io;
  std::ifstream in("/proc/self/io");
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "wchar:") io.bytes = value;
    if (key == "syscw:") io.calls = value;
  }
  return io;
}

inline double cpu_now() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

class Timer {
 public:
  explicit Timer(std::string name, std::size_t expected) {
    result_.name = std::move(name);
    latencies_.reserve(expected);
    io_start_ = io_now();
    cpu_start_ = cpu_now();
  }
  // Work that is not the operation (making its data): left out of the phase's processor time.
  template <class F>
  auto untimed(F&& f) {
    const double start = cpu_now();
    auto out = f();
    untimed_cpu_ += cpu_now() - start;
    return out;
  }
  template <class F>
  auto time(F&& f) {
    const auto start = Clock::now();
    auto out = f();
    latencies_.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    return out;
  }
  void fail(const std::string& why) {
    if (result_.errors++ == 0) result_.first_error = why;
  }
  PhaseResult& result() { return result_; }
  PhaseResult finish() {
    auto& r = result_;
    r.cpu_seconds = std::max(0.0, cpu_now() - cpu_start_ - untimed_cpu_);
    const auto io = io_now();
    r.write_bytes = io.bytes - io_start_.bytes;
    r.write_calls = io.calls - io_start_.calls;
    r.ops = latencies_.size();
    double total = 0;
    for (double l : latencies_) total += l;
    r.seconds = total / 1e6;
    if (!latencies_.empty()) {
      std::sort(latencies_.begin(), latencies_.end());
      const auto at = [&](double q) {
        auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(latencies_.size())));
        return latencies_[std::min(latencies_.size() - 1, i == 0 ? 0 : i - 1)];
      };
      r.p50_us = at(0.50);
      r.p99_us = at(0.99);
      r.max_us = latencies_.back();
    }
    return r;
  }

 private:
  PhaseResult result_;
  std::vector<double> latencies_;
  double cpu_start_ = 0;
  double untimed_cpu_ = 0;
  IoCounters io_start_;
};

inline long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

// Resets the peak resident set size (Linux: "5" to clear_refs), so the workload's own peak can be
// told apart from the setup's (argon2id holds its 19 MiB while it hashes). False if unsupported.
inline bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

inline std::uintmax_t file_size(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

// "sqlite:path" → path; anything else (":memory:", PostgreSQL) → empty.
inline std::string sqlite_path(std::string_view url) {
  constexpr std::string_view scheme = "sqlite:";
  if (!url.starts_with(scheme) || url == "sqlite::memory:") return {};
  return std::string(url.substr(scheme.size()));
}

// Removes a SQLite database with its WAL and shared-memory files, so a run starts fresh.
inline void remove_database(const std::string& path) {
  if (path.empty()) return;
  std::error_code error;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, error);
  }
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
}

// ---- the command line ---------------------------------------------------------------------------

struct Config {
  std::string program;
  double scale = 1;     // W1 defines whole scales; a fraction (0.1) makes a short run to profile
  std::string backend;  // URL; "sqlite:<path>" for the baseline
  std::string full_backend;  // the separate database of the synchronous=FULL create run
  bool json = false;
  bool full_sync = false;       // the main run's synchronous setting: false = NORMAL
  long full_create = -1;        // ops of the FULL create run; -1: 2,000; 0: skip
  std::string schema = "lean";  // baseline only: lean | quire
};

inline void usage(const char* program, bool baseline) {
  std::fprintf(
      stderr,
      "usage: %s [--scale N] [--backend URL] [--json] [--synchronous normal|full]\n"
      "          [--full-create OPS] [--full-backend URL]%s\n"
      "  --scale N          multiply every phase's count by N (default 1; a fraction such\n"
      "                     as 0.1 makes a short run, e.g. under a profiler)\n"
      "  --backend URL      sqlite:path (default sqlite:build/%s.db, recreated)\n"
      "  --json             print the report as one JSON object\n"
      "  --synchronous M    the main run's SQLite synchronous mode (default normal)\n"
      "  --full-create OPS  create operations of the synchronous=FULL run on a separate\n"
      "                     database (default 2000; 0 skips it)\n"
      "  --full-backend URL that database (default: the main path + \"-full\")\n%s",
      program, baseline ? " [--schema lean|quire]" : "", baseline ? "baseline" : "w1",
      baseline ? "  --schema S         lean: the indexes W1 needs (default); quire: also "
                 "quire's\n                     other indexes and AUTOINCREMENT\n"
               : "");
}

inline Config parse_args(int argc, char** argv, std::string program, bool baseline) {
  Config config;
  config.program = std::move(program);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage(argv[0], baseline);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--scale") {
      config.scale = std::atof(value().c_str());
    } else if (arg == "--backend") {
      config.backend = value();
    } else if (arg == "--full-backend") {
      config.full_backend = value();
    } else if (arg == "--json") {
      config.json = true;
    } else if (arg == "--synchronous") {
      const auto mode = value();
      if (mode != "normal" && mode != "full") {
        usage(argv[0], baseline);
        std::exit(2);
      }
      config.full_sync = mode == "full";
    } else if (arg == "--full-create") {
      config.full_create = std::atol(value().c_str());
    } else if (baseline && arg == "--schema") {
      config.schema = value();
      if (config.schema != "lean" && config.schema != "quire") {
        usage(argv[0], baseline);
        std::exit(2);
      }
    } else {
      usage(argv[0], baseline);
      std::exit(arg == "--help" || arg == "-h" ? 0 : 2);
    }
  }
  if (!(config.scale > 0) || config.scale > 1000) {
    std::fprintf(stderr, "%s: --scale must be a number above 0 (and at most 1000)\n", argv[0]);
    std::exit(2);
  }
  if (config.backend.empty()) config.backend = "sqlite:build/" + config.program + ".db";
  if (config.full_backend.empty()) {
    const auto path = sqlite_path(config.backend);
    config.full_backend = path.empty() ? config.backend : "sqlite:" + path + "-full";
  }
  if (config.full_create < 0) config.full_create = 2000;
  return config;
}

// ---- the run -----------------------------------------------------------------------------------

struct Report {
  Config config;
  std::vector<PhaseResult> phases;
  double setup_seconds = 0;
  double wall_seconds = 0;  // the phases of the main run, from the first to the last operation
  double total_seconds = 0;
  long peak_rss_kib = 0;           // the whole process, setup included
  long peak_rss_workload_kib = 0;  // since the end of the main run's setup
  std::uintmax_t db_file_bytes = 0;
  std::uintmax_t db_wal_bytes = 0;
  std::string load_start;
  std::string load_end;
  std::string library;  // what the program ran on (quire version, SQLite version)
};

// Counts of scale 1.
struct Counts {
  std::size_t create = 20000, update = 20000, publish = 5000, get = 50000, list = 5000,
              search = 2000, versions = 2000, restore = 1000, audit = 1000;
  Counts scaled(double n) const {
    Counts c = *this;
    for (auto* v : {&c.create, &c.update, &c.publish, &c.get, &c.list, &c.search, &c.versions,
                    &c.restore, &c.audit}) {
      *v = std::max<std::size_t>(
          1, static_cast<std::size_t>(std::llround(static_cast<double>(*v) * n)));
    }
    return c;
  }
};

// The tags (50) and categories (10) posts draw from: fixed words of the vocabulary.
inline std::string tag_name(const Vocabulary& vocab, std::size_t i) {
  return vocab.at(1000 + i);
}
inline std::string category_name(const Vocabulary& vocab, std::size_t i) {
  auto name = vocab.at(1500 + i);
  capitalise(name, 0);
  return name;
}

inline CreateOp make_create(const Vocabulary& vocab, Rng& rng, std::size_t i) {
  CreateOp op;
  op.tenant = static_cast<int>(i % tenants);
  op.actor = static_cast<int>(1 + rng.below(4));  // an editor or an author
  op.title = make_title(vocab, rng);
  op.body = make_body(vocab, rng);
  std::array<std::size_t, 3> picked{};
  for (std::size_t t = 0; t < 3; ++t) {
    std::size_t tag;
    do {
      tag = rng.below(50);
    } while (std::find(picked.begin(), picked.begin() + t, tag) != picked.begin() + t);
    picked[t] = tag;
    op.tags.push_back(tag_name(vocab, tag));
  }
  op.category = category_name(vocab, rng.below(10));
  return op;
}

// Runs the create phase into `posts`.
template <class Driver>
PhaseResult run_create(Driver& driver, const Vocabulary& vocab, Rng& rng, std::size_t count,
                       std::vector<PostState>& posts, const char* name) {
  Timer timer(name, count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto op = timer.untimed([&] { return make_create(vocab, rng, i); });
    const Created created = timer.time([&] { return driver.create(op); });
    if (!created.ok) {
      timer.fail(driver.last_error());
      continue;
    }
    posts.push_back({op.tenant, op.actor, created.id, created.slug, 1, false});
    timer.result().check += created.slug.size();
  }
  return timer.finish();
}

// One user who may update (or publish, restore) every post of its tenant, or the post's author.
inline int editor_or_author(Rng& rng, const PostState& post) {
  return rng.below(2) == 0 ? post.author : static_cast<int>(1 + rng.below(2));
}

template <class Driver>
Report run(Driver& driver, const Config& config, Driver* full_driver) {
  Report report;
  report.config = config;
  report.load_start = load_average();
  const auto counts = Counts{}.scaled(config.scale);
  const auto begin = Clock::now();

  Rng rng(seed);
  const Vocabulary vocab(rng);
  driver.setup(Setup{});
  report.setup_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  reset_peak_rss();
  const auto phases_begin = Clock::now();

  std::vector<PostState> posts;
  posts.reserve(counts.create);
  report.phases.push_back(run_create(driver, vocab, rng, counts.create, posts, "create"));
  if (posts.empty()) {
    std::fprintf(stderr, "%s: no post was created: %s\n", config.program.c_str(),
                 report.phases.back().first_error.c_str());
    std::exit(1);
  }
  const auto random_post = [&]() -> PostState& { return posts[rng.below(posts.size())]; };

  {  // update: a random post, by its author or an editor, expecting the version it is at
    Timer timer("update", counts.update);
    for (std::size_t i = 0; i < counts.update; ++i) {
      auto& post = random_post();
      const auto op = timer.untimed([&] {
        return UpdateOp{&post, editor_or_author(rng, post), post.version, make_title(vocab, rng),
                        make_body(vocab, rng)};
      });
      const auto version = timer.time([&] { return driver.update(op); });
      if (!version) {
        timer.fail(driver.last_error());
        continue;
      }
      post.version = *version;
      timer.result().check += static_cast<std::uint64_t>(*version);
    }
    report.phases.push_back(timer.finish());
  }

  {  // publish: a random draft
    Timer timer("publish", counts.publish);
    std::size_t drafts = 0;
    for (const auto& post : posts) drafts += post.published ? 0 : 1;
    for (std::size_t i = 0; i < counts.publish && drafts > 0; ++i) {
      PostState* post;
      do {
        post = &random_post();
      } while (post->published);
      PublishOp op{post, editor_or_author(rng, *post)};
      const bool ok = timer.time([&] { return driver.publish(op); });
      if (!ok) {
        timer.fail(driver.last_error());
        continue;
      }
      post->published = true;
      --drafts;
      ++timer.result().check;
    }
    report.phases.push_back(timer.finish());
  }

  {  // get: a random post by (tenant, slug), as a random member of its tenant
    Timer timer("get", counts.get);
    for (std::size_t i = 0; i < counts.get; ++i) {
      const auto& post = random_post();
      GetOp op{post.tenant, static_cast<int>(rng.below(users_per_tenant)), &post};
      const Found found = timer.time([&] { return driver.get(op); });
      if (found == Found::failed) timer.fail(driver.last_error());
      if (found == Found::yes) ++timer.result().check;
    }
    report.phases.push_back(timer.finish());
  }

  {  // list: pages 1..10 of a tenant's published posts, newest first, as a random member
    Timer timer("list", counts.list);
    ListOp op;
    for (std::size_t i = 0; i < counts.list; ++i) {
      if (i % 10 == 0) {
        op.tenant = static_cast<int>(rng.below(tenants));
        op.actor = static_cast<int>(rng.below(users_per_tenant));
      }
      op.first_page = i % 10 == 0;
      const auto items = timer.time([&] { return driver.list(op); });
      if (!items) {
        timer.fail(driver.last_error());
        continue;
      }
      timer.result().check += *items;
    }
    report.phases.push_back(timer.finish());
  }

  {  // search: one vocabulary word within a tenant, top 20, as a random member
    Timer timer("search", counts.search);
    for (std::size_t i = 0; i < counts.search; ++i) {
      SearchOp op{static_cast<int>(rng.below(tenants)),
                  static_cast<int>(rng.below(users_per_tenant)), vocab.uniform(rng)};
      const auto hits = timer.time([&] { return driver.search(op); });
      if (!hits) {
        timer.fail(driver.last_error());
        continue;
      }
      timer.result().check += *hits;
    }
    report.phases.push_back(timer.finish());
  }

  {  // versions: list the versions of a random post, as a member who may edit it
    Timer timer("versions", counts.versions);
    for (std::size_t i = 0; i < counts.versions; ++i) {
      const auto& post = random_post();
      VersionsOp op{&post, editor_or_author(rng, post)};
      if (!driver.has_versions()) continue;
      const auto listed = timer.time([&] { return driver.versions(op); });
      if (!listed) {
        timer.fail(driver.last_error());
        continue;
      }
      timer.result().check += *listed;
    }
    if (!driver.has_versions()) timer.result().skipped = "engine not landed";
    report.phases.push_back(timer.finish());
  }

  {  // restore: a random post with history back to an earlier version, by an editor
    Timer timer("restore", counts.restore);
    std::size_t tries = 0;
    for (std::size_t i = 0; i < counts.restore && tries < 100 * counts.restore; ++tries) {
      auto& post = random_post();
      if (post.version < 2) continue;
      RestoreOp op{&post, static_cast<int>(1 + rng.below(2)), post.version,
                   rng.between(1, post.version - 1)};
      ++i;
      if (!driver.has_versions()) continue;
      const auto version = timer.time([&] { return driver.restore(op); });
      if (!version) {
        timer.fail(driver.last_error());
        continue;
      }
      post.version = *version;
      timer.result().check += static_cast<std::uint64_t>(*version);
    }
    if (!driver.has_versions()) timer.result().skipped = "engine not landed";
    report.phases.push_back(timer.finish());
  }

  {  // audit: the newest 50 entries of a tenant for resource type post, as its admin
    Timer timer("audit", counts.audit);
    for (std::size_t i = 0; i < counts.audit; ++i) {
      AuditOp op{static_cast<int>(rng.below(tenants)), admin_user};
      const auto entries = timer.time([&] { return driver.audit(op); });
      if (!entries) {
        timer.fail(driver.last_error());
        continue;
      }
      timer.result().check += *entries;
    }
    report.phases.push_back(timer.finish());
  }

  report.wall_seconds = std::chrono::duration<double>(Clock::now() - phases_begin).count();
  report.peak_rss_workload_kib = peak_rss_kib();
  if (const auto path = sqlite_path(config.backend); !path.empty()) {
    report.db_file_bytes = file_size(path);
    report.db_wal_bytes = file_size(path + "-wal");
  }
  driver.finish();

  // The create phase again with synchronous=FULL, on a database of its own: the same posts.
  if (full_driver != nullptr && config.full_create > 0) {
    Rng full_rng(seed);
    const Vocabulary full_vocab(full_rng);
    full_driver->setup(Setup{});
    std::vector<PostState> full_posts;
    report.phases.push_back(run_create(*full_driver, full_vocab, full_rng,
                                       static_cast<std::size_t>(config.full_create), full_posts,
                                       "create_full"));
    full_driver->finish();
  }
  report.peak_rss_kib = peak_rss_kib();
  report.total_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  report.load_end = load_average();
  return report;
}

// ---- the report --------------------------------------------------------------------------------

inline std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

inline void print_json(const Report& r) {
  std::printf(
      "{\"program\": %s, \"library\": %s, \"scale\": %g, \"backend\": %s, \"synchronous\": %s,"
      " \"schema\": %s,\n",
      json_string(r.config.program).c_str(), json_string(r.library).c_str(), r.config.scale,
      json_string(r.config.backend).c_str(), r.config.full_sync ? "\"full\"" : "\"normal\"",
      json_string(r.config.schema).c_str());
  std::printf(
      " \"setup_seconds\": %.3f, \"wall_seconds\": %.3f, \"total_seconds\": %.3f,"
      " \"peak_rss_kib\": %ld, \"peak_rss_workload_kib\": %ld,\n"
      " \"db_file_bytes\": %ju, \"db_wal_bytes\": %ju, \"db_bytes\": %ju,"
      " \"load_start\": %s, \"load_end\": %s, \"nproc\": %ld,\n \"phases\": [\n",
      r.setup_seconds, r.wall_seconds, r.total_seconds, r.peak_rss_kib, r.peak_rss_workload_kib,
      r.db_file_bytes, r.db_wal_bytes, r.db_file_bytes + r.db_wal_bytes,
      json_string(r.load_start).c_str(), json_string(r.load_end).c_str(),
      sysconf(_SC_NPROCESSORS_ONLN));
  for (std::size_t i = 0; i < r.phases.size(); ++i) {
    const auto& p = r.phases[i];
    std::printf(
        "  {\"name\": %s, \"ops\": %zu, \"errors\": %zu, \"seconds\": %.6f, \"ops_per_s\": %.1f,"
        " \"mean_us\": %.2f, \"p50_us\": %.2f, \"p99_us\": %.2f, \"max_us\": %.1f,"
        " \"cpu_seconds\": %.6f, \"cpu_us\": %.2f, \"write_bytes\": %llu, \"write_calls\": %llu,"
        " \"check\": %llu, \"skipped\": %s, \"first_error\": %s}%s\n",
        json_string(p.name).c_str(), p.ops, p.errors, p.seconds, p.ops_per_s(), p.mean_us(),
        p.p50_us, p.p99_us, p.max_us, p.cpu_seconds, p.cpu_us(),
        static_cast<unsigned long long>(p.write_bytes),
        static_cast<unsigned long long>(p.write_calls), static_cast<unsigned long long>(p.check),
        p.skipped.empty() ? "null" : json_string(p.skipped).c_str(),
        json_string(p.first_error).c_str(), i + 1 < r.phases.size() ? "," : "");
  }
  std::printf(" ]}\n");
}

inline void print_text(const Report& r) {
  std::printf("%s on %s (%s), scale %g, synchronous=%s%s\n", r.config.program.c_str(),
              r.config.backend.c_str(), r.library.c_str(), r.config.scale,
              r.config.full_sync ? "FULL" : "NORMAL",
              r.config.program == "baseline" ? (", schema " + r.config.schema).c_str() : "");
  std::printf("%-12s %9s %7s %11s %10s %10s %10s %10s %12s\n", "phase", "ops", "errors", "ops/s",
              "mean us", "p50 us", "p99 us", "cpu us", "KiB wr/op");
  for (const auto& p : r.phases) {
    if (!p.skipped.empty()) {
      std::printf("%-12s skipped (%s)\n", p.name.c_str(), p.skipped.c_str());
      continue;
    }
    std::printf(
        "%-12s %9zu %7zu %11.0f %10.1f %10.1f %10.1f %10.1f %12.1f\n", p.name.c_str(), p.ops,
        p.errors, p.ops_per_s(), p.mean_us(), p.p50_us, p.p99_us, p.cpu_us(),
        p.ops > 0 ? static_cast<double>(p.write_bytes) / 1024.0 / static_cast<double>(p.ops) : 0.0);
    if (p.errors > 0) std::printf("  first error: %s\n", p.first_error.c_str());
  }
  std::printf(
      "setup %.1f s, phases %.1f s (wall), total %.1f s; peak RSS %.1f MiB (workload %.1f MiB);"
      " database %.1f MiB + WAL %.1f MiB; load %s -> %s\n",
      r.setup_seconds, r.wall_seconds, r.total_seconds, r.peak_rss_kib / 1024.0,
      r.peak_rss_workload_kib / 1024.0, static_cast<double>(r.db_file_bytes) / 1048576.0,
      static_cast<double>(r.db_wal_bytes) / 1048576.0, r.load_start.c_str(), r.load_end.c_str());
}

inline int report(const Report& r) {
  if (r.config.json) {
    print_json(r);
  } else {
    print_text(r);
  }
  std::size_t errors = 0;
  for (const auto& p : r.phases) errors += p.errors;
  return errors == 0 ? 0 : 1;
}

}  // namespace w1
