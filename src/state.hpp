#pragma once
// What a Database and a Context hold. Internal: the public classes are handles onto these.

#include <memory>
#include <mutex>
#include <optional>
#include <quire/context.hpp>
#include <quire/options.hpp>
#include <quire/storage.hpp>
#include <semaphore>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engines/audit_record.hpp"

namespace quire::detail {

struct ExplicitTransaction;

struct DatabaseState {
  DatabaseState(Options opts, std::unique_ptr<storage::Backend> store)
      : options(std::move(opts)),
        backend(std::move(store)),
        password_slots(static_cast<std::ptrdiff_t>(options.passwords.max_concurrent)) {}

  Options options;
  // Operations hold it shared; close() takes it exclusively, so it waits for them and they never
  // see a half-closed backend.
  std::shared_mutex lifecycle;
  std::unique_ptr<storage::Backend> backend;  // null once closed
  // Bounds the argon2id hashes running at once: each one takes Options::passwords.memlimit.
  std::counting_semaphore<1024> password_slots;
  // Verified against when a login names no known user, so that it takes as long as a real one.
  std::once_flag dummy_hash_once;
  std::string dummy_hash;
  // The outermost transaction handles still open (Database::begin), which close() rolls back
  // before it waits for the operations in flight: a handle does not hold `lifecycle`, since it may
  // end on another thread than the one that began it.
  std::mutex handles_mutex;
  bool closing = false;  // set by close(): begin() refuses from then on
  std::vector<std::weak_ptr<ExplicitTransaction>> open_handles;
};

// The state of a transaction handle (quire::Transaction), shared by every copy of its context.
// The outermost one owns the storage transaction; one begun inside it is a savepoint of its
// parent. Once it has ended, its contexts fail: none can reach a finished transaction.
struct ExplicitTransaction {
  // Held by every unit that runs in the transaction and by commit and rollback, so that the
  // storage transaction is used by one thread at a time and close() can end it between two
  // operations. Recursive: a unit's thread may end the transaction (close() inside a body).
  // Only the outermost's is used (root()).
  std::recursive_mutex use;
  std::unique_ptr<storage::Transaction> owned;  // the outermost's, until it ends
  storage::Transaction* transaction = nullptr;  // the outermost's; null once it ended
  std::shared_ptr<ExplicitTransaction> parent;  // set for a nested one
  std::string savepoint;                        // a nested one's, in its parent
  unsigned savepoints = 0;                      // names savepoints uniquely (the outermost's)
  bool ended = false;
  // A failed unit inside could not be rolled back to its savepoint: its half-done changes are in
  // the transaction, so it must not commit, whatever the body returns (kept on the outermost).
  bool undo_failed = false;
  // Denied attempts inside: audited in their own transaction once the outermost has ended, by
  // `outside`, the context the transaction was begun from (not joined to it).
  std::vector<AuditRecord> denials;
  std::shared_ptr<const ContextState> outside;

  ExplicitTransaction& root() noexcept { return parent ? parent->root() : *this; }
  // Neither this nor any transaction it is nested in has ended.
  bool is_open() const noexcept { return !ended && (!parent || parent->is_open()); }
};

struct ContextState {
  std::shared_ptr<DatabaseState> db;
  std::optional<TenantId> tenant;
  Actor actor;
  RequestInfo request;
  std::shared_ptr<ExplicitTransaction> explicit_transaction;

  bool is_system() const noexcept { return actor.type == ActorType::system; }
};

// Ends an outermost transaction: commits it (or rolls it back), unregisters it from its database
// and audits the denials held back inside. Errors: invalid_argument (it has ended already), and
// the commit's.
Result<void> end_transaction(ExplicitTransaction& tx, bool commit) noexcept;

}  // namespace quire::detail
