// Tenants: create, read, list, update and their lifecycle (deactivate, activate, delete, restore).

#include "capi_internal.hpp"

using namespace quire::capi;

namespace {

// The four lifecycle switches share one shape: a tenant in, the tenant record out.
template <class Switch>
quire_status switch_tenant(char** out_json, quire_ctx* ctx, const char* tenant, Switch change) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto tenants = context_of(ctx).tenants();
    out = give(encode(unwrap(change(tenants, tenant_ref(tenant)))));
  });
}

}  // namespace

extern "C" {

QUIRE_EXPORT quire_status quire_tenant_create(char** out_json, quire_ctx* ctx,
                                              const char* tenant_json) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto tenants = context_of(ctx).tenants();
    out = give(encode(unwrap(tenants.create(decode_new_tenant(tenant_json)))));
  });
}

QUIRE_EXPORT quire_status quire_tenant_get(char** out_json, quire_ctx* ctx, const char* tenant) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto tenants = context_of(ctx).tenants();
    out = give(encode(unwrap(tenants.get(tenant_ref(tenant)))));
  });
}

QUIRE_EXPORT quire_status quire_tenant_get_by_domain(char** out_json, quire_ctx* ctx,
                                                     const char* domain) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto tenants = context_of(ctx).tenants();
    out = give(encode(unwrap(tenants.get_by_domain(string_arg(domain, "domain")))));
  });
}

QUIRE_EXPORT quire_status quire_tenant_list(char** out_page_json, quire_ctx* ctx,
                                            const char* query_json) {
  return guard([&] {
    auto& out = out_param(out_page_json, "out_page_json");
    auto tenants = context_of(ctx).tenants();
    out = give(encode(unwrap(tenants.list(decode_tenant_query(query_json)))));
  });
}

QUIRE_EXPORT quire_status quire_tenant_update(char** out_json, quire_ctx* ctx, const char* tenant,
                                              const char* patch_json) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto tenants = context_of(ctx).tenants();
    const auto ref = tenant_ref(tenant);
    out = give(encode(unwrap(tenants.update(ref, decode_tenant_patch(patch_json)))));
  });
}

QUIRE_EXPORT quire_status quire_tenant_deactivate(char** out_json, quire_ctx* ctx,
                                                  const char* tenant) {
  return switch_tenant(out_json, ctx, tenant, [](quire::TenantEngine& tenants, const auto& ref) {
    return tenants.deactivate(ref);
  });
}

QUIRE_EXPORT quire_status quire_tenant_activate(char** out_json, quire_ctx* ctx,
                                                const char* tenant) {
  return switch_tenant(out_json, ctx, tenant, [](quire::TenantEngine& tenants, const auto& ref) {
    return tenants.activate(ref);
  });
}

QUIRE_EXPORT quire_status quire_tenant_delete(char** out_json, quire_ctx* ctx, const char* tenant) {
  return switch_tenant(out_json, ctx, tenant, [](quire::TenantEngine& tenants, const auto& ref) {
    return tenants.remove(ref);
  });
}

QUIRE_EXPORT quire_status quire_tenant_restore(char** out_json, quire_ctx* ctx,
                                               const char* tenant) {
  return switch_tenant(out_json, ctx, tenant, [](quire::TenantEngine& tenants, const auto& ref) {
    return tenants.restore(ref);
  });
}

}  // extern "C"
