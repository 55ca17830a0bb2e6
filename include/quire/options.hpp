#pragma once
// What a host can tune when it opens a database. Every field has a safe default.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quire {

// SQLite durability. `full` (the default) loses no acknowledged commit even on power loss; `normal`
// may roll back the last commits on power loss, never on an application crash.
enum class Synchronous : int { full = 0, normal = 1 };

// A plan's quotas; 0 means unlimited.
struct Plan {
  std::string name;
  std::int64_t max_members = 0;
  std::int64_t max_posts = 0;
};

// argon2id cost (libsodium crypto_pwhash_str). Values below OWASP's minimum line (m=19 MiB with
// t=2, or its equivalents) are refused by Database::open. The default is libsodium's INTERACTIVE
// preset.
struct PasswordHashing {
  std::uint64_t opslimit = 2;
  std::size_t memlimit = std::size_t{64} * 1024 * 1024;
  // Hashing is a memory-hungry operation: at most this many run at once, the rest wait.
  unsigned max_concurrent = 4;
};

struct Options {
  Synchronous synchronous = Synchronous::full;
  unsigned reader_connections =
      4;  // SQLite file databases; an in-memory database uses one connection
  unsigned busy_timeout_ms = 5000;
  unsigned wal_autocheckpoint_pages =
      1000;  // bounds the WAL; it is truncated back after checkpoints
  std::string default_plan = "free";
  std::vector<Plan> plans = {{"free", 5, 100}, {"pro", 50, 10000}, {"enterprise", 0, 0}};
  PasswordHashing passwords;
  std::int64_t session_ttl_ms = std::int64_t{12} * 60 * 60 * 1000;  // a login lasts 12 hours
  // How long an invitation to join a tenant stays valid (TenantEngine::invite): 7 days.
  std::int64_t invitation_ttl_ms = std::int64_t{7} * 24 * 60 * 60 * 1000;
  unsigned free_login_failures = 5;  // failures in a row before delays start (1 s, 2 s, 4 s, …)
};

}  // namespace quire
