// The Audit engine: reading, verifying, exporting and pruning the hash chains that the unit of
// work appends to.

#include <fmt/format.h>

#include <quire/audit.hpp>

#include "core/cursor.hpp"
#include "core/json.hpp"
#include "core/validate.hpp"
#include "engines/audit_chain.hpp"
#include "engines/authorize.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

std::string_view actor_type_name(ActorType type) noexcept {
  switch (type) {
    case ActorType::system:
      return "system";
    case ActorType::user:
      return "user";
    case ActorType::api_key:
      return "api_key";
  }
  return "unknown";
}

namespace {

constexpr unsigned page_size = 1000;  // entries read at a time by verify and export

TenantId chain_of(const detail::ContextState& ctx) {
  return ctx.tenant.value_or(0);
}

Result<void> require_audit(Unit& unit, std::string_view permission, std::string action) {
  const TenantId chain = chain_of(unit.ctx());
  const AuditRecord attempt{chain, std::move(action), "audit", std::to_string(chain), {}, {}};
  if (chain == 0) return detail::require_system(unit, "read the system chain", attempt);
  return detail::require(unit, permission, chain, std::to_string(chain), attempt);
}

Json optional_json(const std::optional<std::string>& text) {
  return text ? Json::parse(*text) : Json();
}

Json entry_json(const AuditEntry& e) {
  return {{"tenant_id", e.tenant_id},
          {"seq", e.seq},
          {"at", format_rfc3339(e.at)},
          {"actor_type", actor_type_name(e.actor_type)},
          {"actor_id", e.actor_id},
          {"action", e.action},
          {"resource_type", e.resource_type},
          {"resource_id", e.resource_id},
          {"outcome", e.outcome},
          {"old", optional_json(e.old_values)},
          {"new", optional_json(e.new_values)},
          {"ip", e.ip},
          {"user_agent", e.user_agent},
          {"request_id", e.request_id},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

// Whether a spreadsheet would take the cell for a formula (OWASP, CSV injection): one that starts
// with = + - @, a tab or a carriage return.
bool looks_like_formula(std::string_view value) {
  return !value.empty() &&
         std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. A field that
// looks like a formula is quoted and starts with a single quote, so that a spreadsheet shows it
// as text instead of running it (the audit trail records what users typed).
std::string csv_field(std::string_view value) {
  const bool formula = looks_like_formula(value);
  if (!formula && value.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = formula ? "\"'" : "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_record(const AuditEntry& e) {
  const std::string fields[] = {std::to_string(e.tenant_id),
                                std::to_string(e.seq),
                                format_rfc3339(e.at),
                                std::string(actor_type_name(e.actor_type)),
                                std::to_string(e.actor_id),
                                e.action,
                                e.resource_type,
                                e.resource_id,
                                e.outcome,
                                e.old_values.value_or(""),
                                e.new_values.value_or(""),
                                e.ip,
                                e.user_agent,
                                e.request_id,
                                e.prev_hash,
                                e.hash};
  std::string line;
  for (const auto& field : fields) {
    if (!line.empty()) line += ',';
    line += csv_field(field);
  }
  return line + "\r\n";
}

constexpr std::string_view csv_header =
    "tenant_id,seq,at,actor_type,actor_id,action,resource_type,resource_id,outcome,old,new,ip,"
    "user_agent,request_id,prev_hash,hash\r\n";

// Where the chain may start: seq 1 from the genesis hash, or just after a retention cut, from the
// hash the newest audit.checkpoint entry recorded for the last entry it removed. Returns the
// prev_hash the first entry must carry, or the seq that is missing.
struct ChainStart {
  std::string prev_hash;
  std::int64_t cut = 0;           // the seq of the last entry removed by retention (0: none)
  std::int64_t missing_from = 0;  // > 0: the entries from here up to the first one are gone
};

// A retention cut as its checkpoint records it: the last entry removed and its hash, and the cut
// before it, so the cuts form a chain of their own inside the chain they describe.
struct Cut {
  std::int64_t through = 0;
  std::string hash;
  std::int64_t previous_through = 0;
  std::string previous_hash;
};

Cut cut_of(const AuditEntry& checkpoint) {
  const auto values = Json::parse(checkpoint.new_values.value_or("{}"));
  return {values.value("purged_through", std::int64_t{0}), values.value("hash_at_cut", ""),
          values.value("previous_through", std::int64_t{0}), values.value("previous_hash", "")};
}

// The newest checkpoint's cut (none: through 0, the genesis hash).
Result<Cut> newest_cut(storage::Transaction& tx, TenantId chain) {
  storage::AuditFilter filter;
  filter.action = "audit.checkpoint";
  filter.limit = 1;
  QUIRE_TRY(auto checkpoints, tx.audit().query(chain, filter));
  if (checkpoints.empty()) return Cut{0, detail::genesis_hash(), 0, {}};
  return cut_of(checkpoints.front());
}

Result<ChainStart> chain_start(storage::Transaction& tx, TenantId chain, const AuditEntry& first) {
  if (first.seq == 1) return ChainStart{detail::genesis_hash(), 0, 0};
  // Only the newest cut may explain where the chain starts: an older checkpoint describes a start
  // that a later purge has since moved.
  QUIRE_TRY(const auto cut, newest_cut(tx, chain));
  if (cut.through == first.seq - 1) return ChainStart{cut.hash, cut.through, 0};
  return ChainStart{"", 0, cut.through + 1};
}

}  // namespace

AuditEngine::AuditEngine(std::shared_ptr<detail::ContextState> ctx) noexcept
    : ctx_(std::move(ctx)) {}

Result<Page<AuditEntry>> AuditEngine::query(const AuditQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(auto before, detail::decode_id_cursor(query.cursor));
  if (!query.outcome.empty() && query.outcome != "ok" && query.outcome != "denied") {
    return fail(Errc::invalid_argument,
                fmt::format("outcome {} must be ok or denied", detail::quoted(query.outcome)));
  }
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Page<AuditEntry>> {
    QUIRE_TRY(require_audit(unit, "audit.read", "audit.query"));
    storage::AuditFilter filter;
    filter.actor_type = query.actor_type;
    filter.actor_id = query.actor_id;
    filter.action = query.action;
    filter.resource_type = query.resource_type;
    filter.resource_id = query.resource_id;
    filter.outcome = query.outcome;
    filter.since = query.since;
    filter.until = query.until;
    filter.before_seq = before;
    filter.limit = query.limit + 1;
    Page<AuditEntry> page;
    QUIRE_TRY(page.items, unit.tx().audit().query(chain_of(*ctx_), filter));
    if (page.items.size() > query.limit) {
      page.items.pop_back();
      page.next_cursor = detail::encode_cursor(page.items.back().seq);
    }
    return page;
  });
}

Result<AuditHead> AuditEngine::head() noexcept {
  return read_unit(*ctx_, [&](Unit& unit) -> Result<AuditHead> {
    QUIRE_TRY(require_audit(unit, "audit.read", "audit.head"));
    QUIRE_TRY(auto head, unit.tx().audit().head(chain_of(*ctx_)));
    return head.value_or(AuditHead{});
  });
}

Result<Verification> AuditEngine::verify(const std::optional<AuditHead>& published) noexcept {
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Verification> {
    QUIRE_TRY(require_audit(unit, "audit.read", "audit.verify"));
    auto& audit = unit.tx().audit();
    const TenantId chain = chain_of(*ctx_);
    Verification result;
    const auto bad = [&](std::int64_t seq, std::string problem) {
      result.ok = false;
      result.first_bad_seq = seq;
      result.problem = std::move(problem);
      return result;
    };

    std::int64_t expected_seq = 0;
    std::string prev_hash;
    std::string published_hash_seen;
    std::int64_t cut = 0;  // the last entry retention removed, whose hash the chain starts from
    std::string hash_at_cut;
    for (std::int64_t after = 0;;) {
      QUIRE_TRY(auto entries, audit.scan(chain, after, page_size));
      if (entries.empty()) break;
      if (expected_seq == 0) {
        QUIRE_TRY(auto start, chain_start(unit.tx(), chain, entries.front()));
        if (start.missing_from > 0) {
          return bad(start.missing_from,
                     fmt::format("entries {} to {} are missing and no checkpoint covers them",
                                 start.missing_from, entries.front().seq - 1));
        }
        expected_seq = entries.front().seq;
        prev_hash = start.prev_hash;
        cut = start.cut;
        hash_at_cut = start.prev_hash;
      }
      for (const auto& entry : entries) {
        if (entry.seq != expected_seq) {
          return bad(expected_seq, fmt::format("entry {} is missing", expected_seq));
        }
        if (entry.prev_hash != prev_hash) {
          return bad(entry.seq,
                     fmt::format("entry {} does not follow entry {}", entry.seq, entry.seq - 1));
        }
        if (detail::entry_hash(entry) != entry.hash) {
          return bad(entry.seq,
                     fmt::format("entry {} was changed after it was written", entry.seq));
        }
        if (published && entry.seq == published->seq) published_hash_seen = entry.hash;
        prev_hash = entry.hash;
        ++expected_seq;
        ++result.checked;
      }
      after = entries.back().seq;
    }
    if (published && published->seq > 0) {
      // A head older than the cut cannot be proven: the entries that linked it to the chain are
      // gone, and whoever can write the file can also write a checkpoint that claims they were
      // purged. Only a head at the cut (its hash is the prev_hash of the first entry left) or
      // after it is tied to the chain by hashes.
      if (published->seq < cut) {
        return bad(published->seq,
                   fmt::format("the published head {} lies in entries 1 to {}, removed by "
                               "retention: it cannot be proven; publish a head newer than the "
                               "last purge",
                               published->seq, cut));
      }
      if (published->seq == cut) {
        if (hash_at_cut != published->hash) {
          return bad(published->seq,
                     fmt::format("entry {} differs from the published head", published->seq));
        }
        return result;
      }
      if (expected_seq <= published->seq) {
        const auto first_missing = std::max<std::int64_t>(expected_seq, 1);
        return bad(first_missing,
                   fmt::format("the chain ends before the published head {}", published->seq));
      }
      if (!published_hash_seen.empty() && published_hash_seen != published->hash) {
        return bad(published->seq,
                   fmt::format("entry {} differs from the published head", published->seq));
      }
    }
    return result;
  });
}

Result<void> AuditEngine::export_to(ExportFormat format,
                                    const std::function<void(std::string_view)>& sink) noexcept {
  if (!sink) return fail(Errc::invalid_argument, "export sink must not be empty");
  return read_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(require_audit(unit, "audit.export", "audit.export"));
    if (format == ExportFormat::csv) sink(csv_header);
    for (std::int64_t after = 0;;) {
      QUIRE_TRY(auto entries, unit.tx().audit().scan(chain_of(*ctx_), after, page_size));
      if (entries.empty()) return success();
      for (const auto& entry : entries) {
        sink(format == ExportFormat::csv ? csv_record(entry)
                                         : detail::dump_json(entry_json(entry)) + "\n");
      }
      after = entries.back().seq;
    }
  });
}

Result<std::string> AuditEngine::export_text(ExportFormat format) noexcept {
  std::string text;
  QUIRE_TRY(export_to(format, [&](std::string_view chunk) { text.append(chunk); }));
  return text;
}

Result<std::int64_t> AuditEngine::purge_before(Timestamp cutoff) noexcept {
  return write_unit(*ctx_, [&](Unit& unit) -> Result<std::int64_t> {
    const TenantId chain = chain_of(*ctx_);
    QUIRE_TRY(
        detail::require_system(unit, "purge the audit trail",
                               {chain, "audit.purge", "audit", std::to_string(chain), {}, {}}));
    auto& audit = unit.tx().audit();
    QUIRE_TRY(const auto through, audit.last_seq_before(chain, cutoff));
    if (through == 0) return std::int64_t{0};
    QUIRE_TRY(auto cut, audit.scan(chain, through - 1, 1));
    if (cut.empty() || cut.front().seq != through) {
      return fail(Errc::corrupt, fmt::format("audit entry {} is missing; run verify()", through));
    }
    // The checkpoint vouches for where the chain will start, so verify() still passes. It is
    // appended first, so the chain is never empty and its seq keeps counting.
    QUIRE_TRY(const auto previous, newest_cut(unit.tx(), chain));
    QUIRE_TRY(unit.record({chain,
                           "audit.checkpoint",
                           "audit",
                           std::to_string(chain),
                           {},
                           Json{{"purged_through", through},
                                {"hash_at_cut", cut.front().hash},
                                {"previous_through", previous.through},
                                {"previous_hash", previous.hash}}}));
    return audit.purge_through(chain, through);
  });
}

}  // namespace quire
