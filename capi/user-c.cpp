// User accounts: create, read, list, update, password, and their lifecycle.

#include "capi_internal.hpp"

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_user_create(char** out_json, quire_ctx* ctx,
                                            const char* user_json) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto users = context_of(ctx).users();
    out = give(encode(unwrap(users.create(decode_new_user(user_json)))));
  });
}

QUIRE_EXPORT quire_status quire_user_get(char** out_json, quire_ctx* ctx, int64_t user_id) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    out = give(encode(unwrap(context_of(ctx).users().get(user_id))));
  });
}

QUIRE_EXPORT quire_status quire_user_get_by_username(char** out_json, quire_ctx* ctx,
                                                     const char* username) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto users = context_of(ctx).users();
    out = give(encode(unwrap(users.get_by_username(string_arg(username, "username")))));
  });
}

QUIRE_EXPORT quire_status quire_user_list(char** out_page_json, quire_ctx* ctx,
                                          const char* query_json) {
  return guard([&] {
    auto& out = out_param(out_page_json, "out_page_json");
    auto users = context_of(ctx).users();
    out = give(encode(unwrap(users.list(decode_user_query(query_json)))));
  });
}

QUIRE_EXPORT quire_status quire_user_update(char** out_json, quire_ctx* ctx, int64_t user_id,
                                            const char* patch_json) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    auto users = context_of(ctx).users();
    out = give(encode(unwrap(users.update(user_id, decode_user_patch(patch_json)))));
  });
}

QUIRE_EXPORT quire_status quire_user_set_password(quire_ctx* ctx, int64_t user_id,
                                                  const char* password) {
  return guard([&] {
    auto users = context_of(ctx).users();
    unwrap(users.set_password(user_id, string_arg(password, "password")));
  });
}

QUIRE_EXPORT quire_status quire_user_deactivate(char** out_json, quire_ctx* ctx, int64_t user_id) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    out = give(encode(unwrap(context_of(ctx).users().deactivate(user_id))));
  });
}

QUIRE_EXPORT quire_status quire_user_activate(char** out_json, quire_ctx* ctx, int64_t user_id) {
  return guard([&] {
    auto& out = out_param(out_json, "out_json");
    out = give(encode(unwrap(context_of(ctx).users().activate(user_id))));
  });
}

}  // extern "C"
