#include <fmt/format.h>

#include <mutex>
#include <quire/database.hpp>

#include "core/crypto.hpp"
#include "engines/lookup.hpp"
#include "engines/unit_of_work.hpp"
#include "state.hpp"
#include "thread_marks.hpp"

namespace quire {

namespace {

Result<void> check_options(const Options& options) {
  if (!detail::is_strong_enough(options.passwords)) {
    return fail(Errc::invalid_argument,
                "options.passwords must be at least OWASP's argon2id line (t=2 with m=19 MiB, or "
                "an equivalent) with max_concurrent > 0");
  }
  if (options.invitation_ttl_ms <= 0) {
    return fail(Errc::invalid_argument, "options.invitation_ttl_ms must be greater than 0");
  }
  if (options.plans.empty()) {
    return fail(Errc::invalid_argument, "options.plans must name at least one plan");
  }
  for (const auto& plan : options.plans) {
    if (plan.name == options.default_plan) return success();
  }
  return fail(Errc::invalid_argument,
              fmt::format("options.default_plan \"{}\" must be one of options.plans",
                          options.default_plan));
}

}  // namespace

Database::Database(std::shared_ptr<detail::DatabaseState> state) noexcept
    : state_(std::move(state)) {}

Result<Database> Database::open(std::string_view url, Options options) noexcept {
  try {
    QUIRE_TRY(check_options(options));  // before opening: bad options never touch the file
    QUIRE_TRY(auto backend, storage::open_backend(url, options));
    return open(std::move(backend), std::move(options));
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

Result<int> Database::migrate(std::string_view url, Options options) noexcept {
  try {
    QUIRE_TRY(check_options(options));
    return storage::migrate(url, options);
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

Result<Database> Database::open(std::unique_ptr<storage::Backend> backend,
                                Options options) noexcept {
  try {
    if (!backend) return fail(Errc::invalid_argument, "backend must not be null");
    QUIRE_TRY(check_options(options));
    QUIRE_TRY(detail::ensure_sodium());
    return Database(
        std::make_shared<detail::DatabaseState>(std::move(options), std::move(backend)));
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

Context Database::system() const noexcept {
  auto state = std::make_shared<detail::ContextState>();
  state->db = state_;
  return Context(std::move(state));
}

Result<Context> Database::system(const TenantRef& tenant) const noexcept {
  auto state = std::make_shared<detail::ContextState>();
  state->db = state_;
  return detail::read_unit(*state, [&](detail::Unit& unit) -> Result<Context> {
    QUIRE_TRY(auto row, detail::find_tenant(unit.tx(), tenant));
    if (row.deleted_at) {
      return fail(Errc::not_found, fmt::format("tenant {} is deleted", row.slug));
    }
    state->tenant = row.id;
    return Context(state);
  });
}

Result<Context> Database::user_context(UserId user, RequestInfo request) const noexcept {
  auto state = std::make_shared<detail::ContextState>();
  state->db = state_;
  state->actor = Actor{ActorType::user, user};
  state->request = std::move(request);
  return detail::read_unit(*state, [&](detail::Unit& unit) -> Result<Context> {
    QUIRE_TRY(auto account, detail::find_user(unit.tx(), user));
    if (!account.user.is_active) {
      return fail(Errc::permission_denied, fmt::format("denied: user {} is deactivated", user));
    }
    return Context(state);
  });
}

Result<Context> Database::context(const TenantRef& tenant, UserId user,
                                  RequestInfo request) const noexcept {
  auto state = std::make_shared<detail::ContextState>();
  state->db = state_;
  state->actor = Actor{ActorType::user, user};
  state->request = std::move(request);
  return detail::read_unit(*state, [&](detail::Unit& unit) -> Result<Context> {
    auto& tx = unit.tx();
    QUIRE_TRY(auto row, detail::find_tenant(tx, tenant));
    if (row.deleted_at) {
      return fail(Errc::not_found,
                  fmt::format("tenant {} not found", detail::tenant_label(tenant)));
    }
    if (!row.is_active) {
      return fail(Errc::permission_denied,
                  fmt::format("denied: tenant {} is deactivated", row.slug));
    }
    QUIRE_TRY(auto account, detail::find_user(tx, user));
    if (!account.user.is_active) {
      return fail(Errc::permission_denied, fmt::format("denied: user {} is deactivated", user));
    }
    QUIRE_TRY(auto member, tx.members().find(row.id, user));
    if (!member) {
      return fail(Errc::permission_denied,
                  fmt::format("denied: user {} is not a member of tenant {}", user, row.slug));
    }
    state->tenant = row.id;
    return Context(state);
  });
}

Result<void> Database::transaction(const Context& ctx,
                                   const std::function<Result<void>(Context&)>& body) noexcept {
  if (!body) return fail(Errc::invalid_argument, "transaction body must not be empty");
  QUIRE_TRY(auto tx, begin(ctx));
  auto result = [&]() -> Result<void> {
    // Until the body returns, this thread holds the write transaction: close() and another
    // context's write would wait for it, so they refuse at once instead.
    const detail::ThreadMark in_body(*state_, detail::Inside::transaction_body);
    const detail::ThreadMark holds(*state_, detail::Inside::write_transaction);
    try {
      return body(tx.context());
    } catch (const std::bad_alloc&) {
      return fail(Errc::internal, "out of memory");
    } catch (const std::exception& e) {
      return fail(Errc::internal, e.what());
    } catch (...) {
      return fail(Errc::internal, "the transaction body threw an exception");
    }
  }();
  if (!result) {
    (void)tx.rollback();  // the body's error stands; the transaction may have ended already
    return result;
  }
  return tx.commit();
}

Result<void> Database::close() noexcept {
  if (!state_) return success();
  // Each would wait for this very thread: refused, so that the caller hears why.
  if (detail::this_thread_is_inside(*state_, detail::Inside::operation)) {
    return fail(Errc::invalid_argument,
                "close() was called from inside an operation of this database (a callback such as "
                "audit export's writer): it would wait for that operation, which waits for the "
                "callback; close once the operation has returned");
  }
  if (detail::this_thread_is_inside(*state_, detail::Inside::transaction_body)) {
    return fail(Errc::invalid_argument,
                "close() was called inside a transaction body of this database: it would end the "
                "transaction under the body; close once the body has returned");
  }
  // The open transaction handles hold the backend's write lock: end them first, or the operations
  // waiting for that lock (and this close) would wait for their owners.
  std::vector<std::shared_ptr<detail::ExplicitTransaction>> open;
  {
    std::lock_guard lock(state_->handles_mutex);
    state_->closing = true;
    for (const auto& handle : state_->open_handles) {
      if (auto tx = handle.lock()) {
        try {
          open.push_back(std::move(tx));
        } catch (...) {  // out of memory: the handle's owner ends it (close waits for that)
        }
      }
    }
  }
  for (const auto& tx : open) (void)detail::end_transaction(*tx, /*commit=*/false);
  std::unique_lock lock(state_->lifecycle);
  state_->backend.reset();
  return success();
}

bool Database::is_open() const noexcept {
  if (!state_) return false;
  std::shared_lock lock(state_->lifecycle);
  return state_->backend != nullptr;
}

const Options& Database::options() const noexcept {
  return state_->options;
}

}  // namespace quire
