#include "engines/unit_of_work.hpp"

#include <fmt/format.h>

namespace quire::detail {

Result<UnitOfWork> UnitOfWork::begin(const ContextState& ctx, storage::Access access) noexcept {
  UnitOfWork unit;
  if (auto joined = ctx.explicit_transaction; joined && joined->transaction != nullptr) {
    // Inside Database::transaction: the outer call already holds the database open.
    unit.transaction_ = joined->transaction;
    if (access == storage::Access::write) {
      unit.savepoint_ = fmt::format("quire_unit_{}", ++joined->savepoints);
      QUIRE_TRY(unit.transaction_->savepoint(unit.savepoint_));
    }
    return unit;
  }
  unit.open_ = std::shared_lock(ctx.db->lifecycle);
  if (!ctx.db->backend) return fail(Errc::invalid_argument, "the database is closed");
  QUIRE_TRY(auto transaction, ctx.db->backend->begin(access));
  unit.owned_ = std::move(transaction);
  unit.transaction_ = unit.owned_.get();
  return unit;
}

UnitOfWork::UnitOfWork(UnitOfWork&& other) noexcept
    : open_(std::move(other.open_)),
      owned_(std::move(other.owned_)),
      transaction_(other.transaction_),
      savepoint_(std::move(other.savepoint_)),
      done_(other.done_) {
  other.transaction_ = nullptr;
  other.done_ = true;
}

UnitOfWork::~UnitOfWork() {
  if (done_ || transaction_ == nullptr) return;
  // An owned transaction rolls back in its own destructor; a joined one undoes only this unit.
  if (!savepoint_.empty()) (void)transaction_->rollback_to(savepoint_);
  owned_.reset();
}

Result<void> UnitOfWork::commit() noexcept {
  done_ = true;
  if (owned_) return owned_->commit();
  if (!savepoint_.empty()) return transaction_->release(savepoint_);
  return success();
}

}  // namespace quire::detail
