#pragma once
// Finding the tenant or user an operation names, with the not_found message every engine gives.

#include <quire/result.hpp>
#include <quire/storage.hpp>
#include <string>

namespace quire::detail {

// How a message names a tenant reference: its slug in quotes, or its id.
std::string tenant_label(const TenantRef& ref);

// Errors: invalid_argument (empty slug), not_found.
Result<Tenant> find_tenant(storage::Transaction& tx, const TenantRef& ref);
// Errors: not_found.
Result<storage::UserRow> find_user(storage::Transaction& tx, UserId id);

}  // namespace quire::detail
