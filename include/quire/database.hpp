#pragma once
// quire::Database: the entry point. Open one per database and share it between threads.

#include <quire/quire_export.h>

#include <functional>
#include <memory>
#include <optional>
#include <quire/context.hpp>
#include <quire/options.hpp>
#include <quire/result.hpp>
#include <quire/transaction.hpp>
#include <quire/types.hpp>
#include <string>
#include <string_view>

namespace quire {

namespace detail {
struct DatabaseState;
}

namespace storage {
class Backend;
}

// A signed-in person: the token to hand to their client, and the context it stands for.
struct Session {
  std::string token;  // HS256-signed; present it to context_from_token
  Context context;
  Timestamp expires_at = 0;
};

class QUIRE_EXPORT Database {
 public:
  // URLs: "sqlite:path/to/file.db" (created if missing) and "sqlite::memory:". Runs the schema
  // migrations, all or nothing. Errors: invalid_argument (url, options, a SQLite file that is not
  // quire's: it is left unchanged), storage (cannot open), corrupt (not a database), not_supported
  // (the file was written by a newer quire), busy.
  // On PostgreSQL it runs as a role that owns nothing (docs/postgresql.md): a superuser, a
  // BYPASSRLS role and the schema's owner are refused (invalid_argument), and a schema that is
  // behind must first be migrated by its owner (permission_denied).
  [[nodiscard]] static Result<Database> open(std::string_view url, Options options = {}) noexcept;
  // Brings the database's schema up to date and closes it again; returns the schema version. A
  // deployment step, run as the schema's owner on PostgreSQL before the application opens the
  // database as its own role. Errors: those of open(), but the owner is welcome.
  [[nodiscard]] static Result<int> migrate(std::string_view url, Options options = {}) noexcept;
  // Over a Backend the host opened (storage::open_backend) and perhaps wrapped
  // (quire/storage_wrapper.hpp): to add metrics or tracing, or in tests to inject faults. The
  // Database owns it from here and closes it in close(). The backend's own settings (synchronous,
  // readers, busy timeout) are those it was opened with; `options` gives the rest (passwords,
  // plans, sessions). Errors: invalid_argument (a null backend, options).
  [[nodiscard]] static Result<Database> open(std::unique_ptr<storage::Backend> backend,
                                             Options options = {}) noexcept;

  // The explicit, audited administration context: the only actor that skips permission checks.
  // Without a tenant it manages tenants and users; with one it acts inside that tenant.
  [[nodiscard]] Context system() const noexcept;
  [[nodiscard]] Result<Context> system(const TenantRef& tenant) const noexcept;

  // A user acting in a tenant: the host has authenticated them. Errors: not_found (tenant, user),
  // permission_denied (not a member, or the tenant or user is inactive or deleted).
  [[nodiscard]] Result<Context> context(const TenantRef& tenant, UserId user,
                                        RequestInfo request = {}) const noexcept;

  // A user acting in no tenant, on their own account: the host has authenticated them. It reads
  // and updates the account (users()) and accepts invitations (tenants().accept_invitation);
  // everything of a tenant needs a context of that tenant. Errors: not_found (user),
  // permission_denied (the user is deactivated).
  [[nodiscard]] Result<Context> user_context(UserId user, RequestInfo request = {}) const noexcept;

  // Signs a member in with their username or email and password. Failures are audited and
  // throttled per (tenant, user) with growing delays; a password hashed with other parameters is
  // rehashed. Errors: unauthenticated ("invalid credentials", or "too many failed logins; try
  // again in N s") — the same message whether the user, the password or the membership was wrong.
  [[nodiscard]] Result<Session> login(const TenantRef& tenant, std::string_view username_or_email,
                                      std::string_view password,
                                      RequestInfo request = {}) const noexcept;
  // The context a session token stands for. With `expected_tenant`, a token of another tenant is
  // refused. Errors: unauthenticated (malformed, bad signature, alg other than HS256, expired,
  // revoked, another tenant, a deactivated user or tenant).
  [[nodiscard]] Result<Context> context_from_token(
      std::string_view token, RequestInfo request = {},
      const std::optional<TenantRef>& expected_tenant = std::nullopt) const noexcept;
  // Revokes the session. Errors: unauthenticated (not a valid token).
  [[nodiscard]] Result<void> logout(std::string_view token) const noexcept;
  // A context acting with exactly an API key's scopes. Errors: unauthenticated (malformed,
  // unknown, wrong secret, revoked, expired, deactivated creator or tenant).
  [[nodiscard]] Result<Context> context_from_key(std::string_view key,
                                                 RequestInfo request = {}) const noexcept;
  // A new per-database token secret: every token signed before stops working.
  [[nodiscard]] Result<void> rotate_token_secret() const noexcept;

  // Begins an explicit transaction as `ctx` (see Transaction): everything done through its
  // context() commits together on commit(), and nothing does on rollback() or when the handle is
  // destroyed open. Operations inside never retry on their own (only the caller can run the whole
  // transaction again), and a denied attempt inside is audited once the outermost transaction has
  // ended, so that the audit entry survives a rollback. On a context that belongs to a
  // transaction, begins a nested one: a savepoint, whose rollback undoes only what was done
  // through it, whose commit makes that part of the outer transaction, and which ends when the
  // outer one does. Errors: invalid_argument (the database is closed, the context is of another
  // database, or of a transaction that has ended), busy (another writer holds the write lock for
  // longer than Options::busy_timeout_ms), storage.
  [[nodiscard]] Result<Transaction> begin(const Context& ctx) noexcept;

  // Runs `body` in one transaction begun by begin(ctx): everything it does through its context
  // commits together when it returns success, and nothing does when it returns an error or
  // throws (then: internal). Nested calls are nested transactions.
  [[nodiscard]] Result<void> transaction(
      const Context& ctx, const std::function<Result<void>(Context&)>& body) noexcept;

  // Rolls back the transactions still open (Transaction handles: their calls then fail with
  // invalid_argument, and the denials held back inside are audited first), waits for the
  // operations in flight, then closes the connections. Later calls through any Context of this
  // database fail with invalid_argument. Idempotent.
  // Errors: invalid_argument when called on a thread that is inside an operation of this database
  // (a callback, such as AuditEngine::export_to's writer) or inside a transaction body
  // (transaction()): it would wait for that thread itself. Nothing is closed then.
  Result<void> close() noexcept;
  [[nodiscard]] bool is_open() const noexcept;
  [[nodiscard]] const Options& options() const noexcept;

 private:
  explicit Database(std::shared_ptr<detail::DatabaseState> state) noexcept;
  std::shared_ptr<detail::DatabaseState> state_;
};

}  // namespace quire
