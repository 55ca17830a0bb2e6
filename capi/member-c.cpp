// Memberships: users in tenants, with a role.

#include "capi_internal.hpp"

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_member_add(char** out_json, quire_ctx* ctx, const char* tenant,
                                           int64_t user_id, const char* role) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto tenants = context_of(ctx).tenants();
    const auto ref = tenant_ref(tenant);
    out = give(encode(unwrap(tenants.add_member(ref, user_id, string_arg(role, "role")))));
  });
}

QUIRE_EXPORT quire_status quire_member_set_role(char** out_json, quire_ctx* ctx, const char* tenant,
                                                int64_t user_id, const char* role) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto tenants = context_of(ctx).tenants();
    const auto ref = tenant_ref(tenant);
    out = give(encode(unwrap(tenants.set_role(ref, user_id, string_arg(role, "role")))));
  });
}

QUIRE_EXPORT quire_status quire_member_remove(quire_ctx* ctx, const char* tenant, int64_t user_id) {
  return guard([&] {
    auto tenants = context_of(ctx).tenants();
    unwrap(tenants.remove_member(tenant_ref(tenant), user_id));
  });
}

QUIRE_EXPORT quire_status quire_member_list(char** out_json_array, quire_ctx* ctx,
                                            const char* tenant) {
  return guard([&] {
    auto& out = out_param(out_json_array, "out_json_array");
    auto tenants = context_of(ctx).tenants();
    out = give(encode(unwrap(tenants.members(tenant_ref(tenant)))));
  });
}

}  // extern "C"
