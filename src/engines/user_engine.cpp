// The user engine: accounts, their passwords (argon2id, never kept in clear) and their lifecycle.

#include <fmt/format.h>

#include <quire/user.hpp>

#include "core/crypto.hpp"
#include "core/cursor.hpp"
#include "core/validate.hpp"
#include "engines/authorize.hpp"
#include "engines/lookup.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
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
// Account changes are recorded in the system chain; an attempt in the chain of the context that
// made it, so a tenant's admins see what its members tried.
AuditRecord attempt(const detail::ContextState& ctx, std::string action, UserId user) {
  return {ctx.tenant.value_or(0), std::move(action), "user", std::to_string(user), {}, {}};
}

Json audited(const User& user) {
  return {{"username", user.username},
          {"email", user.email},
          {"display_name", user.display_name},
          {"is_active", user.is_active}};
}

Result<void> record_change(Unit& unit, std::string action, const User& before, const User& after) {
  auto [old_values, new_values] = detail::changed_fields(audited(before), audited(after));
  return unit.record({0, std::move(action), "user", std::to_string(after.id), std::move(old_values),
                      std::move(new_values)});
}

bool is_self(const detail::ContextState& ctx, UserId user) {
  return ctx.actor.type == ActorType::user && ctx.actor.id == user;
}

Result<void> require_visible(Unit& unit, UserId user) {
  const auto& ctx = unit.ctx();
  if (ctx.is_system() || is_self(ctx, user)) return success();
  if (ctx.tenant) {
    QUIRE_TRY(detail::require(unit, "member.read", *ctx.tenant, std::to_string(*ctx.tenant),
                              attempt(ctx, "user.read", user)));
    QUIRE_TRY(auto member, unit.tx().members().find(*ctx.tenant, user));
    if (member) return success();
  }
  return fail(Errc::not_found, fmt::format("user {} not found", user));
}

// A user changes their own account only while it is active: its standing is read at use, so a
// context opened before the account was deactivated loses this too.
Result<void> require_self_or_system(Unit& unit, UserId user, std::string_view what,
                                    std::string action) {
  if (unit.ctx().is_system()) return success();
  if (is_self(unit.ctx(), user)) {
    QUIRE_TRY(auto account, detail::find_user(unit.tx(), user));
    if (account.user.is_active) return success();
    return unit.deny(attempt(unit.ctx(), std::move(action), user),
                     fmt::format("denied: user {} is deactivated and may not {}", user, what));
  }
  return unit.deny(attempt(unit.ctx(), std::move(action), user),
                   fmt::format("denied: only user {} or the system context may {}", user, what));
}

}  // namespace

UserEngine::UserEngine(std::shared_ptr<detail::ContextState> ctx) noexcept : ctx_(std::move(ctx)) {}

Result<User> UserEngine::create(const NewUser& input) noexcept {
  const auto require_system = [&](Unit& unit) {
    return detail::require_system(
        unit, "create users",
        {ctx_->tenant.value_or(0), "user.create", "user", input.username, {}, {}});
  };
  // Refused before the slow hash; checked again inside the unit.
  if (!ctx_->is_system()) {
    return write_unit(*ctx_, [&](Unit& unit) -> Result<User> {
      QUIRE_TRY(require_system(unit));
      return fail(Errc::internal, "unreachable: only the system context gets here");
    });
  }
  storage::UserRow row;
  QUIRE_TRY(detail::check_username(input.username));
  row.user.username = input.username;
  QUIRE_TRY(row.user.email, detail::normalise_email(input.email));
  QUIRE_TRY(row.user.display_name, normalise_display_name(input.display_name));
  QUIRE_TRY(row.password_hash, hash_new_password(*ctx_->db, input.password));
  row.user.created_at = row.user.updated_at = now_ms();

  return write_unit(*ctx_, [&](Unit& unit) -> Result<User> {
    QUIRE_TRY(require_system(unit));
    QUIRE_TRY(check_unique(unit.tx(), row.user));
    QUIRE_TRY(row.user.id, unit.tx().users().insert(row));
    QUIRE_TRY(unit.record(
        {0, "user.create", "user", std::to_string(row.user.id), {}, audited(row.user)}));
    return row.user;
  });
}

Result<User> UserEngine::get(UserId id) noexcept {
  return read_unit(*ctx_, [&](Unit& unit) -> Result<User> {
    QUIRE_TRY(require_visible(unit, id));
    QUIRE_TRY(auto row, detail::find_user(unit.tx(), id));
    return std::move(row.user);
  });
}

Result<User> UserEngine::get_by_username(std::string_view username) noexcept {
  return read_unit(*ctx_, [&](Unit& unit) -> Result<User> {
    QUIRE_TRY(auto row, unit.tx().users().find_by_username(username));
    const auto not_found = [&] {
      return fail(Errc::not_found, fmt::format("user {} not found", detail::quoted(username)));
    };
    if (!row) return not_found();
    if (auto visible = require_visible(unit, row->user.id); !visible) {
      return visible.error().code == Errc::not_found ? not_found() : visible.error();
    }
    return std::move(row->user);
  });
}

Result<Page<User>> UserEngine::list(const UserQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(auto after, detail::decode_id_cursor(query.cursor));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Page<User>> {
    auto& tx = unit.tx();
    const storage::Scan scan{after, query.limit + 1};
    Page<User> page;
    if (ctx_->is_system() && !ctx_->tenant) {
      QUIRE_TRY(page.items, tx.users().list(scan));
    } else if (ctx_->tenant) {
      QUIRE_TRY(detail::require(unit, "member.read", *ctx_->tenant, std::to_string(*ctx_->tenant),
                                attempt(*ctx_, "user.list", 0)));
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
  return write_unit(*ctx_, [&](Unit& unit) -> Result<User> {
    QUIRE_TRY(require_self_or_system(unit, id, "update this account", "user.update"));
    auto& tx = unit.tx();
    QUIRE_TRY(auto row, detail::find_user(tx, id));
    const User before = row.user;
    if (patch.username) row.user.username = *patch.username;
    if (email) row.user.email = *email;
    if (display_name) row.user.display_name = *display_name;
    QUIRE_TRY(check_unique(tx, row.user));
    row.user.updated_at = now_ms();
    QUIRE_TRY(tx.users().update(row));
    QUIRE_TRY(record_change(unit, "user.update", before, row.user));
    return std::move(row.user);
  });
}

Result<void> UserEngine::set_password(UserId id, std::string_view password) noexcept {
  // Refused before the slow hash; checked again inside the unit, where a denial is audited.
  if (!ctx_->is_system() && !is_self(*ctx_, id)) {
    return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
      return require_self_or_system(unit, id, "set this password", "user.set_password");
    });
  }
  QUIRE_TRY(auto hash, hash_new_password(*ctx_->db, password));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(require_self_or_system(unit, id, "set this password", "user.set_password"));
    QUIRE_TRY(auto row, detail::find_user(unit.tx(), id));
    row.password_hash = std::move(hash);
    row.user.updated_at = now_ms();
    QUIRE_TRY(unit.tx().users().update(row));
    // That it changed, never what to.
    return unit.record({0, "user.set_password", "user", std::to_string(id), {}, {}});
  });
}

namespace {

Result<User> set_active(const detail::ContextState& ctx, UserId id, bool active) {
  const std::string action = active ? "user.activate" : "user.deactivate";
  return write_unit(ctx, [&](Unit& unit) -> Result<User> {
    QUIRE_TRY(detail::require_system(unit, active ? "activate users" : "deactivate users",
                                     attempt(ctx, action, id)));
    QUIRE_TRY(auto row, detail::find_user(unit.tx(), id));
    if (row.user.is_active == active) return std::move(row.user);
    const User before = row.user;
    row.user.is_active = active;
    row.user.updated_at = now_ms();
    QUIRE_TRY(unit.tx().users().update(row));
    QUIRE_TRY(record_change(unit, action, before, row.user));
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
