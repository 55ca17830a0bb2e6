// The Auth engine's API keys: created with scopes no wider than their creator's, shown once,
// stored as a hash, revoked and rotated. Database::context_from_key turns a presented key into a
// context (session.cpp).

#include <fmt/format.h>

#include <algorithm>
#include <quire/auth.hpp>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/validate.hpp"
#include "engines/api_keys.hpp"
#include "engines/authorize.hpp"
#include "engines/lookup.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

namespace detail {

namespace {
constexpr std::string_view lower_alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

bool all_in(std::string_view text, std::string_view alphabet) {
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return alphabet.find(c) != std::string_view::npos; });
}
}  // namespace

KeyText new_key_text() {
  return {random_text(12, lower_alnum), random_text(32, alnum)};
}

std::string format_key(const KeyText& key) {
  return "qk_" + key.public_id + "_" + key.secret;
}

Result<KeyText> parse_key(std::string_view text) noexcept {
  // qk_ + 12 + _ + 32
  if (text.size() != 48 || !text.starts_with("qk_") || text[15] != '_' ||
      !all_in(text.substr(3, 12), lower_alnum) || !all_in(text.substr(16), alnum)) {
    return fail(Errc::unauthenticated, "API key is malformed");
  }
  try {
    return KeyText{std::string(text.substr(3, 12)), std::string(text.substr(16))};
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  }
}

std::string hash_secret(std::string_view secret) {
  const auto digest = blake2b_256(secret);
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace detail

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

namespace {

AuditRecord attempt(TenantId tenant, std::string action, std::int64_t key) {
  return {tenant, std::move(action), "api_key", std::to_string(key), {}, {}};
}

// The key as its audit entries show it: never the secret, nor its hash.
Json audited(const ApiKey& key) {
  return {{"name", key.name},
          {"public_id", key.public_id},
          {"scopes", key.scopes},
          {"expires_at", key.expires_at ? Json(*key.expires_at) : Json()},
          {"revoked_at", key.revoked_at ? Json(*key.revoked_at) : Json()}};
}

Result<storage::KeyRow> find_key(Unit& unit, TenantId tenant, std::int64_t id) {
  QUIRE_TRY(auto row, unit.tx().keys().find(tenant, id));
  if (!row) return fail(Errc::not_found, fmt::format("API key {} not found", id));
  return std::move(*row);
}

// Nobody makes, rotates or revokes a key that can do what they cannot: rotating hands over a
// working secret, and creating one hands over its scopes. `what` ends the reason: "so a key of it
// cannot have it", "so it may not rotate API key 4, which has it".
Result<detail::Permissions> require_scopes_held(Unit& unit, TenantId tenant,
                                                const std::vector<std::string>& scopes,
                                                const AuditRecord& attempted,
                                                std::string_view what) {
  QUIRE_TRY(auto acting,
            detail::acting_permissions(unit, tenant, std::to_string(tenant), attempted));
  for (const auto& scope : scopes) {
    if (!acting.has(scope)) {
      return unit.deny(attempted,
                       fmt::format("denied: {} lacks {}, {}", acting.holder, scope, what), scope,
                       acting.actor_role());
    }
  }
  return acting;
}

}  // namespace

KeyEngine::KeyEngine(std::shared_ptr<detail::ContextState> ctx) noexcept : ctx_(std::move(ctx)) {}

Result<IssuedKey> KeyEngine::create(const NewKey& input) noexcept {
  storage::KeyRow row;
  QUIRE_TRY(row.key.name, detail::check_text("key name", input.name, 100));
  for (const auto& scope : input.scopes) {
    if (!detail::permission_rank(scope)) {
      return fail(Errc::invalid_argument,
                  fmt::format("scope {} is not a permission quire knows", detail::quoted(scope)));
    }
  }
  if (input.scopes.empty()) {
    return fail(Errc::invalid_argument, "scopes must name at least one permission");
  }
  const Timestamp now = now_ms();
  if (input.expires_at && *input.expires_at <= now) {
    return fail(Errc::invalid_argument, "expires_at must be in the future");
  }
  QUIRE_TRY(row.key.tenant_id, detail::tenant_of(*ctx_, "API keys"));
  row.key.scopes = input.scopes;
  std::sort(row.key.scopes.begin(), row.key.scopes.end());
  row.key.scopes.erase(std::unique(row.key.scopes.begin(), row.key.scopes.end()),
                       row.key.scopes.end());
  row.key.expires_at = input.expires_at;
  row.key.created_at = now;
  const auto text = detail::new_key_text();
  row.key.public_id = text.public_id;
  row.secret_hash = detail::hash_secret(text.secret);

  return write_unit(*ctx_, [&](Unit& unit) -> Result<IssuedKey> {
    const TenantId tenant = row.key.tenant_id;
    const auto attempted = attempt(tenant, "key.create", 0);
    QUIRE_TRY(detail::require(unit, "key.manage", tenant, std::to_string(tenant), attempted));
    // A key never does more than the member who made it could.
    QUIRE_TRY(require_scopes_held(unit, tenant, row.key.scopes, attempted,
                                  "so a key of it cannot have it"));
    // The person behind the key: the user, or the person behind the key that mints this one
    // (whose scopes, checked above, already bound this key's).
    switch (ctx_->actor.type) {
      case ActorType::user:
        row.key.created_by = ctx_->actor.id;
        break;
      case ActorType::api_key: {
        QUIRE_TRY(auto parent, find_key(unit, tenant, ctx_->actor.id));
        row.key.created_by = parent.key.created_by;
        row.made_by_system = parent.made_by_system;
        break;
      }
      case ActorType::system:
        row.key.created_by = 0;
        row.made_by_system = true;
        break;
    }
    QUIRE_TRY(row.key.id, unit.tx().keys().insert(row));
    QUIRE_TRY(unit.record(
        {tenant, "key.create", "api_key", std::to_string(row.key.id), {}, audited(row.key)}));
    return IssuedKey{detail::format_key(text), row.key};
  });
}

Result<std::vector<ApiKey>> KeyEngine::list() noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "API keys"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<ApiKey>> {
    QUIRE_TRY(detail::require(unit, "key.manage", tenant, std::to_string(tenant),
                              attempt(tenant, "key.list", 0)));
    return unit.tx().keys().list(tenant);
  });
}

Result<ApiKey> KeyEngine::revoke(std::int64_t id) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "API keys"));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<ApiKey> {
    const auto attempted = attempt(tenant, "key.revoke", id);
    QUIRE_TRY(detail::require(unit, "key.manage", tenant, std::to_string(tenant), attempted));
    QUIRE_TRY(auto row, find_key(unit, tenant, id));
    QUIRE_TRY(
        require_scopes_held(unit, tenant, row.key.scopes, attempted,
                            fmt::format("so it may not revoke API key {}, which has it", id)));
    if (row.key.revoked_at) return row.key;
    const auto before = row.key;
    row.key.revoked_at = now_ms();
    QUIRE_TRY(unit.tx().keys().update(row));
    auto [old_values, new_values] = detail::changed_fields(audited(before), audited(row.key));
    QUIRE_TRY(unit.record({tenant, "key.revoke", "api_key", std::to_string(id),
                           std::move(old_values), std::move(new_values)}));
    return row.key;
  });
}

Result<IssuedKey> KeyEngine::rotate(std::int64_t id) noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "API keys"));
  const auto text = detail::new_key_text();
  return write_unit(*ctx_, [&](Unit& unit) -> Result<IssuedKey> {
    const auto attempted = attempt(tenant, "key.rotate", id);
    QUIRE_TRY(detail::require(unit, "key.manage", tenant, std::to_string(tenant), attempted));
    QUIRE_TRY(auto row, find_key(unit, tenant, id));
    QUIRE_TRY(
        require_scopes_held(unit, tenant, row.key.scopes, attempted,
                            fmt::format("so it may not rotate API key {}, which has it", id)));
    if (row.key.revoked_at) {
      return fail(Errc::conflict, fmt::format("API key {} is revoked; create a new one", id));
    }
    const auto before = row.key;
    row.key.public_id = text.public_id;
    row.secret_hash = detail::hash_secret(text.secret);
    QUIRE_TRY(unit.tx().keys().update(row));
    auto [old_values, new_values] = detail::changed_fields(audited(before), audited(row.key));
    QUIRE_TRY(unit.record({tenant, "key.rotate", "api_key", std::to_string(id),
                           std::move(old_values), std::move(new_values)}));
    return IssuedKey{detail::format_key(text), row.key};
  });
}

}  // namespace quire
