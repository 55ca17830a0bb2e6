#include "engines/roles.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/validate.hpp"

namespace quire::detail {

namespace {

constexpr std::array<std::string_view, 6> role_names = {"viewer", "contributor", "author",
                                                        "editor", "admin",       "owner"};

struct MatrixEntry {
  std::string_view permission;
  int from_rank;  // the lowest role that has it; every role above has it too
};

// clang-format off
constexpr std::array<MatrixEntry, 18> matrix = {{
    {"tenant.read",       0}, {"member.read",   0}, {"post.read",     0},
    {"post.create",       1}, {"post.update.own", 1}, {"version.read", 1},
    {"post.publish.own",  2}, {"post.delete.own", 2},
    {"post.update",       3}, {"post.publish",  3}, {"post.delete",   3}, {"version.restore", 3},
    {"member.manage",     4}, {"audit.read",    4}, {"audit.export",  4}, {"role.manage", 4},
    {"key.manage",        4},
    {"tenant.manage",     5},
}};
// clang-format on

constexpr auto permission_names = [] {
  std::array<std::string_view, matrix.size()> names{};
  for (std::size_t i = 0; i < matrix.size(); ++i) names[i] = matrix[i].permission;
  return names;
}();

}  // namespace

std::span<const std::string_view> known_permissions() noexcept {
  return permission_names;
}

std::optional<int> permission_rank(std::string_view permission) noexcept {
  for (const auto& entry : matrix) {
    if (entry.permission == permission) return entry.from_rank;
  }
  return std::nullopt;
}

std::span<const std::string_view> builtin_roles() noexcept {
  return role_names;
}

std::optional<int> role_rank(std::string_view role) noexcept {
  const auto found = std::find(role_names.begin(), role_names.end(), role);
  if (found == role_names.end()) return std::nullopt;
  return static_cast<int>(found - role_names.begin());
}

bool role_has(std::string_view role, std::string_view permission) noexcept {
  const auto rank = role_rank(role);
  if (!rank) return false;
  return std::any_of(matrix.begin(), matrix.end(), [&](const MatrixEntry& grant) {
    return grant.permission == permission && *rank >= grant.from_rank;
  });
}

Result<void> check_role(std::string_view role) noexcept {
  if (role_rank(role)) return success();
  return fail(
      Errc::invalid_argument,
      fmt::format("role {} must be one of owner, admin, editor, author, contributor, viewer",
                  quoted(role)));
}

Result<void> check_role_name(std::string_view role) noexcept {
  const bool ok = !role.empty() && role.size() <= 64 && role.front() >= 'a' &&
                  role.front() <= 'z' && std::all_of(role.begin(), role.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                  });
  if (ok) return success();
  return fail(Errc::invalid_argument,
              fmt::format("role {} must match [a-z][a-z0-9_-]{{0,63}}", quoted(role)));
}

}  // namespace quire::detail
