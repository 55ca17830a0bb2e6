// Sign-in: a password login's session token and context, contexts from tokens and API keys,
// logout, and the rotation of the token secret.

#include <memory>

#include "json.hpp"

namespace quire::capi {

namespace {

// request_json is optional here: NULL is no request metadata.
RequestInfo request_arg(const char* request_json) {
  return request_json == nullptr ? RequestInfo{} : decode_request(request_json);
}

std::string encode_session(const Session& session) {
  std::string out;
  append_key(out.append("{"), "token", true);
  append_string(out, session.token);
  append_key(out, "expires_at");
  append_time(out, session.expires_at);
  append_key(out, "tenant_id");
  append_int(out, session.context.tenant_id().value_or(0));
  append_key(out, "user_id");
  append_int(out, session.context.actor().id);
  out.push_back('}');
  return out;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_db_login(quire_ctx** out_ctx, char** out_session_json, quire_db* db,
                                         const char* tenant, const char* username_or_email,
                                         const char* password, const char* request_json) {
  return guard([&] {
    auto& context = out_param(out_ctx, "out_ctx");
    auto& session_json = out_param(out_session_json, "out_session_json");
    const auto& database = open_db_of(db);
    const auto where = tenant_ref(tenant);
    const auto who = string_arg(username_or_email, "username_or_email");
    const auto secret = string_arg(password, "password");
    auto session = unwrap(database.login(where, who, secret, request_arg(request_json)));
    // Both or neither: the handle is released only once the text is handed over too.
    auto text = encode_session(session);
    auto handle = std::make_unique<quire_ctx>(database, std::move(session.context));
    session_json = give(text);
    context = handle.release();
  });
}

QUIRE_EXPORT quire_status quire_db_context_from_token(quire_ctx** out_ctx, quire_db* db,
                                                      const char* token, const char* request_json,
                                                      const char* expected_tenant) {
  return guard([&] {
    auto& context = out_param(out_ctx, "out_ctx");
    const auto& database = open_db_of(db);
    const auto text = string_arg(token, "token");
    auto request = request_arg(request_json);
    std::optional<quire::TenantRef> tenant;
    if (expected_tenant != nullptr) tenant = tenant_ref(expected_tenant, "expected_tenant");
    context = new_context(database,
                          unwrap(database.context_from_token(text, std::move(request), tenant)));
  });
}

QUIRE_EXPORT quire_status quire_db_logout(quire_db* db, const char* token) {
  return guard([&] {
    const auto& database = open_db_of(db);
    unwrap(database.logout(string_arg(token, "token")));
  });
}

QUIRE_EXPORT quire_status quire_db_context_from_key(quire_ctx** out_ctx, quire_db* db,
                                                    const char* key, const char* request_json) {
  return guard([&] {
    auto& context = out_param(out_ctx, "out_ctx");
    const auto& database = open_db_of(db);
    const auto text = string_arg(key, "key");
    context =
        new_context(database, unwrap(database.context_from_key(text, request_arg(request_json))));
  });
}

QUIRE_EXPORT quire_status quire_db_rotate_token_secret(quire_db* db) {
  return guard([&] { unwrap(open_db_of(db).rotate_token_secret()); });
}

}  // extern "C"
