// The Tenant engine: tenants, plans and quotas, memberships.

#include <fmt/format.h>

#include <quire/tenant.hpp>

#include "core/cursor.hpp"
#include "core/json.hpp"
#include "core/validate.hpp"
#include "engines/lookup.hpp"
#include "engines/roles.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::read_unit;
using detail::write_unit;

namespace {

constexpr std::size_t max_name_bytes = 200;

Result<const Plan*> find_plan(const Options& options, std::string_view name) {
  for (const auto& plan : options.plans) {
    if (plan.name == name) return &plan;
  }
  std::string known;
  for (const auto& plan : options.plans) known += (known.empty() ? "" : ", ") + plan.name;
  return fail(Errc::invalid_argument,
              fmt::format("plan {} must be one of: {}", detail::quoted(name), known));
}

Result<std::string> normalise_settings(std::string_view settings) {
  QUIRE_TRY(auto value, detail::parse_json_object("settings", settings.empty() ? "{}" : settings));
  return detail::dump_json(value);
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

// A member may only hand out, change or remove roles up to their own rank, so an admin cannot make
// an owner or demote one.
Result<void> check_rank(const detail::ContextState& ctx, storage::Transaction& tx,
                        const Tenant& tenant, std::string_view role) {
  if (ctx.is_system()) return success();
  QUIRE_TRY(auto acting, detail::acting_member(ctx, tx, tenant.id, tenant.slug));
  if (detail::role_rank(role) > detail::role_rank(acting.role)) {
    return fail(Errc::permission_denied,
                fmt::format("denied: role {} cannot manage role {} in tenant {}", acting.role, role,
                            tenant.slug));
  }
  return success();
}

}  // namespace

TenantEngine::TenantEngine(std::shared_ptr<detail::ContextState> ctx) noexcept
    : ctx_(std::move(ctx)) {}

Result<Tenant> TenantEngine::create(const NewTenant& input) noexcept {
  QUIRE_TRY(detail::require_system(*ctx_, "create tenants"));
  QUIRE_TRY(detail::check_tenant_slug(input.slug));
  Tenant tenant;
  tenant.slug = input.slug;
  QUIRE_TRY(tenant.name, detail::check_text("tenant name", input.name, max_name_bytes));
  tenant.plan = input.plan.empty() ? ctx_->db->options.default_plan : input.plan;
  QUIRE_TRY(find_plan(ctx_->db->options, tenant.plan));
  if (input.domain) {
    QUIRE_TRY(tenant.domain, detail::normalise_domain(*input.domain));
  }
  QUIRE_TRY(tenant.settings, normalise_settings(input.settings));
  tenant.created_at = tenant.updated_at = now_ms();

  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Tenant> {
    QUIRE_TRY(auto existing, tx.tenants().find_by_slug(tenant.slug));
    if (existing) {
      return fail(Errc::already_exists,
                  fmt::format("tenant slug {} already exists", detail::quoted(tenant.slug)));
    }
    QUIRE_TRY(check_domain_free(tx, tenant.domain, 0));
    QUIRE_TRY(tenant.id, tx.tenants().insert(tenant));
    return tenant;
  });
}

Result<Tenant> TenantEngine::get(const TenantRef& ref) noexcept {
  return read_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Tenant> {
    QUIRE_TRY(auto tenant, detail::find_tenant(tx, ref));
    QUIRE_TRY(detail::require(*ctx_, tx, "tenant.read", tenant.id, detail::tenant_label(ref)));
    return tenant;
  });
}

Result<Tenant> TenantEngine::get_by_domain(std::string_view domain) noexcept {
  QUIRE_TRY(auto host, detail::normalise_domain(domain));
  return read_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Tenant> {
    QUIRE_TRY(auto tenant, tx.tenants().find_by_domain(host));
    if (!tenant) {
      return fail(Errc::not_found, fmt::format("no tenant has domain {}", detail::quoted(host)));
    }
    QUIRE_TRY(detail::require(*ctx_, tx, "tenant.read", tenant->id, detail::quoted(host)));
    return std::move(*tenant);
  });
}

Result<Page<Tenant>> TenantEngine::list(const TenantQuery& query) noexcept {
  QUIRE_TRY(detail::check_limit(query.limit));
  QUIRE_TRY(auto after, detail::decode_id_cursor(query.cursor));
  return read_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Page<Tenant>> {
    Page<Tenant> page;
    if (!ctx_->is_system()) {
      // A member sees the one tenant they act in.
      QUIRE_TRY(auto tenant, detail::find_tenant(tx, *ctx_->tenant));
      QUIRE_TRY(detail::require(*ctx_, tx, "tenant.read", tenant.id, tenant.slug));
      if (tenant.id > after) page.items.push_back(std::move(tenant));
      return page;
    }
    storage::TenantScan scan;
    scan.after_id = after;
    scan.limit = query.limit + 1;  // one more tells whether another page exists
    scan.include_inactive = query.include_inactive;
    scan.include_deleted = query.include_deleted;
    QUIRE_TRY(page.items, tx.tenants().list(scan));
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
  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Tenant> {
    QUIRE_TRY(auto tenant, detail::find_tenant(tx, ref));
    QUIRE_TRY(detail::require(*ctx_, tx, "tenant.manage", tenant.id, tenant.slug));
    if (name) tenant.name = *name;
    if (settings) tenant.settings = *settings;
    if (domain) {
      QUIRE_TRY(check_domain_free(tx, *domain, tenant.id));
      tenant.domain = *domain;
    }
    if (patch.plan && *patch.plan != tenant.plan) {
      QUIRE_TRY(const Plan* plan, find_plan(ctx_->db->options, *patch.plan));
      QUIRE_TRY(const auto members, tx.members().count(tenant.id));
      if (plan->max_members > 0 && members > plan->max_members) {
        return fail(Errc::quota_exceeded,
                    fmt::format("plan {} allows {} members; tenant {} has {}", plan->name,
                                plan->max_members, tenant.slug, members));
      }
      tenant.plan = plan->name;
    }
    tenant.updated_at = now_ms();
    QUIRE_TRY(tx.tenants().update(tenant));
    return tenant;
  });
}

namespace {

// The four lifecycle switches share one shape: system only, idempotent, and a no-op writes nothing.
template <class Change>
Result<Tenant> switch_state(const detail::ContextState& ctx, const TenantRef& ref,
                            std::string_view what, Change&& change) {
  QUIRE_TRY(detail::require_system(ctx, what));
  return write_unit(ctx, [&](storage::Transaction& tx) -> Result<Tenant> {
    QUIRE_TRY(auto tenant, detail::find_tenant(tx, ref));
    if (!change(tenant)) return tenant;
    tenant.updated_at = now_ms();
    QUIRE_TRY(tx.tenants().update(tenant));
    return tenant;
  });
}

}  // namespace

Result<Tenant> TenantEngine::deactivate(const TenantRef& ref) noexcept {
  return switch_state(*ctx_, ref, "deactivate tenants",
                      [](Tenant& tenant) { return std::exchange(tenant.is_active, false); });
}

Result<Tenant> TenantEngine::activate(const TenantRef& ref) noexcept {
  return switch_state(*ctx_, ref, "activate tenants",
                      [](Tenant& tenant) { return !std::exchange(tenant.is_active, true); });
}

Result<Tenant> TenantEngine::remove(const TenantRef& ref) noexcept {
  const Timestamp now = now_ms();
  return switch_state(*ctx_, ref, "delete tenants", [&](Tenant& tenant) {
    if (tenant.deleted_at) return false;
    tenant.deleted_at = now;
    return true;
  });
}

Result<Tenant> TenantEngine::restore(const TenantRef& ref) noexcept {
  return switch_state(*ctx_, ref, "restore tenants", [](Tenant& tenant) {
    return std::exchange(tenant.deleted_at, std::nullopt).has_value();
  });
}

Result<Member> TenantEngine::add_member(const TenantRef& ref, UserId user,
                                        std::string_view role) noexcept {
  QUIRE_TRY(detail::check_role(role));
  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Member> {
    QUIRE_TRY(auto tenant, detail::find_tenant(tx, ref));
    QUIRE_TRY(detail::require(*ctx_, tx, "member.manage", tenant.id, tenant.slug));
    QUIRE_TRY(check_rank(*ctx_, tx, tenant, role));
    if (tenant.deleted_at) {
      return fail(Errc::conflict,
                  fmt::format("tenant {} is deleted; restore it first", tenant.slug));
    }
    QUIRE_TRY(auto account, detail::find_user(tx, user));
    if (!account.user.is_active) {
      return fail(Errc::conflict, fmt::format("user {} is deactivated", user));
    }
    QUIRE_TRY(auto existing, tx.members().find(tenant.id, user));
    if (existing) {
      return fail(Errc::already_exists,
                  fmt::format("user {} is already a member of tenant {}", user, tenant.slug));
    }
    QUIRE_TRY(const Plan* plan, find_plan(ctx_->db->options, tenant.plan));
    QUIRE_TRY(const auto members, tx.members().count(tenant.id));
    if (plan->max_members > 0 && members >= plan->max_members) {
      return fail(Errc::quota_exceeded,
                  fmt::format("plan {} allows at most {} members; tenant {} has {}", plan->name,
                              plan->max_members, tenant.slug, members));
    }
    Member member{tenant.id, user, std::string(role), now_ms()};
    QUIRE_TRY(tx.members().insert(member));
    return member;
  });
}

namespace {

struct ManagedMember {
  Tenant tenant;
  Member member;
};

// The member an actor is about to change or remove: it exists, and it is within the actor's rank.
Result<ManagedMember> managed_member(const detail::ContextState& ctx, storage::Transaction& tx,
                                     const TenantRef& ref, UserId user) {
  QUIRE_TRY(auto tenant, detail::find_tenant(tx, ref));
  QUIRE_TRY(detail::require(ctx, tx, "member.manage", tenant.id, tenant.slug));
  QUIRE_TRY(auto member, tx.members().find(tenant.id, user));
  if (!member) {
    return fail(Errc::not_found,
                fmt::format("user {} is not a member of tenant {}", user, tenant.slug));
  }
  QUIRE_TRY(check_rank(ctx, tx, tenant, member->role));
  return ManagedMember{std::move(tenant), std::move(*member)};
}

}  // namespace

Result<Member> TenantEngine::set_role(const TenantRef& ref, UserId user,
                                      std::string_view role) noexcept {
  QUIRE_TRY(detail::check_role(role));
  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<Member> {
    QUIRE_TRY(auto managed, managed_member(*ctx_, tx, ref, user));
    QUIRE_TRY(check_rank(*ctx_, tx, managed.tenant, role));
    if (managed.member.role == role) return std::move(managed.member);
    QUIRE_TRY(tx.members().update_role(managed.tenant.id, user, role));
    managed.member.role = std::string(role);
    return std::move(managed.member);
  });
}

Result<void> TenantEngine::remove_member(const TenantRef& ref, UserId user) noexcept {
  return write_unit(*ctx_, [&](storage::Transaction& tx) -> Result<void> {
    QUIRE_TRY(auto managed, managed_member(*ctx_, tx, ref, user));
    return tx.members().remove(managed.tenant.id, user);
  });
}

Result<std::vector<Member>> TenantEngine::members(const TenantRef& ref) noexcept {
  return read_unit(*ctx_, [&](storage::Transaction& tx) -> Result<std::vector<Member>> {
    QUIRE_TRY(auto tenant, detail::find_tenant(tx, ref));
    QUIRE_TRY(detail::require(*ctx_, tx, "member.read", tenant.id, tenant.slug));
    return tx.members().list(tenant.id);
  });
}

}  // namespace quire
