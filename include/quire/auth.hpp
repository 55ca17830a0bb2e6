#pragma once
// The Auth engine: API keys for programs (qk_<public id>_<secret>, shown once, stored only as a
// BLAKE2b hash) and signed, expiring, revocable session tokens for people (Database::login).

#include <quire/quire_export.h>

#include <memory>
#include <optional>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <string>
#include <vector>

namespace quire {

namespace detail {
struct ContextState;
}

struct ApiKey {
  std::int64_t id = 0;
  TenantId tenant_id = 0;
  std::string public_id;  // the part after "qk_", before the secret
  std::string name;
  std::vector<std::string> scopes;  // permissions; never more than the creator had
  UserId created_by = 0;
  Timestamp created_at = 0;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> revoked_at;
  std::optional<Timestamp> last_used_at;
  std::int64_t use_count = 0;
};

struct NewKey {
  std::string name;
  std::vector<std::string> scopes;
  std::optional<Timestamp> expires_at;
};

// The key text is shown once, here; quire keeps only its hash.
struct IssuedKey {
  std::string text;  // qk_<public id>_<secret>
  ApiKey key;
};

// Reached through Context::keys(); needs key.manage.
class QUIRE_EXPORT KeyEngine {
 public:
  explicit KeyEngine(std::shared_ptr<detail::ContextState> ctx) noexcept;

  // Errors: invalid_argument (name, unknown scope, expiry in the past), permission_denied (a
  // scope the creator lacks).
  [[nodiscard]] Result<IssuedKey> create(const NewKey& input) noexcept;
  [[nodiscard]] Result<std::vector<ApiKey>> list() noexcept;
  [[nodiscard]] Result<ApiKey> revoke(std::int64_t id) noexcept;
  // A new secret for the same key; the old text stops working at once.
  [[nodiscard]] Result<IssuedKey> rotate(std::int64_t id) noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
