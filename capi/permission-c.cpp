// Permissions: explained checks, per-item grants, and the tenant's roles.

#include "json.hpp"

namespace quire::capi {

namespace {

ResourceRef resource_arg(const char* type, const char* id) {
  return ResourceRef{.type = std::string(string_arg(type, "resource_type")),
                     .id = std::string(string_arg(id, "resource_id"))};
}

GrantLevel level_arg(const char* level) {
  const auto name = string_arg(level, "level");
  for (const auto value : {GrantLevel::read, GrantLevel::write, GrantLevel::admin}) {
    if (grant_level_name(value) == name) return value;
  }
  throw_invalid(R"(level must be "read", "write" or "admin")");
}

void append_role(std::string& out, const Role& role) {
  append_key(out.append("{"), "name", true);
  append_string(out, role.name);
  append_key(out, "permissions");
  append_strings(out, role.permissions);
  append_key(out, "builtin");
  append_bool(out, role.builtin);
  out.push_back('}');
}

std::string encode_decision(const Decision& decision) {
  std::string out;
  append_key(out.append("{"), "allowed", true);
  append_bool(out, decision.allowed);
  append_key(out, "reason");
  append_string(out, decision.reason);
  out.push_back('}');
  return out;
}

std::string encode_grant(const Grant& grant) {
  std::string out;
  append_key(out.append("{"), "tenant_id", true);
  append_int(out, grant.tenant_id);
  append_key(out, "resource_type");
  append_string(out, grant.resource.type);
  append_key(out, "resource_id");
  append_string(out, grant.resource.id);
  append_key(out, "user_id");
  append_int(out, grant.user_id);
  append_key(out, "level");
  append_string(out, grant_level_name(grant.level));
  out.push_back('}');
  return out;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_permission_all(char** out_json_array) {
  return guard([&] {
    auto& out = out_param(out_json_array, "out_json_array");
    std::string text;
    append_array(text, quire::PermissionEngine::all_permissions(),
                 [](std::string& o, std::string_view name) { append_string(o, name); });
    out = give(text);
  });
}

QUIRE_EXPORT quire_status quire_permission_check(char** out_json, quire_ctx* ctx,
                                                 const char* permission, const char* resource_type,
                                                 const char* resource_id) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto permissions = context_of(ctx).permissions();
    const auto name = string_arg(permission, "permission");
    std::optional<quire::ResourceRef> resource;
    if (resource_type != nullptr || resource_id != nullptr) {
      resource = resource_arg(resource_type, resource_id);
    }
    out = give(encode_decision(unwrap(permissions.check(name, resource))));
  });
}

QUIRE_EXPORT quire_status quire_permission_grant(char** out_json, quire_ctx* ctx, int64_t user_id,
                                                 const char* resource_type, const char* resource_id,
                                                 const char* level) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto permissions = context_of(ctx).permissions();
    const auto resource = resource_arg(resource_type, resource_id);
    out = give(encode_grant(unwrap(permissions.grant(user_id, resource, level_arg(level)))));
  });
}

QUIRE_EXPORT quire_status quire_permission_revoke(quire_ctx* ctx, int64_t user_id,
                                                  const char* resource_type,
                                                  const char* resource_id) {
  return guard([&] {
    auto permissions = context_of(ctx).permissions();
    unwrap(permissions.revoke(user_id, resource_arg(resource_type, resource_id)));
  });
}

QUIRE_EXPORT quire_status quire_permission_roles(char** out_json_array, quire_ctx* ctx) {
  return guard([&] {
    auto& out = out_param(out_json_array, "out_json_array");
    out = give(encode_array(unwrap(context_of(ctx).permissions().roles()), append_role));
  });
}

QUIRE_EXPORT quire_status quire_permission_define_role(char** out_json, quire_ctx* ctx,
                                                       const char* name,
                                                       const char* permissions_json) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto permissions = context_of(ctx).permissions();
    const auto role_name = string_arg(name, "name");
    std::string text;
    append_role(text, unwrap(permissions.define_role(
                          role_name, parse_string_array(permissions_json, "permissions_json"))));
    out = give(text);
  });
}

QUIRE_EXPORT quire_status quire_permission_delete_role(quire_ctx* ctx, const char* name) {
  return guard(
      [&] { unwrap(context_of(ctx).permissions().delete_role(string_arg(name, "name"))); });
}

}  // extern "C"
