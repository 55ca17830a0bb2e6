#include "storage/postgres/pg_backend.hpp"

#include <fmt/format.h>

#include <chrono>

#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/pg_schema.hpp"
#include "storage/postgres/pg_session.hpp"
#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

namespace {

// A transaction on one borrowed connection; it gives the connection back when it ends.
class PgTransaction final : public Transaction {
 public:
  PgTransaction(PgBackend& pool, std::unique_ptr<Connection> connection, Access access,
                unsigned lock_timeout_ms) noexcept
      : pool_(pool),
        connection_(std::move(connection)),
        session_(*connection_, access, lock_timeout_ms),
        tenants_(session_),
        users_(session_),
        members_(session_),
        invitations_(session_),
        audit_(session_),
        posts_(session_),
        versions_(session_),
        roles_(session_),
        grants_(session_),
        keys_(session_),
        sessions_(session_) {}

  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;

  ~PgTransaction() override {
    session_.rollback();
    pool_.give_back(std::move(connection_));
  }

  Access access() const noexcept override { return session_.access(); }
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
    return session_.savepoint(name);
  }
  Result<void> release(std::string_view name) noexcept override { return session_.release(name); }
  Result<void> rollback_to(std::string_view name) noexcept override {
    return session_.rollback_to(name);
  }
  Result<void> commit() noexcept override { return session_.commit(); }

 private:
  PgBackend& pool_;
  std::unique_ptr<Connection> connection_;
  Session session_;
  PgTenantStore tenants_;
  PgUserStore users_;
  PgMemberStore members_;
  PgInvitationStore invitations_;
  PgAuditStore audit_;
  PgPostStore posts_;
  PgVersionStore versions_;
  PgRoleStore roles_;
  PgGrantStore grants_;
  PgKeyStore keys_;
  PgSessionStore sessions_;
};

// Row-level security does nothing for a superuser or a BYPASSRLS role, so quire refuses to run as
// one: a forgotten tenant filter must not reach another tenant's rows.
Result<void> refuse_privileged_role(Connection& connection) {
  QUIRE_TRY(auto role,
            connection.query("SELECT current_user, rolsuper, rolbypassrls FROM pg_catalog.pg_roles"
                             " WHERE rolname = current_user"));
  if (role.empty()) return success();
  const bool superuser = role.boolean(0, 1);
  if (superuser || role.boolean(0, 2)) {
    return fail(Errc::invalid_argument,
                fmt::format("quire does not run as PostgreSQL role \"{}\": it {}, so row-level "
                            "security would not keep tenants apart; connect as a role that is "
                            "neither (see docs/postgresql.md)",
                            role.text(0, 0), superuser ? "is a superuser" : "has BYPASSRLS"));
  }
  return success();
}

// The schema's owner, or a member of it, can switch row-level security off (NO FORCE) and drop
// the audit trail's triggers: quire migrates as it, but does not run as it.
Result<void> refuse_owner_role(Connection& connection) {
  QUIRE_TRY(auto owns,
            connection.query("SELECT current_user, coalesce(bool_or(pg_has_role(current_user, "
                             "owner, 'MEMBER')), false) FROM ("
                             " SELECT n.nspowner AS owner FROM pg_catalog.pg_namespace n"
                             "  WHERE n.nspname = current_schema()"
                             " UNION ALL SELECT c.relowner FROM pg_catalog.pg_class c"
                             "  WHERE c.oid = to_regclass('audit_log')) o"));
  if (owns.boolean(0, 1)) {
    return fail(Errc::invalid_argument,
                fmt::format("quire does not run as PostgreSQL role \"{}\": it owns quire's schema "
                            "(or is a member of its owner), so it could switch row-level security "
                            "off and rewrite the audit trail; migrate as the owner "
                            "(Database::migrate), then open as a role that owns nothing (see "
                            "docs/postgresql.md)",
                            owns.text(0, 0)));
  }
  return success();
}

}  // namespace

Result<int> PgBackend::migrate(const std::string& conninfo) noexcept {
  return guarded([&]() -> Result<int> {
    QUIRE_TRY(auto connection, Connection::open(conninfo));
    QUIRE_TRY(refuse_privileged_role(*connection));
    QUIRE_TRY(postgres::migrate(*connection));
    return current_schema_version(*connection);
  });
}

PgBackend::PgBackend(std::string conninfo, const Options& options)
    : conninfo_(std::move(conninfo)),
      busy_timeout_ms_(options.busy_timeout_ms),
      // As many connections as SQLite has: its readers and its writer.
      max_connections_(options.reader_connections + 1) {}

PgBackend::~PgBackend() = default;

Result<std::unique_ptr<Backend>> PgBackend::open(const std::string& conninfo,
                                                 const Options& options) noexcept {
  return guarded([&]() -> Result<std::unique_ptr<Backend>> {
    // The constructor is private, so no make_unique; guarded() catches a failed allocation.
    std::unique_ptr<PgBackend> backend(
        new PgBackend(conninfo, options));  // NOLINT(bugprone-unhandled-exception-at-new)
    QUIRE_TRY(auto first, Connection::open(conninfo));
    QUIRE_TRY(refuse_privileged_role(*first));
    QUIRE_TRY(refuse_owner_role(*first));
    QUIRE_TRY(postgres::migrate(*first));
    backend->idle_.push_back(std::move(first));
    backend->open_ = 1;
    return std::unique_ptr<Backend>(std::move(backend));
  });
}

Result<std::unique_ptr<Connection>> PgBackend::borrow() noexcept {
  return guarded([&]() -> Result<std::unique_ptr<Connection>> {
    std::unique_lock lock(mutex_);
    if (!returned_.wait_for(lock, std::chrono::milliseconds(busy_timeout_ms_),
                            [&] { return !idle_.empty() || open_ < max_connections_; })) {
      return fail(Errc::busy,
                  fmt::format("the database is busy: no free PostgreSQL connection within {} ms "
                              "({} in use)",
                              busy_timeout_ms_, open_));
    }
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    auto opened = Connection::open(conninfo_);
    if (!opened) {
      lock.lock();
      --open_;
      lock.unlock();
      returned_.notify_one();
    }
    return opened;
  });
}

void PgBackend::give_back(std::unique_ptr<Connection> connection) noexcept {
  if (!connection) return;
  // A connection that broke, or was left inside a transaction, is not lent again.
  const bool usable = !connection->is_broken() && connection->transaction_status() == PQTRANS_IDLE;
  {
    std::lock_guard lock(mutex_);
    if (usable) {
      try {
        idle_.push_back(std::move(connection));
      } catch (...) {
        --open_;  // out of memory: close it instead
      }
    } else {
      --open_;
    }
  }
  connection.reset();  // closes a dropped one outside the lock
  returned_.notify_one();
}

Result<std::unique_ptr<Transaction>> PgBackend::begin(Access access) noexcept {
  return guarded([&]() -> Result<std::unique_ptr<Transaction>> {
    QUIRE_TRY(auto connection, borrow());
    // BEGIN goes to the server with the transaction's first statement, in one round trip.
    try {
      return std::unique_ptr<Transaction>(
          std::make_unique<PgTransaction>(*this, std::move(connection), access, busy_timeout_ms_));
    } catch (...) {
      if (connection) give_back(std::move(connection));
      throw;
    }
  });
}

Result<int> PgBackend::schema_version() noexcept {
  QUIRE_TRY(auto connection, borrow());
  auto version = current_schema_version(*connection);
  give_back(std::move(connection));
  return version;
}

}  // namespace quire::storage::postgres
