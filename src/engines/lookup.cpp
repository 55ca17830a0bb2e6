#include "engines/lookup.hpp"

#include <fmt/format.h>

#include "core/validate.hpp"
#include "state.hpp"

namespace quire::detail {

std::string tenant_label(const TenantRef& ref) {
  return ref.is_id() ? std::to_string(ref.id()) : quoted(ref.slug());
}

Result<Tenant> find_tenant(storage::Transaction& tx, const TenantRef& ref) {
  if (!ref.is_id() && ref.slug().empty()) {
    return fail(Errc::invalid_argument, "tenant must be an id or a non-empty slug");
  }
  QUIRE_TRY(auto tenant,
            ref.is_id() ? tx.tenants().find(ref.id()) : tx.tenants().find_by_slug(ref.slug()));
  if (!tenant) return tenant_not_found(ref);
  return std::move(*tenant);
}

Error tenant_not_found(const TenantRef& ref) {
  return fail(Errc::not_found, fmt::format("tenant {} not found", tenant_label(ref)));
}

Result<Tenant> find_visible_tenant(const ContextState& ctx, storage::Transaction& tx,
                                   const TenantRef& ref) {
  QUIRE_TRY(auto tenant, find_tenant(tx, ref));
  if (!ctx.is_system() && ctx.tenant != tenant.id) return tenant_not_found(ref);
  return tenant;
}

Result<storage::UserRow> find_user(storage::Transaction& tx, UserId id) {
  QUIRE_TRY(auto user, tx.users().find(id));
  if (!user) return fail(Errc::not_found, fmt::format("user {} not found", id));
  return std::move(*user);
}

Result<TenantId> tenant_of(const ContextState& ctx, std::string_view what) {
  if (!ctx.tenant) {
    return fail(
        Errc::invalid_argument,
        fmt::format("{} belong to a tenant: use a context with one, e.g. db.system(tenant)", what));
  }
  return *ctx.tenant;
}

}  // namespace quire::detail
