#include <quire/context.hpp>

#include "state.hpp"

namespace quire {

Context::Context(std::shared_ptr<detail::ContextState> state) noexcept : state_(std::move(state)) {}

TenantEngine Context::tenants() const noexcept {
  return TenantEngine(state_);
}

AuditEngine Context::audit() const noexcept {
  return AuditEngine(state_);
}

PostEngine Context::posts() const noexcept {
  return PostEngine(state_);
}

PermissionEngine Context::permissions() const noexcept {
  return PermissionEngine(state_);
}

KeyEngine Context::keys() const noexcept {
  return KeyEngine(state_);
}

VersionEngine Context::versions() const noexcept {
  return VersionEngine(state_);
}

UserEngine Context::users() const noexcept {
  return UserEngine(state_);
}

std::optional<TenantId> Context::tenant_id() const noexcept {
  return state_->tenant;
}

const Actor& Context::actor() const noexcept {
  return state_->actor;
}

const RequestInfo& Context::request() const noexcept {
  return state_->request;
}

Context Context::with_request(RequestInfo request) const {
  auto copy = std::make_shared<detail::ContextState>(*state_);
  copy->request = std::move(request);
  return Context(std::move(copy));
}

}  // namespace quire
