// API keys: create (the text shown once), list, revoke, rotate.

#include "json.hpp"

namespace quire::capi {

namespace {

NewKey decode_new_key(const char* key_json) {
  const char* name = "key_json";
  const Json json = parse_object(key_json, name);
  const Fields fields(json, name, known::key_json);
  NewKey key;
  key.name = fields.required_string("name");
  auto scopes = string_list(fields, "scopes");
  if (!scopes) throw_invalid(fields.path_of("scopes") + " is required");
  key.scopes = std::move(*scopes);
  if (auto expires = nullable_time_field(fields, "expires_at")) key.expires_at = *expires;
  return key;
}

void append_key_record(std::string& out, const ApiKey& k) {
  append_key(out.append("{"), "id", true);
  append_int(out, k.id);
  append_key(out, "tenant_id");
  append_int(out, k.tenant_id);
  append_key(out, "public_id");
  append_string(out, k.public_id);
  append_key(out, "name");
  append_string(out, k.name);
  append_key(out, "scopes");
  append_strings(out, k.scopes);
  append_key(out, "created_by");
  append_int(out, k.created_by);
  append_key(out, "created_at");
  append_time(out, k.created_at);
  append_key(out, "expires_at");
  append_nullable_time(out, k.expires_at);
  append_key(out, "revoked_at");
  append_nullable_time(out, k.revoked_at);
  append_key(out, "last_used_at");
  append_nullable_time(out, k.last_used_at);
  append_key(out, "use_count");
  append_int(out, k.use_count);
  out.push_back('}');
}

std::string encode_issued(const IssuedKey& issued) {
  std::string out;
  append_key(out.append("{"), "text", true);
  append_string(out, issued.text);
  append_key(out, "key");
  append_key_record(out, issued.key);
  out.push_back('}');
  return out;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_key_create(char** out_json, quire_ctx* ctx, const char* key_json) {
  return give_out(out_json, "out_json", [&] {
    auto keys = context_of(ctx).keys();
    return encode_issued(unwrap(keys.create(decode_new_key(key_json))));
  });
}

QUIRE_EXPORT quire_status quire_key_list(char** out_json_array, quire_ctx* ctx) {
  return give_out(out_json_array, "out_json_array", [&] {
    auto keys = context_of(ctx).keys();
    return encode_array(unwrap(keys.list()), append_key_record);
  });
}

QUIRE_EXPORT quire_status quire_key_revoke(char** out_json, quire_ctx* ctx, int64_t key_id) {
  return give_out(out_json, "out_json", [&] {
    auto keys = context_of(ctx).keys();
    std::string out;
    append_key_record(out, unwrap(keys.revoke(key_id)));
    return out;
  });
}

QUIRE_EXPORT quire_status quire_key_rotate(char** out_json, quire_ctx* ctx, int64_t key_id) {
  return give_out(out_json, "out_json", [&] {
    auto keys = context_of(ctx).keys();
    return encode_issued(unwrap(keys.rotate(key_id)));
  });
}

}  // extern "C"
