#include "storage/sqlite/sqlite_backend.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "storage/sqlite/sqlite_errors.hpp"
#include "storage/sqlite/sqlite_schema.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

// A transaction on one connection. It holds the connection for its whole life: the writer through
// the lock it owns, a reader by giving it back to the pool when it ends.
class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(Connection& connection, Access access, std::unique_lock<TimedGate> lock,
                    SqliteBackend* pool_owner)
      : connection_(connection),
        access_(access),
        lock_(std::move(lock)),
        pool_owner_(pool_owner),
        tenants_(connection),
        users_(connection),
        members_(connection),
        invitations_(connection),
        audit_(connection),
        posts_(connection),
        versions_(connection),
        roles_(connection),
        grants_(connection),
        keys_(connection),
        sessions_(connection) {}

  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  ~SqliteTransaction() override {
    if (!finished_) connection_.control_quietly(Connection::Control::rollback);
    if (access_ == Access::read && pool_owner_ == nullptr) {
      connection_.exec_quietly("PRAGMA query_only = OFF");
    }
    if (pool_owner_ != nullptr) pool_owner_->give_back(&connection_);
  }

  Access access() const noexcept override { return access_; }
  TenantStore& tenants() noexcept override { return tenants_; }
  UserStore& users() noexcept override { return users_; }
  MemberStore& members() noexcept override { return members_; }
  InvitationStore& invitations() noexcept override { return invitations_; }
  AuditStore& audit() noexcept override { return audit_; }
  PostStore& posts() noexcept override { return posts_; }
  VersionStore& versions() noexcept override { return versions_; }
  RoleStore& roles() noexcept override { return roles_; }
  GrantStore& grants() noexcept override { return grants_; }
  KeyStore& keys() noexcept override { return keys_; }
  SessionStore& sessions() noexcept override { return sessions_; }

  Result<void> savepoint(std::string_view name) noexcept override {
    return run(fmt::format("SAVEPOINT \"{}\"", name));
  }
  Result<void> release(std::string_view name) noexcept override {
    return run(fmt::format("RELEASE \"{}\"", name));
  }
  Result<void> rollback_to(std::string_view name) noexcept override {
    QUIRE_TRY(run(fmt::format("ROLLBACK TO \"{}\"", name)));
    return run(fmt::format("RELEASE \"{}\"", name));
  }

  Result<void> commit() noexcept override {
    if (finished_) return fail(Errc::internal, "transaction already ended");
    QUIRE_TRY(guarded([&]() -> Result<void> {
      connection_.control(Connection::Control::commit);
      return success();
    }));
    finished_ = true;
    return success();
  }

 private:
  Result<void> run(const std::string& sql) noexcept {
    return guarded([&]() -> Result<void> {
      connection_.exec(sql.c_str());
      return success();
    });
  }

  Connection& connection_;
  Access access_;
  std::unique_lock<TimedGate> lock_;
  SqliteBackend* pool_owner_;  // set for a borrowed reader
  bool finished_ = false;
  SqliteTenantStore tenants_;
  SqliteUserStore users_;
  SqliteMemberStore members_;
  SqliteInvitationStore invitations_;
  SqliteAuditStore audit_;
  SqlitePostStore posts_;
  SqliteVersionStore versions_;
  SqliteRoleStore roles_;
  SqliteGrantStore grants_;
  SqliteKeyStore keys_;
  SqliteSessionStore sessions_;
};

// SQLite says only "unable to open database file" when a file in WAL mode has no -shm file and
// its directory is read-only (a read-only mount), so the shared-memory index cannot be created.
Error explain_open_failure(const std::string& path, Error error) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  const fs::path file(path);
  const fs::path directory = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (error.code != Errc::storage || fs::exists(path + "-shm", ignored) ||
      ::access(directory.c_str(), W_OK) == 0) {
    return error;
  }
  char header[20] = {};
  std::ifstream in(file, std::ios::binary);
  const bool wal = in.read(header, sizeof header) && header[18] == 2;  // read version 2: WAL
  if (!wal) return error;
  error.message = fmt::format(
      "cannot open sqlite:{}: it is in WAL mode and has no {}-shm file, which SQLite cannot create "
      "because the directory is read-only (a read-only mount?); open it where it can be written, "
      "or switch it to rollback-journal mode (PRAGMA journal_mode = DELETE) before making it "
      "read-only",
      path, file.filename().string());
  return error;
}

}  // namespace

SqliteBackend::SqliteBackend(const std::string& path, Options options)
    : options_(std::move(options)), in_memory_(path.empty()) {
  writer_ = std::make_unique<Connection>(in_memory_ ? ":memory:" : path, Connection::Role::writer,
                                         in_memory_, options_);
}

SqliteBackend::~SqliteBackend() {
  readers_.clear();
  if (writer_ && !in_memory_) {
    // Leave no WAL behind when the last connection closes cleanly.
    writer_->exec_quietly("PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

Result<std::unique_ptr<Backend>> SqliteBackend::open(const std::string& path,
                                                     const Options& options) noexcept {
  auto opened = guarded([&]() -> Result<std::unique_ptr<Backend>> {
    // The constructor is private, so no make_unique; guarded() catches a failed allocation.
    std::unique_ptr<SqliteBackend> backend(
        new SqliteBackend(path, options));  // NOLINT(bugprone-unhandled-exception-at-new)
    if (backend->in_memory_) {
      QUIRE_TRY(migrate(*backend->writer_, "sqlite::memory:"));
      return std::unique_ptr<Backend>(std::move(backend));
    }
    // Nothing writes to the file before it is known to be quire's (or empty), not even the switch
    // to WAL.
    const std::string file = "sqlite:" + path;
    QUIRE_TRY(require_quire_file(*backend->writer_, file));
    backend->writer_->enter_wal_mode();
    QUIRE_TRY(migrate(*backend->writer_, file));
    // Readers open after the migrations, so the file already has its schema and WAL mode.
    for (unsigned i = 0; i < options.reader_connections; ++i) {
      backend->readers_.push_back(
          std::make_unique<Connection>(path, Connection::Role::reader, false, options));
      backend->idle_readers_.push_back(backend->readers_.back().get());
    }
    return std::unique_ptr<Backend>(std::move(backend));
  });
  if (!opened && !path.empty()) return explain_open_failure(path, std::move(opened).error());
  return opened;
}

Result<std::unique_lock<TimedGate>> SqliteBackend::lock_writer(
    Connection::Clock::time_point deadline) noexcept {
  std::unique_lock lock(writer_gate_, std::defer_lock);
  if (!lock.try_lock_until(deadline)) {
    return fail(Errc::busy, fmt::format("the database is busy: no write lock within {} ms",
                                        options_.busy_timeout_ms));
  }
  return lock;
}

Result<Connection*> SqliteBackend::borrow_reader() noexcept {
  std::unique_lock lock(readers_mutex_);
  if (!reader_returned_.wait_for(lock, std::chrono::milliseconds(options_.busy_timeout_ms),
                                 [&] { return !idle_readers_.empty(); })) {
    return fail(Errc::busy, fmt::format("the database is busy: no free reader within {} ms",
                                        options_.busy_timeout_ms));
  }
  Connection* reader = idle_readers_.back();
  idle_readers_.pop_back();
  return reader;
}

void SqliteBackend::give_back(Connection* reader) noexcept {
  {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(reader);
  }
  reader_returned_.notify_one();
}

Result<std::unique_ptr<Transaction>> SqliteBackend::begin(Access access) noexcept {
  return guarded([&]() -> Result<std::unique_ptr<Transaction>> {
    if (access == Access::read && !readers_.empty()) {
      QUIRE_TRY(Connection * reader, borrow_reader());
      std::unique_ptr<SqliteTransaction> transaction;
      try {
        transaction = std::make_unique<SqliteTransaction>(*reader, access,
                                                          std::unique_lock<TimedGate>(), this);
      } catch (...) {
        give_back(reader);  // the transaction that would have given it back never existed
        throw;
      }
      reader->control(Connection::Control::begin);
      return std::unique_ptr<Transaction>(std::move(transaction));
    }
    // One busy timeout for the whole wait: for the writer gate (other threads of this process),
    // then for the file's write lock (other processes).
    const auto deadline =
        Connection::Clock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
    QUIRE_TRY(auto lock, lock_writer(deadline));
    auto transaction =
        std::make_unique<SqliteTransaction>(*writer_, access, std::move(lock), nullptr);
    writer_->set_busy_deadline(deadline);
    struct ClearDeadline {
      Connection& writer;
      ~ClearDeadline() { writer.set_busy_deadline(std::nullopt); }
    } clear_deadline{*writer_};
    if (access == Access::read) {
      // The one connection of an in-memory database: a read transaction must not write either.
      writer_->exec("PRAGMA query_only = ON");
      writer_->control(Connection::Control::begin);
    } else {
      // IMMEDIATE takes the file's write lock now, so a write never fails half-way on a lock
      // upgrade.
      writer_->control(Connection::Control::begin_immediate);
    }
    return std::unique_ptr<Transaction>(std::move(transaction));
  });
}

Result<int> SqliteBackend::schema_version() noexcept {
  QUIRE_TRY(auto lock, lock_writer(Connection::Clock::now() +
                                   std::chrono::milliseconds(options_.busy_timeout_ms)));
  return current_schema_version(*writer_);
}

}  // namespace quire::storage::sqlite
