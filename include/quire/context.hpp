#pragma once
// Who acts, and from where. Every engine is reached through a Context, so no call can touch tenant
// data without naming the tenant and the actor; the audit trail records the request metadata.

#include <quire/quire_export.h>

#include <memory>
#include <optional>
#include <quire/audit.hpp>
#include <quire/auth.hpp>
#include <quire/permission.hpp>
#include <quire/post.hpp>
#include <quire/tenant.hpp>
#include <quire/types.hpp>
#include <quire/user.hpp>
#include <quire/version.hpp>
#include <string>

namespace quire {

struct Actor {
  ActorType type = ActorType::system;
  std::int64_t id = 0;  // the user or key id; 0 for the system
};

// Request metadata, recorded with every change. All optional.
struct RequestInfo {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

// A cheap, copyable handle. It keeps its Database alive. Contexts may be used from any thread, but
// a context inside Database::transaction belongs to that call's thread until it returns.
class QUIRE_EXPORT Context {
 public:
  explicit Context(std::shared_ptr<detail::ContextState> state) noexcept;

  TenantEngine tenants() const noexcept;
  UserEngine users() const noexcept;
  AuditEngine audit() const noexcept;
  PostEngine posts() const noexcept;
  PermissionEngine permissions() const noexcept;
  KeyEngine keys() const noexcept;
  VersionEngine versions() const noexcept;

  // The tenant this context acts in; none for the tenant-less system context.
  std::optional<TenantId> tenant_id() const noexcept;
  const Actor& actor() const noexcept;
  const RequestInfo& request() const noexcept;
  // The same actor and tenant with other request metadata.
  Context with_request(RequestInfo request) const;

 private:
  friend class Database;
  std::shared_ptr<detail::ContextState> state_;
};

}  // namespace quire
