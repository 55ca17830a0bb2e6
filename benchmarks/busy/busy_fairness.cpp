// Waiting for the SQLite write lock under saturating load: P processes x T threads, each writing
// as fast as it can for S seconds with a 1 s busy timeout. Prints JSON: writes, how many calls
// came back busy, and the slowest call. Usage: busy_fairness [processes] [threads] [seconds]

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <quire/quire.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Tally {
  long writes = 0;
  long busy = 0;
  long other = 0;
  double worst_ms = 0;
};

quire::Options options() {
  quire::Options o;
  o.busy_timeout_ms = 1000;
  return o;
}

Tally run_process(const std::string& url, int process, int threads, int seconds) {
  auto db = quire::Database::open(url, options());
  if (!db) {
    std::fprintf(stderr, "open: %s\n", db.error().message.c_str());
    std::exit(2);
  }
  const auto stop = Clock::now() + std::chrono::seconds(seconds);
  std::vector<Tally> tallies(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto& tally = tallies[static_cast<std::size_t>(t)];
      auto ctx = db.value().system("bench");
      if (!ctx) std::exit(3);
      for (long i = 0; Clock::now() < stop; ++i) {
        const auto start = Clock::now();
        auto done = ctx.value().tenants().update(
            "bench", {.name = "p" + std::to_string(process) + "t" + std::to_string(t) + "-" +
                              std::to_string(i)});
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        tally.worst_ms = std::max(tally.worst_ms, ms);
        if (done) {
          ++tally.writes;
        } else if (done.error().code == quire::Errc::busy) {
          ++tally.busy;
        } else {
          ++tally.other;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  Tally total;
  for (const auto& t : tallies) {
    total.writes += t.writes;
    total.busy += t.busy;
    total.other += t.other;
    total.worst_ms = std::max(total.worst_ms, t.worst_ms);
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const int processes = argc > 1 ? std::atoi(argv[1]) : 4;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 8;
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 20;
  const auto dir =
      std::filesystem::temp_directory_path() / ("quire-busy-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite:" + (dir / "busy.db").string();
  {
    auto db = quire::Database::open(url, options());
    if (!db || !db.value().system().tenants().create({.slug = "bench", .name = "Bench"})) return 1;
  }
  std::vector<int> pipes;
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    const pid_t child = fork();
    if (child == 0) {
      close(fds[0]);
      const Tally t = run_process(url, p, threads, seconds);
      if (write(fds[1], &t, sizeof t) != static_cast<ssize_t>(sizeof t)) _exit(4);
      _exit(0);
    }
    close(fds[1]);
    pipes.push_back(fds[0]);
    children.push_back(child);
  }
  Tally total;
  std::string per_process;
  for (std::size_t p = 0; p < children.size(); ++p) {
    Tally t;
    if (read(pipes[p], &t, sizeof t) != static_cast<ssize_t>(sizeof t)) return 1;
    waitpid(children[p], nullptr, 0);
    total.writes += t.writes;
    total.busy += t.busy;
    total.other += t.other;
    total.worst_ms = std::max(total.worst_ms, t.worst_ms);
    per_process += (p ? "," : "") + std::to_string(t.writes);
  }
  std::printf(
      "{\"processes\":%d,\"threads\":%d,\"seconds\":%d,\"busy_timeout_ms\":1000,\"writes\":%ld,"
      "\"writes_per_process\":[%s],\"busy\":%ld,\"other_errors\":%ld,\"worst_call_ms\":%.1f}\n",
      processes, threads, seconds, total.writes, per_process.c_str(), total.busy, total.other,
      total.worst_ms);
  std::filesystem::remove_all(dir);
  return 0;
}
