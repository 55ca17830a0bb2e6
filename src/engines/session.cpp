// Authentication: logins that become signed session tokens, tokens and API keys that become
// contexts, logout, and the per-database secret that signs tokens.

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <quire/database.hpp>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/validate.hpp"
#include "engines/api_keys.hpp"
#include "engines/lookup.hpp"
#include "engines/unit_of_work.hpp"
#include "state.hpp"

namespace quire {

using detail::AuditRecord;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

namespace {

constexpr std::size_t secret_bytes = 32;
constexpr Timestamp max_throttle_ms = Timestamp{15} * 60 * 1000;

Error invalid_credentials() {
  return fail(Errc::unauthenticated, "invalid credentials");
}

Error bad_token(std::string_view why) {
  return fail(Errc::unauthenticated, fmt::format("session token {}", why));
}

// What to do when the database holds no token secret: make one (a login), or refuse (verifying
// the presented `token`).
enum class IfMissing { create, refuse };

// The jti claim of a token, read without checking the signature: only to tell whether the
// database ever issued it. Empty when the token has no readable one.
std::string unverified_jti(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.size() > 4096) return {};
  const auto payload_text = detail::base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload_text) return {};
  const auto payload = detail::parse_json("token payload", *payload_text);
  if (!payload || !payload.value().is_object()) return {};
  const auto jti = payload.value().find("jti");
  return jti != payload.value().end() && jti->is_string() ? jti->get<std::string>() : "";
}

// The token secret, made by the first login and kept in the database, so every process shares
// it. Verifying a token (IfMissing::refuse) needs the secret the token was signed with: when the
// row is gone, or holds anything but the 32 bytes quire writes, the database was changed behind
// quire's back, and that is corrupt, not a bad token.
Result<std::string> token_secret(Unit& unit, IfMissing if_missing, std::string_view token = {}) {
  QUIRE_TRY(auto secret, unit.tx().sessions().secret());
  if (secret && secret->size() == secret_bytes) return std::move(*secret);
  if (secret) {
    return fail(Errc::corrupt,
                fmt::format("the token secret (table quire_secrets, name 'token') is damaged: "
                            "{} bytes where quire writes {}; Database::rotate_token_secret() "
                            "replaces it, and every session signed with the old one ends",
                            secret->size(), secret_bytes));
  }
  if (if_missing == IfMissing::refuse || unit.tx().access() != storage::Access::write) {
    // A database that never issued this token (none at all, so no secret yet) is not corrupt.
    const auto jti = unverified_jti(token);
    if (jti.empty()) return bad_token("is malformed");
    QUIRE_TRY(const auto session, unit.tx().sessions().find(jti));
    if (!session) return bad_token("is not a known session");
    return fail(Errc::corrupt,
                "the token secret (table quire_secrets, name 'token') is missing: it was deleted "
                "behind quire's back; Database::rotate_token_secret() or the next login makes a "
                "new one, and every session signed with the old one ends");
  }
  auto fresh = detail::random_bytes(secret_bytes);
  QUIRE_TRY(unit.tx().sessions().set_secret(fresh));
  return fresh;
}

std::string sign(std::string_view secret, const Json& payload) {
  const auto header = detail::base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const auto body = detail::base64url_encode(detail::dump_json(payload));
  const auto signing_input = header + "." + body;
  return signing_input + "." + detail::base64url_encode(detail::hmac_sha256(secret, signing_input));
}

struct Claims {
  UserId sub = 0;
  TenantId tenant = 0;
  std::string jti;
  std::int64_t exp = 0;  // seconds
};

// Checks the form, the algorithm and the signature, then reads the claims. Expiry and
// revocation are the caller's to check.
Result<Claims> verify_token(std::string_view secret, std::string_view token) {
  if (token.size() > 4096) return bad_token("is too long");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return bad_token("is malformed");
  }
  const auto header_text = detail::base64url_decode(token.substr(0, first));
  const auto payload_text = detail::base64url_decode(token.substr(first + 1, second - first - 1));
  const auto signature = detail::base64url_decode(token.substr(second + 1));
  if (!header_text || !payload_text || !signature) return bad_token("is malformed");
  const auto header = detail::parse_json("token header", *header_text);
  // Only HS256: "none" and every other algorithm are refused before anything else is trusted.
  // (An alg that is not a string, a number or an array, is refused the same way.)
  const auto is_hs256 = [](const Json& fields) {
    const auto alg = fields.find("alg");
    return alg != fields.end() && alg->is_string() && alg->get_ref<const std::string&>() == "HS256";
  };
  if (!header || !header.value().is_object() || !is_hs256(header.value())) {
    return bad_token("must be signed with HS256");
  }
  if (!detail::hmac_sha256_verify(secret, token.substr(0, second), *signature)) {
    return bad_token("has an invalid signature");
  }
  const auto parsed = detail::parse_json("token payload", *payload_text);
  if (!parsed || !parsed.value().is_object()) return bad_token("is malformed");
  const Json& payload = parsed.value();
  // An integer claim that fits an int64_t; anything else (a float, an integer beyond int64_t,
  // another type) counts as missing.
  const auto number = [&](const char* name) -> std::optional<std::int64_t> {
    const auto found = payload.find(name);
    if (found == payload.end() || !found->is_number_integer()) return std::nullopt;
    if (found->is_number_unsigned() &&
        found->get<std::uint64_t>() > std::uint64_t{std::numeric_limits<std::int64_t>::max()}) {
      return std::nullopt;
    }
    return found->get<std::int64_t>();
  };
  const auto sub = number("sub");
  const auto tenant = number("tenant");
  const auto exp = number("exp");
  const auto jti = payload.find("jti");
  if (!sub || !tenant || !exp || jti == payload.end() || !jti->is_string()) {
    return bad_token("is missing a claim");
  }
  // exp is in seconds: one whose milliseconds would not fit a Timestamp is no time at all.
  if (*exp < 0 || *exp > std::numeric_limits<Timestamp>::max() / 1000) {
    return bad_token("exp claim is out of range");
  }
  return Claims{*sub, *tenant, jti->get<std::string>(), *exp};
}

std::shared_ptr<detail::ContextState> state_for(const std::shared_ptr<detail::DatabaseState>& db,
                                                Actor actor, std::optional<TenantId> tenant,
                                                RequestInfo request) {
  auto state = std::make_shared<detail::ContextState>();
  state->db = db;
  state->actor = actor;
  state->tenant = tenant;
  state->request = std::move(request);
  return state;
}

// Whether a lookup failed only because what the caller named does not exist (or was no name at
// all): that is the caller's to be told, in the caller's words. Any other failure (storage, busy,
// corrupt) is returned as it is, never mistaken for a bad credential: a refusal is audited, and
// an outage must not leave a "login failed" or "key refused" entry behind.
bool names_nothing(const Error& error) {
  return error.code == Errc::not_found || error.code == Errc::invalid_argument;
}

// A live tenant and an active member in it, as logins, tokens and keys all require.
Result<void> check_member(Unit& unit, const Tenant& tenant, UserId user) {
  if (tenant.deleted_at || !tenant.is_active)
    return fail(Errc::unauthenticated, "tenant is not active");
  QUIRE_TRY(auto account, unit.tx().users().find(user));
  if (!account || !account->user.is_active) {
    return fail(Errc::unauthenticated, "the account is deactivated");
  }
  QUIRE_TRY(auto member, unit.tx().members().find(tenant.id, user));
  if (!member) return fail(Errc::unauthenticated, "not a member of this tenant");
  return success();
}

// The name a failed login is counted under: what was typed, lower-cased (ASCII), and for a tenant
// reference that names no tenant, that reference as well (its failures all go to tenant 0).
std::string throttle_login(const TenantRef& tenant_ref, bool tenant_known,
                           std::string_view username_or_email) {
  std::string login;
  if (!tenant_known) {
    login =
        tenant_ref.is_id() ? "#" + std::to_string(tenant_ref.id()) : std::string(tenant_ref.slug());
    login += ' ';
  }
  login += username_or_email;
  std::transform(login.begin(), login.end(), login.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return login;
}

}  // namespace

// A login answers alike whether or not the tenant and the account exist: the same message, a
// password hash checked either way (a dummy one when there is no account), and failures counted
// per name as typed, so that "too many failed logins" comes for names nobody has too.
Result<Session> Database::login(const TenantRef& tenant_ref, std::string_view username_or_email,
                                std::string_view password, RequestInfo request) const noexcept {
  if (password.size() > 4096 || username_or_email.size() > 254) return invalid_credentials();
  if (!tenant_ref.is_id() && tenant_ref.slug().size() > 254) return invalid_credentials();
  auto probe = state_for(state_, Actor{}, std::nullopt, request);

  // 1. Who is asking, and may they try now?
  struct Attempt {
    std::optional<Tenant> tenant;
    std::optional<storage::UserRow> user;
    std::string login;  // what the failures are counted under
    std::int64_t failures = 0;
    Timestamp last_failure = 0;
  };
  QUIRE_TRY(auto who, read_unit(*probe, [&](Unit& unit) -> Result<Attempt> {
              Attempt found;
              auto tenant = detail::find_tenant(unit.tx(), tenant_ref);
              if (tenant) {
                found.tenant = std::move(tenant).value();
              } else if (!names_nothing(tenant.error())) {
                return std::move(tenant).as_failure();
              }
              const bool by_email = username_or_email.find('@') != std::string_view::npos;
              if (!found.tenant) {
                // No account is looked up: none could log in here.
              } else if (by_email) {
                if (auto email = detail::normalise_email(username_or_email)) {
                  QUIRE_TRY(found.user, unit.tx().users().find_by_email(email.value()));
                }
              } else {
                QUIRE_TRY(found.user, unit.tx().users().find_by_username(username_or_email));
              }
              found.login = throttle_login(tenant_ref, found.tenant.has_value(), username_or_email);
              QUIRE_TRY(auto failures, unit.tx().sessions().failures(
                                           found.tenant ? found.tenant->id : 0, found.login));
              found.failures = failures.first;
              found.last_failure = failures.second;
              return found;
            }));
  const auto& options = state_->options;
  const Timestamp now = now_ms();
  const UserId user_id = who.user ? who.user->user.id : 0;
  const TenantId tenant_id = who.tenant ? who.tenant->id : 0;
  auto ctx = state_for(state_, Actor{who.user ? ActorType::user : ActorType::system, user_id},
                       tenant_id, request);
  // Every refused login in a tenant leaves an entry in its chain, whether the password was wrong
  // or never checked; one naming no tenant has no chain to go to.
  const auto audit_failure = [&](Unit& unit, std::optional<Json> why) -> Result<void> {
    if (!who.tenant) return success();
    const AuditRecord failed{tenant_id, "auth.login_failed", "user", std::to_string(user_id),
                             {},        std::move(why)};
    QUIRE_TRY(detail::append_audit(unit.tx(), unit.ctx(), failed, "denied"));
    return success();
  };
  if (who.failures >= options.free_login_failures) {
    const auto excess = std::min<std::int64_t>(who.failures - options.free_login_failures, 20);
    const Timestamp wait = std::min<Timestamp>(Timestamp{1000} << excess, max_throttle_ms);
    if (now < who.last_failure + wait) {
      const auto seconds = (who.last_failure + wait - now + 999) / 1000;
      // Not counted as a failure: the lockout does not grow while the password goes unchecked.
      QUIRE_TRY(write_unit(*ctx, [&](Unit& unit) {
        return audit_failure(unit, Json{{"throttled_for_s", seconds}});
      }));
      return fail(Errc::unauthenticated,
                  fmt::format("too many failed logins; try again in {} s", seconds));
    }
  }

  // 2. The password, outside any transaction: argon2id is slow on purpose.
  bool verified = false;
  std::optional<std::string> rehash;
  state_->password_slots.acquire();
  if (who.user) {
    verified = detail::verify_password(who.user->password_hash, password);
    if (verified && detail::password_needs_rehash(who.user->password_hash, options.passwords)) {
      if (auto fresh = detail::hash_password(password, options.passwords)) rehash = fresh.value();
    }
  } else {
    // As long as a real check, so timing does not tell which usernames exist.
    std::call_once(state_->dummy_hash_once, [&] {
      auto hash = detail::hash_password(detail::random_bytes(16), options.passwords);
      if (hash) state_->dummy_hash = std::move(hash).value();
    });
    (void)detail::verify_password(state_->dummy_hash, password);
  }
  state_->password_slots.release();

  // 3. Record the outcome: a failure commits its counter and audit entry; a success its session.
  const auto refuse = [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(unit.tx().sessions().record_failure(tenant_id, who.login, now));
    return audit_failure(unit, std::nullopt);
  };
  if (!verified) {
    QUIRE_TRY(write_unit(*ctx, refuse));
    return invalid_credentials();
  }
  const AuditRecord login{tenant_id, "auth.login", "user", std::to_string(user_id), {}, {}};
  return write_unit(*ctx, [&](Unit& unit) -> Result<Session> {
    // The right password of someone who may not log in here counts as a failure too: otherwise
    // the counter would tell a right password from a wrong one, tenant by tenant.
    if (auto member = check_member(unit, *who.tenant, user_id); !member) {
      // Only a refusal is a failed login; a storage failure is returned and nothing commits.
      if (member.error().code != Errc::unauthenticated) return std::move(member).as_failure();
      QUIRE_TRY(refuse(unit));
      QUIRE_TRY(unit.commit());
      return invalid_credentials();
    }
    QUIRE_TRY(unit.tx().sessions().clear_failures(tenant_id, who.login));
    if (rehash) {
      auto row = *who.user;
      row.password_hash = *rehash;
      QUIRE_TRY(unit.tx().users().update(row));
    }
    QUIRE_TRY(auto secret, token_secret(unit, IfMissing::create));
    storage::SessionRow session{detail::to_hex(detail::random_bytes(16)),
                                tenant_id,
                                user_id,
                                now,
                                now + options.session_ttl_ms,
                                std::nullopt};
    QUIRE_TRY(unit.tx().sessions().insert(session));
    QUIRE_TRY(unit.record(login));
    const auto token = sign(secret, Json{{"sub", user_id},
                                         {"tenant", tenant_id},
                                         {"iat", now / 1000},
                                         {"exp", session.expires_at / 1000},
                                         {"jti", session.jti}});
    return Session{token, Context(ctx), session.expires_at};
  });
}

Result<Context> Database::context_from_token(
    std::string_view token, RequestInfo request,
    const std::optional<TenantRef>& expected_tenant) const noexcept {
  auto probe = state_for(state_, Actor{}, std::nullopt, request);
  return read_unit(*probe, [&](Unit& unit) -> Result<Context> {
    QUIRE_TRY(auto secret, token_secret(unit, IfMissing::refuse, token));
    QUIRE_TRY(auto claims, verify_token(secret, token));
    // exp is in seconds; compared without multiplying, which a huge exp would overflow.
    if (claims.exp <= now_ms() / 1000) return bad_token("has expired");
    QUIRE_TRY(auto session, unit.tx().sessions().find(claims.jti));
    if (!session || session->user_id != claims.sub || session->tenant_id != claims.tenant) {
      return bad_token("is not a known session");
    }
    if (session->revoked_at) return bad_token("was revoked (logged out)");
    auto found = detail::find_tenant(unit.tx(), claims.tenant);
    if (!found && !names_nothing(found.error())) return std::move(found).as_failure();
    if (!found) return bad_token("names an unknown tenant");
    const Tenant& tenant = found.value();
    if (expected_tenant) {
      const bool same = expected_tenant->is_id() ? expected_tenant->id() == tenant.id
                                                 : expected_tenant->slug() == tenant.slug;
      if (!same) return bad_token("belongs to another tenant");
    }
    QUIRE_TRY(check_member(unit, tenant, claims.sub));
    return Context(state_for(state_, Actor{ActorType::user, claims.sub}, tenant.id, request));
  });
}

Result<void> Database::logout(std::string_view token) const noexcept {
  auto probe = state_for(state_, Actor{}, std::nullopt, {});
  return write_unit(*probe, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(auto secret, token_secret(unit, IfMissing::refuse, token));
    QUIRE_TRY(auto claims, verify_token(secret, token));
    QUIRE_TRY(unit.tx().sessions().revoke(claims.jti, now_ms()));
    auto as_user = state_for(state_, Actor{ActorType::user, claims.sub}, claims.tenant, {});
    QUIRE_TRY(detail::append_audit(
        unit.tx(), *as_user,
        {claims.tenant, "auth.logout", "user", std::to_string(claims.sub), {}, {}}, "ok"));
    return success();
  });
}

Result<Context> Database::context_from_key(std::string_view key,
                                           RequestInfo request) const noexcept {
  QUIRE_TRY(auto text, detail::parse_key(key));
  const auto presented = detail::hash_secret(text.secret);
  auto probe = state_for(state_, Actor{}, std::nullopt, request);
  std::optional<AuditRecord> refused;
  auto result = write_unit(*probe, [&](Unit& unit) -> Result<Context> {
    QUIRE_TRY(auto row, unit.tx().keys().find_by_public_id(text.public_id));
    if (!row) return fail(Errc::unauthenticated, "API key is not valid");
    const auto& key_record = row->key;
    const auto refuse = [&](std::string why) {
      refused = AuditRecord{
          key_record.tenant_id, "auth.key_refused", "api_key", std::to_string(key_record.id), {},
          Json{{"reason", why}}};
      return fail(Errc::unauthenticated, "API key " + why);
    };
    if (!detail::constant_time_equal(presented, row->secret_hash)) return refuse("is not valid");
    if (key_record.revoked_at) return refuse("is revoked");
    if (key_record.expires_at && *key_record.expires_at <= now_ms()) return refuse("has expired");
    auto tenant = detail::find_tenant(unit.tx(), key_record.tenant_id);
    if (!tenant && !names_nothing(tenant.error())) return std::move(tenant).as_failure();
    if (!tenant || tenant.value().deleted_at || !tenant.value().is_active) {
      return refuse("has no active tenant");
    }
    if (!row->made_by_system) {
      // The person behind the key must still stand in its tenant (acting_permissions checks it
      // again at every use, and narrows the key to their current role).
      QUIRE_TRY(auto standing,
                unit.tx().keys().find_with_standing(key_record.tenant_id, key_record.id));
      if (!standing || !standing->creator_active) return refuse("was made by a deactivated user");
      if (!standing->creator_role) {
        return refuse("was made by a user who is no longer a member of its tenant");
      }
    }
    row->key.use_count += 1;
    row->key.last_used_at = now_ms();
    QUIRE_TRY(unit.tx().keys().update(*row));
    return Context(
        state_for(state_, Actor{ActorType::api_key, key_record.id}, key_record.tenant_id, request));
  });
  if (refused) {
    // The refusal is audited in a transaction of its own, since the use itself rolled back.
    auto as_key = state_for(state_, Actor{ActorType::api_key, std::stoll(refused->resource_id)},
                            refused->chain, request);
    (void)write_unit(*as_key, [&](Unit& unit) -> Result<AuditEntry> {
      return detail::append_audit(unit.tx(), unit.ctx(), *refused, "denied");
    });
  }
  return result;
}

Result<void> Database::rotate_token_secret() const noexcept {
  auto system = state_for(state_, Actor{}, std::nullopt, {});
  return write_unit(*system, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(unit.tx().sessions().set_secret(detail::random_bytes(secret_bytes)));
    return unit.record({0, "auth.rotate_secret", "database", "token", {}, {}});
  });
}

}  // namespace quire
