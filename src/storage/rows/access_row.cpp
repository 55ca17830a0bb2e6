#include "storage/rows/access_row.hpp"

#include "core/json.hpp"

namespace quire::storage::rows {

Role read_role(const ColumnReader& row) {
  Role role;
  role.name = row.string(0);
  for (const auto& permission : detail::Json::parse(row.text(1))) {
    role.permissions.push_back(permission.get<std::string>());
  }
  return role;
}

std::optional<GrantLevel> grant_level_from(std::string_view name) {
  for (auto level : {GrantLevel::read, GrantLevel::write, GrantLevel::admin}) {
    if (grant_level_name(level) == name) return level;
  }
  return std::nullopt;
}

}  // namespace quire::storage::rows
