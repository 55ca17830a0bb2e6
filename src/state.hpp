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
};

// The transaction of a Database::transaction call, shared by every copy of the context handed to
// its body; cleared when the call returns, so a leaked copy cannot reach a finished transaction.
struct ExplicitTransaction {
  storage::Transaction* transaction = nullptr;
  unsigned savepoints = 0;  // names nested units uniquely
  // A failed unit inside could not be rolled back to its savepoint: its half-done changes are in
  // the transaction, so it must not commit, whatever the body returns.
  bool undo_failed = false;
  // Denied attempts inside: audited in their own transaction once this one has ended.
  std::vector<AuditRecord> denials;
};

struct ContextState {
  std::shared_ptr<DatabaseState> db;
  std::optional<TenantId> tenant;
  Actor actor;
  RequestInfo request;
  std::shared_ptr<ExplicitTransaction> explicit_transaction;

  bool is_system() const noexcept { return actor.type == ActorType::system; }
};

}  // namespace quire::detail
