#pragma once
// The Audit engine: an append-only, tamper-evident trail of every change and every denial. Each
// tenant has its own hash chain (the tenant-less system chain, id 0, holds account changes):
// hash = BLAKE2b-256(prev_hash ‖ canonical entry). Entries are written in the same transaction as
// the change they record; a denied attempt is recorded in a transaction of its own.

#include <quire/quire_export.h>

#include <functional>
#include <memory>
#include <optional>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <string>
#include <string_view>

namespace quire {

namespace detail {
struct ContextState;
}

enum class ActorType : int { system = 0, user = 1, api_key = 2 };

// "system", "user", "api_key"
QUIRE_EXPORT std::string_view actor_type_name(ActorType type) noexcept;

struct AuditEntry {
  TenantId tenant_id = 0;  // the chain: the tenant, or 0 for the system chain
  std::int64_t seq = 0;    // 1, 2, … per chain, without gaps
  Timestamp at = 0;
  ActorType actor_type = ActorType::system;
  std::int64_t actor_id = 0;
  std::string action;         // "tenant.update", "post.publish", "member.add", …
  std::string resource_type;  // "tenant", "user", "member", "post", …
  std::string resource_id;
  std::string outcome;                    // "ok" or "denied"
  std::optional<std::string> old_values;  // JSON object: the changed fields before
  std::optional<std::string> new_values;  // JSON object: the changed fields after
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string prev_hash;  // 64 hex digits
  std::string hash;       // 64 hex digits
};

// Filters combine with AND; empty strings and empty optionals match everything.
struct AuditQuery {
  std::optional<ActorType> actor_type;
  std::optional<std::int64_t> actor_id;
  std::string action;
  std::string resource_type;
  std::string resource_id;
  std::string outcome;
  std::optional<Timestamp> since;  // inclusive
  std::optional<Timestamp> until;  // exclusive
  unsigned limit = 50;             // 1..1000
  std::string cursor;
};

// The newest entry of a chain: publish it elsewhere to anchor the chain against truncation.
struct AuditHead {
  std::int64_t seq = 0;  // 0 for an empty chain
  std::string hash;      // 64 hex digits; empty for an empty chain
};

struct Verification {
  bool ok = true;
  std::int64_t checked = 0;                   // entries whose hash was recomputed
  std::optional<std::int64_t> first_bad_seq;  // the first entry edited, removed, moved or missing
  std::string problem;                        // what was wrong there, for a person
};

enum class ExportFormat : int { jsonl = 0, csv = 1 };

// Reached through Context::audit(); reads the chain of the context's tenant (the system chain for
// the tenant-less system context). Needs audit.read (query, head, verify) or audit.export.
class QUIRE_EXPORT AuditEngine {
 public:
  explicit AuditEngine(std::shared_ptr<detail::ContextState> ctx) noexcept;

  // Newest first; keyset-paginated. Errors: invalid_argument, permission_denied.
  [[nodiscard]] Result<Page<AuditEntry>> query(const AuditQuery& query = {}) noexcept;
  [[nodiscard]] Result<AuditHead> head() noexcept;
  // Walks the whole chain. With a published head, also proves that the head is an entry of the
  // chain or the last entry the newest retention cut removed: a chain cut short before it, an
  // entry that differs from it, and a head older than the newest cut (which nothing left can
  // prove) are reported as not ok (docs/audit-trail.md).
  [[nodiscard]] Result<Verification> verify(
      const std::optional<AuditHead>& published = std::nullopt) noexcept;
  // Streams the chain oldest first to `sink`, one line (JSON Lines) or record (CSV, RFC 4180,
  // with a header) at a time, in pages, so any size fits in bounded memory.
  [[nodiscard]] Result<void> export_to(ExportFormat format,
                                       const std::function<void(std::string_view)>& sink) noexcept;
  [[nodiscard]] Result<std::string> export_text(ExportFormat format) noexcept;
  // Retention (system context only): removes the entries older than `cutoff` and appends an
  // audit.checkpoint entry recording the seq and hash of the last entry removed and the cut before
  // it, so verify() still passes. A head published before the cut can no longer be proven:
  // publish a new one. Returns how many entries were removed.
  [[nodiscard]] Result<std::int64_t> purge_before(Timestamp cutoff) noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
