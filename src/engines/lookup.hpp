#pragma once
// Finding the tenant or user an operation names, with the not_found message every engine gives.

#include <quire/result.hpp>
#include <quire/storage.hpp>
#include <string>

namespace quire::detail {

struct ContextState;  // src/state.hpp

// How a message names a tenant reference: its slug in quotes, or its id.
std::string tenant_label(const TenantRef& ref);

// Errors: invalid_argument (empty slug), not_found.
Result<Tenant> find_tenant(storage::Transaction& tx, const TenantRef& ref);
// find_tenant() as `ctx` may see it: a context acting in one tenant finds no other, and gets for
// it the very not_found a tenant that does not exist gives, word for word, so that no message
// tells which tenants exist. The system context sees every tenant.
Result<Tenant> find_visible_tenant(const ContextState& ctx, storage::Transaction& tx,
                                   const TenantRef& ref);
// The not_found of a tenant reference that names no tenant.
Error tenant_not_found(const TenantRef& ref);
// Errors: not_found.
Result<storage::UserRow> find_user(storage::Transaction& tx, UserId id);

// The context's tenant, for an engine whose rows (`what`: "posts", "API keys") each belong to
// one. Errors: invalid_argument for a context without a tenant (the plain db.system()).
Result<TenantId> tenant_of(const ContextState& ctx, std::string_view what);

}  // namespace quire::detail
