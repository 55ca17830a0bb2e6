#pragma once
// What an operation did, or tried to do, as the audit trail records it.

#include <optional>
#include <quire/types.hpp>
#include <string>

#include "core/json.hpp"

namespace quire::detail {

struct AuditRecord {
  TenantId chain = 0;  // the tenant whose chain records it; 0 for the system chain
  std::string action;  // "tenant.update", …
  std::string resource_type;
  std::string resource_id;
  std::optional<Json> old_values;  // for updates: only the fields that changed
  std::optional<Json> new_values;
};

}  // namespace quire::detail
