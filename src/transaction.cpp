// Transaction handles: Database::begin and quire::Transaction. One outermost transaction owns a
// storage write transaction; one begun inside it is a savepoint. The units of work of their
// contexts join them (unit_of_work.cpp).

#include <fmt/format.h>

#include <algorithm>
#include <quire/database.hpp>
#include <quire/transaction.hpp>

#include "engines/unit_of_work.hpp"
#include "state.hpp"

namespace quire {

namespace detail {

namespace {

Error ended_error() {
  return fail(Errc::invalid_argument, "the transaction has ended");
}

void forget_handle(DatabaseState& db, const ExplicitTransaction* tx) noexcept {
  std::lock_guard lock(db.handles_mutex);
  std::erase_if(db.open_handles, [&](const std::weak_ptr<ExplicitTransaction>& handle) {
    const auto open = handle.lock();
    return !open || open.get() == tx;
  });
}

}  // namespace

Result<void> end_transaction(ExplicitTransaction& tx, bool commit) noexcept {
  Result<void> result = success();
  std::vector<AuditRecord> denials;
  {
    std::lock_guard lock(tx.use);
    if (tx.ended) return ended_error();
    tx.ended = true;
    if (commit && tx.undo_failed) {
      result = fail(Errc::storage,
                    "an operation inside this transaction failed and could not be undone (ROLLBACK "
                    "TO its savepoint failed), so nothing was committed");
    } else if (commit) {
      result = tx.owned->commit();
    }
    tx.transaction = nullptr;
    tx.owned.reset();  // rolls back unless committed
    denials.swap(tx.denials);
  }
  forget_handle(*tx.outside->db, &tx);
  // Denied attempts inside were held back: audit them now, each in its own transaction.
  for (const auto& attempt : denials) audit_denial(*tx.outside, attempt);
  return result;
}

}  // namespace detail

Result<Transaction> Database::begin(const Context& ctx) noexcept {
  try {
    if (ctx.state_->db != state_) {
      return fail(Errc::invalid_argument, "the context belongs to another database");
    }
    auto tx = std::make_shared<detail::ExplicitTransaction>();
    auto inner = std::make_shared<detail::ContextState>(*ctx.state_);
    auto outside = std::make_shared<detail::ContextState>(*ctx.state_);
    outside->explicit_transaction.reset();
    tx->outside = std::move(outside);
    if (const auto& parent = ctx.state_->explicit_transaction) {
      // Nested: a savepoint of the transaction the context belongs to.
      auto& root = parent->root();
      std::lock_guard lock(root.use);
      if (!parent->is_open()) return detail::ended_error();
      tx->parent = parent;
      tx->savepoint = fmt::format("quire_tx_{}", ++root.savepoints);
      QUIRE_TRY(root.transaction->savepoint(tx->savepoint));
    } else {
      std::shared_lock open(state_->lifecycle);
      if (!state_->backend) return fail(Errc::invalid_argument, "the database is closed");
      QUIRE_TRY(tx->owned, state_->backend->begin(storage::Access::write));
      tx->transaction = tx->owned.get();
      std::lock_guard lock(state_->handles_mutex);
      if (state_->closing) {
        tx->owned.reset();  // while `open` still keeps the backend
        return fail(Errc::invalid_argument, "the database is closed");
      }
      state_->open_handles.push_back(tx);
    }
    inner->explicit_transaction = tx;
    return Transaction(Context(std::move(inner)), std::move(tx));
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

Transaction::Transaction(Context context,
                         std::shared_ptr<detail::ExplicitTransaction> state) noexcept
    : context_(std::move(context)), state_(std::move(state)) {}

Transaction::Transaction(Transaction&& other) noexcept = default;

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (is_open()) (void)end(false);
    context_ = std::move(other.context_);
    state_ = std::move(other.state_);
  }
  return *this;
}

Transaction::~Transaction() {
  if (is_open()) (void)end(false);
}

Context& Transaction::context() noexcept {
  return context_;
}

Result<void> Transaction::commit() noexcept {
  return end(true);
}

Result<void> Transaction::rollback() noexcept {
  return end(false);
}

bool Transaction::is_open() const noexcept {
  if (!state_) return false;
  std::lock_guard lock(state_->root().use);
  return state_->is_open();
}

Result<void> Transaction::end(bool commit) noexcept {
  if (!state_) return fail(Errc::invalid_argument, "the transaction was moved from");
  auto& tx = *state_;
  if (!tx.parent) return detail::end_transaction(tx, commit);
  auto& root = tx.root();
  std::lock_guard lock(root.use);
  if (!tx.is_open()) return detail::ended_error();
  tx.ended = true;
  // Denials inside stay with the outermost transaction, which audits them when it ends.
  Result<void> released = success();
  if (commit) {
    released = root.transaction->release(tx.savepoint);
    if (released) return released;
    // The caller hears that this one failed, so what it did must not stay in the outermost.
  }
  auto undone = root.transaction->rollback_to(tx.savepoint);
  if (!undone) root.undo_failed = true;
  return released ? undone : released;
}

}  // namespace quire
