// The user engine: accounts, their passwords (argon2id, never kept in clear) and their lifecycle.

#include <fmt/format.h>

#include <quire/user.hpp>

#include "core/crypto.hpp"
#include "core/cursor.hpp"
#include "core/validate.hpp"
#include "engines/lookup.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::read_unit;
using detail::write_unit;

namespace {

constexpr std::size_t max_display_name_bytes = 200;

// Hashing runs before the transaction opens: it takes tens of milliseconds and must not hold the
// write lock. The semaphore bounds how many hashes, each memlimit bytes, run at once.
Result<std::string> hash_new_password(detail::DatabaseState& db, std::string_view password) {
  QUIRE_TRY(detail::check_password(password));
  db.password_slots.acquire();
  auto hash = detail::hash_password(password, db.options.passwords);
  db.password_slots.release();
  return hash;
}

Result<std::string> normalise_display_name(std::string_view name) {
  if (name.find_first_not_of(" \t") == std::string_view::npos) return std::string();
  return detail::check_text("display_name", name, max_display_name_bytes);
}

Result<void> check_unique(storage::Transaction& tx, const User& user) {
  QUIRE_TRY(auto by_name, tx.users().find_by_username(user.username));
  if (by_name && by_name->user.id != user.id) {
    return fail(Errc::already_exists,
                fmt::format("username {} already exists", detail::quoted(user.username)));
  }
  QUIRE_TRY(auto by_email, tx.users().find_by_email(user.email));
  if (by_email && by_email->user.id != user.id) {
    return fail(Errc::already_exists,
                fmt::format("email {} already exists", detail::quoted(user.email)));
  }
  return success();
}

// The system context reads every account; a user reads their own and those of the members of the
// tenant the context acts in. Anything else is not_found, so accounts cannot be probed.
Result<void> require_visible(const detail::ContextState& ctx, storage::Transaction& tx,
                             UserId user) {
  if (ctx.is_system() || (ctx.actor.type == ActorType::user && ctx.actor.id == user)) {
    return success();
  }
  if (ctx.tenant) {
    QUIRE_TRY(detail::require(ctx, tx, "member.read", *ctx.tenant, std::to_string(*ctx.tenant)));
    QUIRE_TRY(auto member, tx.members().find(*ctx.tenant, user));
    if (member) return success();
  }
  return fail(Errc::not_found, fmt::format("user {} not found", user));
}

Result<void> require_self_or_system(const detail::ContextState& ctx, UserId user,
                                    std::string_view what) {
  if (ctx.is_system() || (ctx.actor.type == ActorType::user && ctx.actor.id == user)) {
    return success();
  }
  return fail(Errc::permission_denied,
              fmt::format("denied: only user {} or the system context may {}", user, what));
}

}  // namespace

UserEngine::UserEngine(std::shared_ptr<detail::ContextState> ctx) noexcept : ctx_(std::move(ctx)) {}

Result<User> UserEngine::create(const NewUser& input) noexcept {
  QUIRE_TRY(detail::require_system(*ctx_, "create users"));
  storage::UserRow row;
  QUIRE_TRY(detail::check_username(input.username));
  row.user.username = input.username;
  QUIRE_TRY(row.user.email, detail::normalise_email(input.email));
  QUIRE_TRY(row.user.display_name, normalise_display_name(input.display_name));
  QUIRE_TRY(row.password_hash, hash_new_password(*ctx_->db, input.password));
  row.user.created_at = row.user.updated_at = now_ms();

  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<User> {
    QUIRE_TRY(check_unique(tx, row.user));
    QUIRE_TRY(row.user.id, tx.users().insert(row));
    return row.user;
  });
}

Result<User> UserEngine::get(UserId id) noexcept {
  return read_unit(*ctx_, [&](storage::Transaction& tx) -> Result<User> {
    QUIRE_TRY(require_visible(*ctx_, tx, id));
    QUIRE_TRY(auto row, detail::find_user(tx, id));
    return std::move(row.user);
  });
}

Result<User> UserEngine::get_by_username(std::string_view username) noexcept {
  return read_unit(*ctx_, [&](storage::Transaction& tx) -> Result<User> {
    QUIRE_TRY(auto row, tx.users().find_by_username(username));
    const auto not_found = [&] {
      return fail(Errc::not_found, fmt::format("user {} not found", detail::quoted(username)));
    };
    if (!row) return not_found();
    if (!require_visible(*ctx_, tx, row->user.id)) return not_found();
    return std::move(row->user);
  });
}

Result<Page<User>> UserEngine::list(const UserQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(auto after, detail::decode_id_cursor(query.cursor));
  return read_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Page<User>> {
    const storage::Scan scan{after, query.limit + 1};
    Page<User> page;
    if (ctx_->is_system() && !ctx_->tenant) {
      QUIRE_TRY(page.items, tx.users().list(scan));
    } else if (ctx_->tenant) {
      QUIRE_TRY(
          detail::require(*ctx_, tx, "member.read", *ctx_->tenant, std::to_string(*ctx_->tenant)));
      QUIRE_TRY(page.items, tx.users().list_members(*ctx_->tenant, scan));
    } else {
      return fail(Errc::permission_denied, "denied: listing users needs a tenant context");
    }
    if (page.items.size() > query.limit) {
      page.items.pop_back();
      page.next_cursor = detail::encode_cursor(page.items.back().id);
    }
    return page;
  });
}

Result<User> UserEngine::update(UserId id, const UserPatch& patch) noexcept {
  QUIRE_TRY(require_self_or_system(*ctx_, id, "update this account"));
  std::optional<std::string> email;
  std::optional<std::string> display_name;
  if (patch.username) {
    QUIRE_TRY(detail::check_username(*patch.username));
  }
  if (patch.email) {
    QUIRE_TRY(email, detail::normalise_email(*patch.email));
  }
  if (patch.display_name) {
    QUIRE_TRY(display_name, normalise_display_name(*patch.display_name));
  }
  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<User> {
    QUIRE_TRY(auto row, detail::find_user(tx, id));
    if (patch.username) row.user.username = *patch.username;
    if (email) row.user.email = *email;
    if (display_name) row.user.display_name = *display_name;
    QUIRE_TRY(check_unique(tx, row.user));
    row.user.updated_at = now_ms();
    QUIRE_TRY(tx.users().update(row));
    return std::move(row.user);
  });
}

Result<void> UserEngine::set_password(UserId id, std::string_view password) noexcept {
  QUIRE_TRY(require_self_or_system(*ctx_, id, "set this password"));
  QUIRE_TRY(auto hash, hash_new_password(*ctx_->db, password));
  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<void> {
    QUIRE_TRY(auto row, detail::find_user(tx, id));
    row.password_hash = std::move(hash);
    row.user.updated_at = now_ms();
    return tx.users().update(row);
  });
}

namespace {

Result<User> set_active(const detail::ContextState& ctx, UserId id, bool active) {
  QUIRE_TRY(detail::require_system(ctx, active ? "activate users" : "deactivate users"));
  return write_unit(ctx, [&](storage::Transaction& tx) -> Result<User> {
    QUIRE_TRY(auto row, detail::find_user(tx, id));
    if (row.user.is_active == active) return std::move(row.user);
    row.user.is_active = active;
    row.user.updated_at = now_ms();
    QUIRE_TRY(tx.users().update(row));
    return std::move(row.user);
  });
}

}  // namespace

Result<User> UserEngine::deactivate(UserId id) noexcept {
  return set_active(*ctx_, id, false);
}

Result<User> UserEngine::activate(UserId id) noexcept {
  return set_active(*ctx_, id, true);
}

}  // namespace quire
