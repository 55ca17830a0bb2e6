// The Tenant engine: tenants, plans and quotas, memberships. Every change is audited in the
// tenant's own chain.

#include <fmt/format.h>

#include <quire/tenant.hpp>

#include "core/cursor.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/validate.hpp"
#include "engines/authorize.hpp"
#include "engines/lookup.hpp"
#include "engines/membership.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::AuditRecord;
using detail::check_rank;
using detail::find_plan;
using detail::Json;
using detail::read_unit;
using detail::Unit;
using detail::write_unit;

namespace {

constexpr std::size_t max_name_bytes = 200;

Result<std::string> normalise_settings(std::string_view settings) {
  QUIRE_TRY(auto value, detail::parse_json_object("settings", settings.empty() ? "{}" : settings));
  return detail::dump_json(value);
}

// The tenant as its audit entries show it.
Json audited(const Tenant& tenant) {
  return {{"slug", tenant.slug},
          {"name", tenant.name},
          {"plan", tenant.plan},
          {"domain", tenant.domain ? Json(*tenant.domain) : Json()},
          {"settings", Json::parse(tenant.settings)},
          {"is_active", tenant.is_active},
          {"deleted_at", tenant.deleted_at ? Json(*tenant.deleted_at) : Json()}};
}

// An attempt on a tenant, recorded in the chain of the context that made it.
AuditRecord attempt(const detail::ContextState& ctx, std::string action, std::string tenant) {
  return {ctx.tenant.value_or(0), std::move(action), "tenant", std::move(tenant), {}, {}};
}

// Records the change from `before` to `after` in the tenant's chain.
Result<void> record_change(Unit& unit, std::string action, const Tenant& before,
                           const Tenant& after) {
  auto [old_values, new_values] = detail::changed_fields(audited(before), audited(after));
  return unit.record({after.id, std::move(action), "tenant", std::to_string(after.id),
                      std::move(old_values), std::move(new_values)});
}

Result<void> check_domain_free(storage::Transaction& tx, const std::optional<std::string>& domain,
                               TenantId owner) {
  if (!domain) return success();
  QUIRE_TRY(auto holder, tx.tenants().find_by_domain(*domain));
  if (holder && holder->id != owner) {
    return fail(Errc::already_exists, fmt::format("domain {} already belongs to another tenant",
                                                  detail::quoted(*domain)));
  }
  return success();
}

}  // namespace

TenantEngine::TenantEngine(std::shared_ptr<detail::ContextState> ctx) noexcept
    : ctx_(std::move(ctx)) {}

Result<Tenant> TenantEngine::create(const NewTenant& input) noexcept {
  Tenant tenant;
  QUIRE_TRY(detail::check_tenant_slug(input.slug));
  tenant.slug = input.slug;
  QUIRE_TRY(tenant.name, detail::check_text("tenant name", input.name, max_name_bytes));
  tenant.plan = input.plan.empty() ? ctx_->db->options.default_plan : input.plan;
  QUIRE_TRY(find_plan(ctx_->db->options, tenant.plan));
  if (input.domain) {
    QUIRE_TRY(tenant.domain, detail::normalise_domain(*input.domain));
  }
  QUIRE_TRY(tenant.settings, normalise_settings(input.settings));
  tenant.created_at = tenant.updated_at = now_ms();

  return write_unit(*ctx_, [&](Unit& unit) -> Result<Tenant> {
    QUIRE_TRY(detail::require_system(unit, "create tenants",
                                     attempt(*ctx_, "tenant.create", tenant.slug)));
    auto& tx = unit.tx();
    // The unique slug and domain decide: only an insert they refuse looks for the holder, to say
    // which. (Looking first, on PostgreSQL, took SERIALIZABLE's predicate lock on the page of the
    // slug index where the new slug goes, and two creates whose slugs fell on one page each
    // inserted where the other had looked: they failed to serialize.)
    auto inserted = tx.tenants().insert(tenant);
    if (!inserted && inserted.error().code == Errc::already_exists) {
      QUIRE_TRY(auto existing, tx.tenants().find_by_slug(tenant.slug));
      if (existing) {
        return fail(Errc::already_exists,
                    fmt::format("tenant slug {} already exists", detail::quoted(tenant.slug)));
      }
      QUIRE_TRY(check_domain_free(tx, tenant.domain, 0));
    }
    QUIRE_TRY(tenant.id, std::move(inserted));
    // The tenant's chain starts with its own creation.
    QUIRE_TRY(unit.record(
        {tenant.id, "tenant.create", "tenant", std::to_string(tenant.id), {}, audited(tenant)}));
    return tenant;
  });
}

Result<Tenant> TenantEngine::get(const TenantRef& ref) noexcept {
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Tenant> {
    QUIRE_TRY(auto tenant, detail::find_visible_tenant(*ctx_, unit.tx(), ref));
    QUIRE_TRY(detail::require(unit, "tenant.read", tenant.id, detail::tenant_label(ref),
                              attempt(*ctx_, "tenant.read", std::to_string(tenant.id))));
    return tenant;
  });
}

Result<Tenant> TenantEngine::get_by_domain(std::string_view domain) noexcept {
  QUIRE_TRY(auto host, detail::normalise_domain(domain));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Tenant> {
    QUIRE_TRY(auto tenant, unit.tx().tenants().find_by_domain(host));
    // Another tenant's domain reads as one nobody has.
    if (!tenant || (!ctx_->is_system() && ctx_->tenant != tenant->id)) {
      return fail(Errc::not_found, fmt::format("no tenant has domain {}", detail::quoted(host)));
    }
    QUIRE_TRY(detail::require(unit, "tenant.read", tenant->id, detail::quoted(host),
                              attempt(*ctx_, "tenant.read", std::to_string(tenant->id))));
    return std::move(*tenant);
  });
}

Result<Page<Tenant>> TenantEngine::list(const TenantQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(auto after, detail::decode_id_cursor(query.cursor));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<Page<Tenant>> {
    Page<Tenant> page;
    if (!ctx_->is_system()) {
      // A member sees the one tenant they act in; a user acting in none (user_context) sees none.
      if (!ctx_->tenant) return page;
      QUIRE_TRY(auto tenant, detail::find_tenant(unit.tx(), *ctx_->tenant));
      QUIRE_TRY(detail::require(unit, "tenant.read", tenant.id, tenant.slug,
                                attempt(*ctx_, "tenant.list", std::to_string(tenant.id))));
      if (tenant.id > after) page.items.push_back(std::move(tenant));
      return page;
    }
    storage::TenantScan scan;
    scan.after_id = after;
    scan.limit = query.limit + 1;  // one more tells whether another page exists
    scan.include_inactive = query.include_inactive;
    scan.include_deleted = query.include_deleted;
    QUIRE_TRY(page.items, unit.tx().tenants().list(scan));
    if (page.items.size() > query.limit) {
      page.items.pop_back();
      page.next_cursor = detail::encode_cursor(page.items.back().id);
    }
    return page;
  });
}

Result<Tenant> TenantEngine::update(const TenantRef& ref, const TenantPatch& patch) noexcept {
  std::optional<std::string> name;
  std::optional<std::string> settings;
  std::optional<std::optional<std::string>> domain;
  if (patch.name) {
    QUIRE_TRY(name, detail::check_text("tenant name", *patch.name, max_name_bytes));
  }
  if (patch.plan) {
    QUIRE_TRY(find_plan(ctx_->db->options, *patch.plan));
  }
  if (patch.settings) {
    QUIRE_TRY(settings, normalise_settings(*patch.settings));
  }
  if (patch.domain) {
    domain.emplace();
    if (*patch.domain) {
      QUIRE_TRY(*domain, detail::normalise_domain(**patch.domain));
    }
  }
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Tenant> {
    auto& tx = unit.tx();
    QUIRE_TRY(const auto before, detail::find_visible_tenant(*ctx_, tx, ref));
    QUIRE_TRY(detail::require(unit, "tenant.manage", before.id, before.slug,
                              attempt(*ctx_, "tenant.update", std::to_string(before.id))));
    Tenant tenant = before;
    if (name) tenant.name = *name;
    if (settings) tenant.settings = *settings;
    if (domain) {
      QUIRE_TRY(check_domain_free(tx, *domain, tenant.id));
      tenant.domain = *domain;
    }
    if (patch.plan && *patch.plan != tenant.plan) {
      QUIRE_TRY(const Plan* plan, find_plan(ctx_->db->options, *patch.plan));
      if (plan->max_members > 0) {  // unlimited: nothing to count
        QUIRE_TRY(const auto members, tx.members().count(tenant.id));
        if (members > plan->max_members) {
          return detail::quota_exceeded(
              "members", plan->max_members, plan->name,
              fmt::format("plan {} allows {} members; tenant {} has {}", plan->name,
                          plan->max_members, tenant.slug, members));
        }
      }
      tenant.plan = plan->name;
    }
    tenant.updated_at = now_ms();
    QUIRE_TRY(tx.tenants().update(tenant));
    QUIRE_TRY(record_change(unit, "tenant.update", before, tenant));
    return tenant;
  });
}

namespace {

// The four lifecycle switches share one shape: system only, idempotent, and a no-op writes nothing.
template <class Change>
Result<Tenant> switch_state(const detail::ContextState& ctx, const TenantRef& ref,
                            std::string_view what, std::string action, Change&& change) {
  return write_unit(ctx, [&](Unit& unit) -> Result<Tenant> {
    QUIRE_TRY(const auto before, detail::find_visible_tenant(ctx, unit.tx(), ref));
    QUIRE_TRY(detail::require_system(unit, what, attempt(ctx, action, std::to_string(before.id))));
    Tenant tenant = before;
    if (!change(tenant)) return tenant;
    tenant.updated_at = now_ms();
    QUIRE_TRY(unit.tx().tenants().update(tenant));
    QUIRE_TRY(record_change(unit, action, before, tenant));
    return tenant;
  });
}

}  // namespace

Result<Tenant> TenantEngine::deactivate(const TenantRef& ref) noexcept {
  return switch_state(*ctx_, ref, "deactivate tenants", "tenant.deactivate",
                      [](Tenant& tenant) { return std::exchange(tenant.is_active, false); });
}

Result<Tenant> TenantEngine::activate(const TenantRef& ref) noexcept {
  return switch_state(*ctx_, ref, "activate tenants", "tenant.activate",
                      [](Tenant& tenant) { return !std::exchange(tenant.is_active, true); });
}

Result<Tenant> TenantEngine::remove(const TenantRef& ref) noexcept {
  const Timestamp now = now_ms();
  return switch_state(*ctx_, ref, "delete tenants", "tenant.delete", [&](Tenant& tenant) {
    if (tenant.deleted_at) return false;
    tenant.deleted_at = now;
    return true;
  });
}

Result<Tenant> TenantEngine::restore(const TenantRef& ref) noexcept {
  return switch_state(*ctx_, ref, "restore tenants", "tenant.restore", [](Tenant& tenant) {
    return std::exchange(tenant.deleted_at, std::nullopt).has_value();
  });
}

namespace {

AuditRecord member_attempt(const detail::ContextState& ctx, std::string action, UserId user) {
  return {ctx.tenant.value_or(0), std::move(action), "member", std::to_string(user), {}, {}};
}

struct ManagedMember {
  Tenant tenant;
  Member member;
};

// The member an actor is about to change or remove: it exists, and it is within the actor's rank.
Result<ManagedMember> managed_member(Unit& unit, const TenantRef& ref, UserId user,
                                     const AuditRecord& attempted) {
  QUIRE_TRY(auto tenant, detail::find_visible_tenant(unit.ctx(), unit.tx(), ref));
  QUIRE_TRY(detail::require(unit, "member.manage", tenant.id, tenant.slug, attempted));
  QUIRE_TRY(auto member, unit.tx().members().find(tenant.id, user));
  if (!member) {
    return fail(Errc::not_found,
                fmt::format("user {} is not a member of tenant {}", user, tenant.slug));
  }
  QUIRE_TRY(check_rank(unit, tenant, member->role, attempted));
  return ManagedMember{std::move(tenant), std::move(*member)};
}

}  // namespace

Result<Member> TenantEngine::add_member(const TenantRef& ref, UserId user,
                                        std::string_view role) noexcept {
  QUIRE_TRY(detail::check_role_name(role));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Member> {
    const auto attempted = member_attempt(*ctx_, "member.add", user);
    QUIRE_TRY(auto tenant, detail::find_visible_tenant(*ctx_, unit.tx(), ref));
    // Joining takes the account's consent: anyone but the system context invites, and the user
    // accepts (invitations.cpp). Adding directly let an admin pull in any account of the database
    // and then read its username and e-mail.
    if (!ctx_->is_system()) {
      QUIRE_TRY(detail::require(unit, "member.manage", tenant.id, tenant.slug, attempted));
      return unit.deny(attempted,
                       fmt::format("denied: only the system context adds members directly; "
                                   "invite the person to tenant {} instead "
                                   "(tenants().invite(tenant, email, role))",
                                   tenant.slug),
                       "member.manage");
    }
    QUIRE_TRY(check_rank(unit, tenant, role, attempted));
    if (tenant.deleted_at) {
      return fail(Errc::conflict,
                  fmt::format("tenant {} is deleted; restore it first", tenant.slug));
    }
    return detail::join(unit, tenant, user, role);
  });
}

Result<Member> TenantEngine::set_role(const TenantRef& ref, UserId user,
                                      std::string_view role) noexcept {
  QUIRE_TRY(detail::check_role_name(role));
  return write_unit(*ctx_, [&](Unit& unit) -> Result<Member> {
    const auto attempted = member_attempt(*ctx_, "member.set_role", user);
    QUIRE_TRY(auto managed, managed_member(unit, ref, user, attempted));
    QUIRE_TRY(check_rank(unit, managed.tenant, role, attempted));
    if (managed.member.role == role) return std::move(managed.member);
    QUIRE_TRY(unit.tx().members().update_role(managed.tenant.id, user, role));
    QUIRE_TRY(unit.record({managed.tenant.id, "member.set_role", "member", std::to_string(user),
                           Json{{"role", managed.member.role}}, Json{{"role", role}}}));
    managed.member.role = std::string(role);
    return std::move(managed.member);
  });
}

Result<void> TenantEngine::remove_member(const TenantRef& ref, UserId user) noexcept {
  return write_unit(*ctx_, [&](Unit& unit) -> Result<void> {
    QUIRE_TRY(auto managed,
              managed_member(unit, ref, user, member_attempt(*ctx_, "member.remove", user)));
    QUIRE_TRY(unit.tx().members().remove(managed.tenant.id, user));
    return unit.record({managed.tenant.id,
                        "member.remove",
                        "member",
                        std::to_string(user),
                        Json{{"user_id", user}, {"role", managed.member.role}},
                        {}});
  });
}

Result<std::vector<Member>> TenantEngine::members(const TenantRef& ref) noexcept {
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::vector<Member>> {
    QUIRE_TRY(auto tenant, detail::find_visible_tenant(*ctx_, unit.tx(), ref));
    QUIRE_TRY(detail::require(unit, "member.read", tenant.id, tenant.slug,
                              member_attempt(*ctx_, "member.list", 0)));
    return unit.tx().members().list(tenant.id);
  });
}

}  // namespace quire
