#pragma once
// Identifiers and the small value types every engine shares.

#include <cstdint>
#include <quire/time.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quire {

using TenantId = std::int64_t;
using UserId = std::int64_t;

// One page of a keyset-paginated listing. `next_cursor` is opaque; empty when this is the last
// page.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

// A tenant named by id or by slug: `tenants().get("acme")` and `tenants().get(tenant.id)` both
// work.
class TenantRef {
 public:
  TenantRef(TenantId id) : value_(id) {}  // NOLINT(google-explicit-constructor)
  TenantRef(std::string_view slug)
      : value_(std::string(slug)) {}                    // NOLINT(google-explicit-constructor)
  TenantRef(const std::string& slug) : value_(slug) {}  // NOLINT(google-explicit-constructor)
  TenantRef(const char* slug) : value_(std::string(slug ? slug : "")) {}  // NOLINT

  bool is_id() const noexcept { return std::holds_alternative<TenantId>(value_); }
  TenantId id() const noexcept {
    const auto* id = std::get_if<TenantId>(&value_);
    return id ? *id : 0;
  }
  // Empty for a reference by id.
  std::string_view slug() const noexcept {
    const auto* slug = std::get_if<std::string>(&value_);
    return slug ? std::string_view(*slug) : std::string_view();
  }

 private:
  std::variant<TenantId, std::string> value_;
};

}  // namespace quire
