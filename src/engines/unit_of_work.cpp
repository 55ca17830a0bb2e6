#include "engines/unit_of_work.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "engines/audit_chain.hpp"

namespace quire::detail {

namespace {

// Whether a write transaction of its own would wait for this very thread: SQLite has one writer,
// so while this thread holds the write transaction and cannot end it before the call returns (it
// is in a transaction body, or in an operation joined to a transaction), another context's write
// could only wait out the busy timeout. (PostgreSQL's writers wait only on the rows they share.)
bool waits_for_this_thread(const DatabaseState& db) noexcept {
  return this_thread_is_inside(db, Inside::write_transaction) && db.backend->name() == "sqlite";
}

}  // namespace

Result<Unit> Unit::begin(const ContextState& ctx, storage::Access access) noexcept {
  Unit unit;
  unit.ctx_ = &ctx;
  unit.inside_ = ThreadMark(*ctx.db, Inside::operation);
  if (const auto& joined = ctx.explicit_transaction) {
    // Inside an explicit transaction: it holds the database open (close() ends it first).
    auto& root = joined->root();
    unit.in_use_ = std::unique_lock(root.use);
    if (!joined->is_open()) return fail(Errc::invalid_argument, "the transaction has ended");
    unit.holds_ = ThreadMark(*ctx.db, Inside::write_transaction);
    unit.transaction_ = root.transaction;
    if (access == storage::Access::write) {
      // Named only once taken: a unit whose savepoint failed has nothing to roll back to.
      auto savepoint = fmt::format("quire_unit_{}", ++joined->savepoints);
      QUIRE_TRY(unit.transaction_->savepoint(savepoint));
      unit.savepoint_ = std::move(savepoint);
    }
    return unit;
  }
  unit.open_ = std::shared_lock(ctx.db->lifecycle);
  if (!ctx.db->backend) return fail(Errc::invalid_argument, "the database is closed");
  if (access == storage::Access::write && waits_for_this_thread(*ctx.db)) {
    return fail(Errc::invalid_argument,
                "this thread's own transaction holds the write lock: use the transaction's context "
                "(a write through another context would wait for the transaction, which cannot "
                "end before this call returns)");
  }
  QUIRE_TRY(unit.owned_, ctx.db->backend->begin(access));
  unit.transaction_ = unit.owned_.get();
  return unit;
}

Unit::Unit(Unit&& other) noexcept
    : inside_(std::move(other.inside_)),
      holds_(std::move(other.holds_)),
      open_(std::move(other.open_)),
      in_use_(std::move(other.in_use_)),
      owned_(std::move(other.owned_)),
      transaction_(other.transaction_),
      ctx_(other.ctx_),
      savepoint_(std::move(other.savepoint_)),
      denied_(std::move(other.denied_)),
      done_(other.done_) {
  other.transaction_ = nullptr;
  other.done_ = true;
}

Unit::~Unit() {
  if (done_ || transaction_ == nullptr) return;
  // An owned transaction rolls back in its own destructor; a joined one undoes only this unit.
  if (!savepoint_.empty()) undo();
  owned_.reset();
}

void Unit::undo() noexcept {
  // Called with the outermost's `use` held (in_use_), so the flag is written by one thread.
  if (!transaction_->rollback_to(savepoint_)) ctx_->explicit_transaction->root().undo_failed = true;
}

Result<void> Unit::record(AuditRecord change) {
  QUIRE_TRY(append_audit(*transaction_, *ctx_, change, "ok"));
  return success();
}

Error Unit::deny(AuditRecord attempt, std::string reason, std::string_view permission,
                 std::string_view role) {
  Error error = fail(Errc::permission_denied, std::move(reason));
  error.facts.permission = permission.empty() ? std::string_view(attempt.action) : permission;
  error.facts.role = role;
  denied_ = std::move(attempt);
  return error;
}

Result<void> Unit::commit() noexcept {
  done_ = true;
  if (owned_) return owned_->commit();
  if (!savepoint_.empty()) {
    auto released = transaction_->release(savepoint_);
    // The caller hears that this unit failed, so what it did must not stay in the transaction.
    if (!released) undo();
    return released;
  }
  return success();
}

namespace {

// At most this many bytes of any one string an audit entry records. A denied attempt is recorded
// with what was tried, before (or instead of) the validation that would refuse it, so an 8 MB
// username must not become 8 MB of trail: the entry says what was tried and how big it was.
constexpr std::size_t max_audited_bytes = 512;

std::string bounded_text(std::string_view text) {
  if (text.size() <= max_audited_bytes) return std::string(text);
  std::size_t cut = max_audited_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return fmt::format("{}…[truncated: {} bytes in all]", text.substr(0, cut), text.size());
}

Json bounded_values(const Json& value) {
  if (value.is_string()) return bounded_text(value.get_ref<const std::string&>());
  if (!value.is_structured()) return value;
  Json out = value.is_object() ? Json::object() : Json::array();
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (value.is_object()) {
      out[bounded_text(it.key())] = bounded_values(*it);
    } else {
      out.push_back(bounded_values(*it));
    }
  }
  return out;
}

}  // namespace

Result<AuditEntry> append_audit(storage::Transaction& tx, const ContextState& ctx,
                                const AuditRecord& record, std::string_view outcome) {
  AuditEntry entry;
  entry.tenant_id = record.chain;
  entry.at = now_ms();
  entry.actor_type = ctx.actor.type;
  entry.actor_id = ctx.actor.id;
  entry.action = bounded_text(record.action);
  entry.resource_type = bounded_text(record.resource_type);
  entry.resource_id = bounded_text(record.resource_id);
  entry.outcome = std::string(outcome);
  if (record.old_values) entry.old_values = dump_json(bounded_values(*record.old_values));
  if (record.new_values) entry.new_values = dump_json(bounded_values(*record.new_values));
  entry.ip = bounded_text(ctx.request.ip);
  entry.user_agent = bounded_text(ctx.request.user_agent);
  entry.request_id = bounded_text(ctx.request.request_id);
  QUIRE_TRY(auto head, tx.audit().head(entry.tenant_id));
  entry.seq = head ? head->seq + 1 : 1;
  entry.prev_hash = head ? head->hash : genesis_hash();
  entry.hash = entry_hash(entry);
  QUIRE_TRY(tx.audit().append(entry));
  return entry;
}

bool is_retryable(const Error& error) noexcept {
  return error.code == Errc::busy && error.facts.retryable;
}

void retry_backoff(int attempt) noexcept {
  // 2, 4, 8, 16 ms, capped at 50, each with up to as much again at random.
  const int base = std::min(50, 1 << std::clamp(attempt, 1, 6));
  thread_local std::minstd_rand jitter(std::random_device{}());
  const int wait = base + static_cast<int>(jitter() % static_cast<unsigned>(base + 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(wait));
}

void audit_denial(const ContextState& ctx, const AuditRecord& attempt) noexcept {
  if (const auto& joined = ctx.explicit_transaction) {
    auto& root = joined->root();
    std::lock_guard lock(root.use);
    if (joined->is_open()) {
      try {
        root.denials.push_back(attempt);
      } catch (...) {
        // Out of memory while failing already: the denial itself has been reported to the caller.
      }
      return;
    }
  }
  // A context of an ended transaction cannot write: audit as the context it was begun from.
  const ContextState& outside =
      ctx.explicit_transaction ? *ctx.explicit_transaction->root().outside : ctx;
  (void)write_unit(outside, [&](Unit& unit) -> Result<AuditEntry> {
    return append_audit(unit.tx(), outside, attempt, "denied");
  });
}

}  // namespace quire::detail
