#pragma once
// The unit of work: the one path every engine operation takes. It opens the transaction (or joins
// the context's explicit one under a savepoint), runs the engine's body, and commits only if the
// body succeeded, so the permission check, the change and everything recorded with it commit
// together or not at all. Engines describe what changes; this makes it atomic.

#include <memory>
#include <new>
#include <quire/result.hpp>
#include <quire/storage.hpp>
#include <shared_mutex>
#include <string>

#include "state.hpp"

namespace quire::detail {

class UnitOfWork {
 public:
  // Errors: invalid_argument (the database is closed), busy, storage.
  static Result<UnitOfWork> begin(const ContextState& ctx, storage::Access access) noexcept;

  UnitOfWork(UnitOfWork&& other) noexcept;
  UnitOfWork& operator=(UnitOfWork&&) = delete;
  UnitOfWork(const UnitOfWork&) = delete;
  ~UnitOfWork();

  storage::Transaction& tx() noexcept { return *transaction_; }
  // Commits the unit's own transaction, or releases its savepoint in an explicit one.
  Result<void> commit() noexcept;

 private:
  UnitOfWork() = default;

  std::shared_lock<std::shared_mutex> open_;  // keeps close() out while the unit runs
  std::unique_ptr<storage::Transaction> owned_;
  storage::Transaction* transaction_ = nullptr;
  std::string savepoint_;  // set when joined to an explicit transaction
  bool done_ = false;
};

// Runs `body(transaction)` as one unit of work and returns what it returned. Any exception the body
// lets out becomes an Error and rolls the unit back.
template <class Body>
auto run_unit(const ContextState& ctx, storage::Access access, Body&& body) noexcept
    -> decltype(body(std::declval<storage::Transaction&>())) {
  try {
    QUIRE_TRY(auto unit, UnitOfWork::begin(ctx, access));
    auto result = body(unit.tx());
    if (result) {
      QUIRE_TRY(unit.commit());
    }
    return result;
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
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
