// Invitations: how a tenant's admins add people (create, list, revoke), and how the invitee joins
// (accept, from their own context: quire_db_user_context).

#include "json.hpp"

namespace quire::capi {

namespace {

InvitationQuery decode_invitation_query(const char* query_json) {
  const char* name = "query_json";
  const Json json = parse_object(query_json, name, /*nullable=*/true);
  const Fields fields(json, name, known::invitation_query);
  InvitationQuery query;
  fields.read_unsigned("limit", query.limit);
  query.cursor = fields.cursor("cursor");
  return query;
}

void append_invitation(std::string& out, const Invitation& i) {
  append_key(out.append("{"), "id", true);
  append_int(out, i.id);
  append_key(out, "tenant_id");
  append_int(out, i.tenant_id);
  append_key(out, "email");
  append_string(out, i.email);
  append_key(out, "role");
  append_string(out, i.role);
  append_key(out, "invited_by");
  append_int(out, i.invited_by);
  append_key(out, "created_at");
  append_time(out, i.created_at);
  append_key(out, "expires_at");
  append_time(out, i.expires_at);
  append_key(out, "accepted_at");
  append_nullable_time(out, i.accepted_at);
  append_key(out, "accepted_by");
  append_nullable_int(out, i.accepted_by);
  append_key(out, "revoked_at");
  append_nullable_time(out, i.revoked_at);
  out.push_back('}');
}

std::string encode_invitation(const Invitation& invitation) {
  std::string out;
  append_invitation(out, invitation);
  return out;
}

// The token is in the answer once, and nowhere else.
std::string encode_issued(const IssuedInvitation& issued) {
  std::string out;
  append_key(out.append("{"), "token", true);
  append_string(out, issued.token);
  append_key(out, "invitation");
  append_invitation(out, issued.invitation);
  out.push_back('}');
  return out;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_invitation_create(char** out_json, quire_ctx* ctx,
                                                  const char* tenant, const char* email,
                                                  const char* role) {
  return give_out(out_json, "out_json", [&] {
    auto tenants = context_of(ctx).tenants();
    const auto ref = tenant_ref(tenant);
    return encode_issued(
        unwrap(tenants.invite(ref, string_arg(email, "email"), string_arg(role, "role"))));
  });
}

QUIRE_EXPORT quire_status quire_invitation_list(char** out_page_json, quire_ctx* ctx,
                                                const char* tenant, const char* query_json) {
  return give_out(out_page_json, "out_page_json", [&] {
    auto tenants = context_of(ctx).tenants();
    const auto ref = tenant_ref(tenant);
    return encode_page(unwrap(tenants.list_invitations(ref, decode_invitation_query(query_json))),
                       append_invitation);
  });
}

QUIRE_EXPORT quire_status quire_invitation_revoke(char** out_json, quire_ctx* ctx,
                                                  const char* tenant, int64_t invitation_id) {
  return give_out(out_json, "out_json", [&] {
    auto tenants = context_of(ctx).tenants();
    return encode_invitation(unwrap(tenants.revoke_invitation(tenant_ref(tenant), invitation_id)));
  });
}

QUIRE_EXPORT quire_status quire_invitation_accept(char** out_json, quire_ctx* ctx,
                                                  const char* token) {
  return give_out(out_json, "out_json", [&] {
    auto tenants = context_of(ctx).tenants();
    return encode(unwrap(tenants.accept_invitation(string_arg(token, "token"))));
  });
}

}  // extern "C"
