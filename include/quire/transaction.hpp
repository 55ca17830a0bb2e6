#pragma once
// quire::Transaction: an explicit transaction as a handle, as database drivers have them. Begun by
// Database::begin; everything done through its context() commits together on commit(), and
// nothing does on rollback() or when the handle is destroyed first.

#include <quire/quire_export.h>

#include <memory>
#include <quire/context.hpp>
#include <quire/result.hpp>

namespace quire {

namespace detail {
struct ExplicitTransaction;
}

// Move-only. Threads: one thread at a time may use it and its context; it may be committed,
// rolled back or destroyed on another thread than the one that began it (the operations through
// its context run one at a time). While it is open it holds the backend's write lock (SQLite: the
// single writer), so other writers wait for it up to Options::busy_timeout_ms and then fail with
// busy; Database::close() rolls it back.
class QUIRE_EXPORT Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  // Rolls back the transaction this handle held, if open, then takes `other`'s.
  Transaction& operator=(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back unless committed or rolled back already.
  ~Transaction();

  // The context every operation of this transaction goes through: the actor, tenant and request
  // metadata of the context it was begun from. Copies of it belong to the transaction too. Once
  // the transaction has ended, every call through them fails with invalid_argument ("the
  // transaction has ended").
  [[nodiscard]] Context& context() noexcept;

  // Makes everything done through context() durable (a nested transaction: part of its parent).
  // Denied attempts made inside are audited now, each in its own transaction. The transaction has
  // ended afterwards even when the commit failed (then nothing of it was kept). Errors:
  // invalid_argument (it has ended already), busy, storage.
  [[nodiscard]] Result<void> commit() noexcept;
  // Undoes everything done through context(). Errors: invalid_argument (it has ended already).
  [[nodiscard]] Result<void> rollback() noexcept;
  // Neither committed nor rolled back (nor its parent, for a nested one, nor by Database::close).
  [[nodiscard]] bool is_open() const noexcept;

 private:
  friend class Database;
  Transaction(Context context, std::shared_ptr<detail::ExplicitTransaction> state) noexcept;
  Result<void> end(bool commit) noexcept;

  Context context_;
  std::shared_ptr<detail::ExplicitTransaction> state_;
};

}  // namespace quire
