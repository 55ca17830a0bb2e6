#pragma once
// The user engine: accounts that can be members of tenants. A password is hashed with argon2id on
// the way in and never stored, logged or returned in clear; User records never carry the hash.

#include <quire/quire_export.h>

#include <memory>
#include <optional>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <string>

namespace quire {

namespace detail {
struct ContextState;
}

struct User {
  UserId id = 0;
  std::string username;  // [a-z0-9][a-z0-9._-]{0,63}, unique
  std::string email;     // normalised: trimmed and lower-cased, unique
  std::string display_name;
  bool is_active = true;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
};

struct NewUser {
  std::string username;
  std::string email;
  std::string password;  // 8..4096 bytes
  std::string display_name;
};

struct UserPatch {
  std::optional<std::string> username;
  std::optional<std::string> email;
  std::optional<std::string> display_name;
};

struct UserQuery {
  unsigned limit = 50;  // 1..1000
  std::string cursor;
};

// Reached through Context::users(). The system context manages every account; a user may read and
// update their own, and read the accounts of the members of the context's tenant.
class QUIRE_EXPORT UserEngine {
 public:
  explicit UserEngine(std::shared_ptr<detail::ContextState> ctx) noexcept;

  // Errors: invalid_argument (username, email, password, display_name), already_exists.
  [[nodiscard]] Result<User> create(const NewUser& input) noexcept;
  // Errors: not_found.
  [[nodiscard]] Result<User> get(UserId id) noexcept;
  [[nodiscard]] Result<User> get_by_username(std::string_view username) noexcept;
  // The system context lists every account; a tenant context lists the members of its tenant.
  [[nodiscard]] Result<Page<User>> list(const UserQuery& query = {}) noexcept;
  // A user changes their own account only while it is active (read at each call, so a context
  // opened before a deactivation is refused too). Errors: invalid_argument, not_found,
  // already_exists, permission_denied (neither the system context nor the user, or deactivated).
  [[nodiscard]] Result<User> update(UserId id, const UserPatch& patch) noexcept;
  [[nodiscard]] Result<void> set_password(UserId id, std::string_view password) noexcept;
  [[nodiscard]] Result<User> deactivate(UserId id) noexcept;
  [[nodiscard]] Result<User> activate(UserId id) noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
