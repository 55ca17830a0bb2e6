#pragma once
// The roles and grants tables as both backends map them.

#include <optional>
#include <quire/permission.hpp>
#include <string_view>

#include "storage/rows/row.hpp"

namespace quire::storage::rows {

// A (name, permissions) row: the permissions as a JSON array of names.
Role read_role(const ColumnReader& row);

// The level a grants row names, or nullopt for a name quire does not know.
std::optional<GrantLevel> grant_level_from(std::string_view name);

}  // namespace quire::storage::rows
