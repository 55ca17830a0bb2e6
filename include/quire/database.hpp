#pragma once
// quire::Database: the entry point. Open one per database and share it between threads.

#include <quire/quire_export.h>

#include <functional>
#include <memory>
#include <quire/context.hpp>
#include <quire/options.hpp>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <string_view>

namespace quire {

namespace detail {
struct DatabaseState;
}

class QUIRE_EXPORT Database {
 public:
  // URLs: "sqlite:path/to/file.db" (created if missing) and "sqlite::memory:". Runs the schema
  // migrations. Errors: invalid_argument (url, options), storage (cannot open), not_supported (the
  // file was written by a newer quire), busy.
  [[nodiscard]] static Result<Database> open(std::string_view url, Options options = {}) noexcept;

  // The explicit, audited administration context: the only actor that skips permission checks.
  // Without a tenant it manages tenants and users; with one it acts inside that tenant.
  [[nodiscard]] Context system() const noexcept;
  [[nodiscard]] Result<Context> system(const TenantRef& tenant) const noexcept;

  // A user acting in a tenant: the host has authenticated them. Errors: not_found (tenant, user),
  // permission_denied (not a member, or the tenant or user is inactive or deleted).
  [[nodiscard]] Result<Context> context(const TenantRef& tenant, UserId user,
                                        RequestInfo request = {}) const noexcept;

  // Runs `body` in one transaction: everything it does through `ctx` commits together when it
  // returns success, and nothing does when it returns an error. Nested calls join the outer one.
  [[nodiscard]] Result<void> transaction(
      const Context& ctx, const std::function<Result<void>(Context&)>& body) noexcept;

  // Waits for the operations in flight, then closes the connections. Later calls through any
  // Context of this database fail with invalid_argument. Idempotent.
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept;
  [[nodiscard]] const Options& options() const noexcept;

 private:
  explicit Database(std::shared_ptr<detail::DatabaseState> state) noexcept;
  std::shared_ptr<detail::DatabaseState> state_;
};

}  // namespace quire
