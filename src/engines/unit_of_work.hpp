#pragma once
// The unit of work: the one path every engine operation takes. It opens the transaction (or joins
// the context's explicit one under a savepoint), runs the engine's body, and commits only if the
// body succeeded, so the permission check, the change and its audit entry (and, as the engines
// land, the version, the search index and the event) commit together or not at all. A denied
// attempt is audited after the rollback, in a transaction of its own.

#include <memory>
#include <new>
#include <optional>
#include <quire/result.hpp>
#include <quire/storage.hpp>
#include <shared_mutex>
#include <string>

#include "engines/audit_record.hpp"
#include "state.hpp"
#include "thread_marks.hpp"

namespace quire::detail {

class Unit {
 public:
  // Errors: invalid_argument (the database is closed; a write of a context outside the
  // transaction this thread holds, which could only wait for the thread itself), busy, storage.
  static Result<Unit> begin(const ContextState& ctx, storage::Access access) noexcept;

  Unit(Unit&& other) noexcept;
  Unit& operator=(Unit&&) = delete;
  Unit(const Unit&) = delete;
  ~Unit();

  storage::Transaction& tx() noexcept { return *transaction_; }
  const ContextState& ctx() const noexcept { return *ctx_; }

  // Appends the audit entry of a change made in this unit.
  Result<void> record(AuditRecord change);
  // The permission_denied error for `attempt`, remembered so that run_unit audits the attempt
  // once this unit has rolled back. Its facts name `permission` (the attempt's action when empty)
  // and the actor's `role` (see ErrorFacts).
  Error deny(AuditRecord attempt, std::string reason, std::string_view permission = {},
             std::string_view role = {});
  std::optional<AuditRecord>& denied() noexcept { return denied_; }

  // Commits the unit's own transaction, or releases its savepoint in an explicit one.
  Result<void> commit() noexcept;

 private:
  Unit() = default;
  // Rolls a joined unit back to its savepoint; when even that fails, its explicit transaction is
  // marked so that it cannot commit the half-done changes.
  void undo() noexcept;

  ThreadMark inside_;  // this thread runs an operation of the database (close() refuses)
  ThreadMark holds_;   // a joined unit: this thread holds the write transaction until it returns
  std::shared_lock<std::shared_mutex> open_;       // keeps close() out while the unit runs
  std::unique_lock<std::recursive_mutex> in_use_;  // an explicit transaction's, when joined
  std::unique_ptr<storage::Transaction> owned_;
  storage::Transaction* transaction_ = nullptr;
  const ContextState* ctx_ = nullptr;
  std::string savepoint_;  // set when joined to an explicit transaction
  std::optional<AuditRecord> denied_;
  bool done_ = false;
};

// Appends `record` with `outcome` ("ok", "denied") to its chain in `tx`: the next seq, the previous
// hash, and the hash of this entry.
Result<AuditEntry> append_audit(storage::Transaction& tx, const ContextState& ctx,
                                const AuditRecord& record, std::string_view outcome);

// Audits a denied attempt in a transaction of its own, or, inside an explicit transaction that is
// open, once the outermost transaction has ended.
void audit_denial(const ContextState& ctx, const AuditRecord& attempt) noexcept;

// How many times a unit of its own transaction runs when the backend reports a retryable
// failure (a serialization failure or a deadlock on PostgreSQL), before the failure is returned.
inline constexpr int unit_attempts = 5;

// Whether `error` says the whole transaction may simply run again: the backend sets
// ErrorFacts::retryable on such an error (a serialization failure or deadlock on PostgreSQL;
// SQLite, with its single writer, never does).
bool is_retryable(const Error& error) noexcept;

// Sleeps before attempt `attempt` + 1: a few milliseconds, doubling, with random jitter, so that
// the transactions that collided do not collide again in step.
void retry_backoff(int attempt) noexcept;

// Whether a unit of `ctx` may be run again: not when it belongs to an explicit transaction
// (Database::begin, Database::transaction), since only the caller can run that again.
inline bool may_retry(const ContextState& ctx) noexcept {
  return !ctx.explicit_transaction;
}

// Runs `body(unit)` as one unit of work and returns what it returned. Any exception the body
// lets out becomes an Error and rolls the unit back. A unit of its own transaction that fails in a
// retryable way (see is_retryable) is rolled back and run again, up to unit_attempts times in all:
// the body must be safe to run again, which it is as long as all it changes is in the
// transaction. Inside an explicit transaction nothing is retried (only its caller can run the
// whole transaction again): the error goes back as it is, Errc::busy.
template <class Body>
auto run_unit(const ContextState& ctx, storage::Access access, Body&& body) noexcept
    -> decltype(body(std::declval<Unit&>())) {
  for (int attempt = 1;; ++attempt) {
    std::optional<AuditRecord> denied;
    auto result = [&]() -> decltype(body(std::declval<Unit&>())) {
      try {
        QUIRE_TRY(auto unit, Unit::begin(ctx, access));
        auto outcome = body(unit);
        if (outcome) {
          QUIRE_TRY(unit.commit());
        } else if (outcome.error().code == Errc::permission_denied) {
          denied = std::move(unit.denied());
        }
        return outcome;
      } catch (const std::bad_alloc&) {
        return fail(Errc::internal, "out of memory");
      } catch (const std::exception& e) {
        return fail(Errc::internal, e.what());
      }
    }();
    if (!result && attempt < unit_attempts && is_retryable(result.error()) && may_retry(ctx)) {
      retry_backoff(attempt);
      continue;
    }
    if (denied) audit_denial(ctx, *denied);
    return result;
  }
}

template <class Body>
auto read_unit(const ContextState& ctx, Body&& body) noexcept {
  return run_unit(ctx, storage::Access::read, std::forward<Body>(body));
}

template <class Body>
auto write_unit(const ContextState& ctx, Body&& body) noexcept {
  return run_unit(ctx, storage::Access::write, std::forward<Body>(body));
}

}  // namespace quire::detail
