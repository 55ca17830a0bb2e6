/*
 * Who may do what, and the trail of what was done, through the C ABI from a C99 program: sessions
 * (login, tokens, logout, secret rotation), API keys, permissions (check, grants, roles) and the
 * audit trail (query, head, verify, export, retention), with their error paths. Everything handed
 * over is freed, so LeakSanitizer checks the ABI leaks nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static quire_db* db = NULL;
static struct team team;

/* ---- sessions ----------------------------------------------------------------------------- */

static void test_sessions(void) {
  quire_ctx* ctx = (quire_ctx*)&ctx;
  quire_ctx* again = NULL;
  char* session = (char*)&session;
  char* out = NULL;
  char token[1024];
  char tampered[1024];
  char tenant_id[32];

  OK(quire_db_login(&ctx, &session, db, "acme", "ava", "correct horse",
                    "{\"ip\":\"192.0.2.1\",\"user_agent\":\"capi\"}"));
  CHECK(ctx != NULL && has(session, "\"expires_at\":\"20"));
  CHECK(int_field(session, "user_id") == team.author &&
        int_field(session, "tenant_id") == team.tenant_id);
  string_field(session, "token", token, sizeof token);
  CHECK(strlen(token) > 40 && count_of(token, ".") == 2); /* header.payload.signature */
  quire_free(session);
  OK(quire_ctx_info(&out, ctx));
  CHECK(has(out, "\"actor_type\":\"user\"") && int_field(out, "actor_id") == team.author &&
        has(out, "\"ip\":\"192.0.2.1\""));
  quire_free(out);
  quire_ctx_free(ctx);

  /* By email too, and the token opens a context for the same user. */
  OK(quire_db_login(&ctx, &session, db, "acme", "ava@acme.test", "correct horse", NULL));
  quire_free(session);
  quire_ctx_free(ctx);
  OK(quire_db_context_from_token(&again, db, token, NULL, NULL));
  OK(quire_ctx_info(&out, again));
  CHECK(int_field(out, "actor_id") == team.author && int_field(out, "tenant_id") == team.tenant_id);
  quire_free(out);
  quire_ctx_free(again);
  snprintf(tenant_id, sizeof tenant_id, "%lld", (long long)team.tenant_id);
  OK(quire_db_context_from_token(&again, db, token, "{\"request_id\":\"t\"}", tenant_id));
  quire_ctx_free(again);

  /* Wrong credentials: one message whatever was wrong, and no secret in it. */
  ctx = (quire_ctx*)&ctx;
  session = (char*)&session;
  FAILS(quire_db_login(&ctx, &session, db, "acme", "ava", "wrong horse", NULL), QUIRE_EAUTH,
        "invalid credentials");
  CHECK(ctx == NULL && session == NULL);
  CHECK(strstr(quire_last_error_message(), "wrong horse") == NULL);
  FAILS(quire_db_login(&ctx, &session, db, "acme", "nobody", "correct horse", NULL), QUIRE_EAUTH,
        "invalid credentials");
  FAILS(quire_db_login(&ctx, &session, db, "acme", "oscar", "correct horse", NULL), QUIRE_EAUTH,
        "invalid credentials"); /* not a member */
  FAILS(quire_db_login(&ctx, &session, db, "acme", "ava", NULL, NULL), QUIRE_EINVAL,
        "password must not be NULL");
  FAILS(quire_db_login(&ctx, &session, db, "acme", NULL, "x", NULL), QUIRE_EINVAL,
        "username_or_email must not be NULL");
  FAILS(quire_db_login(&ctx, &session, db, NULL, "ava", "x", NULL), QUIRE_EINVAL,
        "tenant must not be NULL");
  FAILS(quire_db_login(&ctx, NULL, db, "acme", "ava", "x", NULL), QUIRE_EINVAL,
        "out_session_json must not be NULL");
  FAILS(quire_db_login(NULL, &session, db, "acme", "ava", "x", NULL), QUIRE_EINVAL,
        "out_ctx must not be NULL");
  FAILS(quire_db_login(&ctx, &session, NULL, "acme", "ava", "x", NULL), QUIRE_EINVAL,
        "db must not be NULL");
  FAILS(quire_db_login(&ctx, &session, db, "acme", "ava", "correct horse", "{\"ipv6\":1}"),
        QUIRE_EINVAL, "request_json: unknown field \"ipv6\"");

  /* A token is refused when tampered with, for another tenant, or garbage. */
  strcpy(tampered, token);
  tampered[strlen(tampered) - 2] = tampered[strlen(tampered) - 2] == 'A' ? 'B' : 'A';
  again = (quire_ctx*)&again;
  FAILS(quire_db_context_from_token(&again, db, tampered, NULL, NULL), QUIRE_EAUTH, "");
  CHECK(again == NULL);
  FAILS(quire_db_context_from_token(&again, db, token, NULL, "rival"), QUIRE_EAUTH, "");
  FAILS(quire_db_context_from_token(&again, db, "not.a.token", NULL, NULL), QUIRE_EAUTH, "");
  FAILS(quire_db_context_from_token(&again, db, "", NULL, NULL), QUIRE_EAUTH, "");
  FAILS(quire_db_context_from_token(&again, db, NULL, NULL, NULL), QUIRE_EINVAL,
        "token must not be NULL");
  FAILS(quire_db_context_from_token(&again, db, token, NULL, ""), QUIRE_EINVAL, "expected_tenant");
  FAILS(quire_db_context_from_token(NULL, db, token, NULL, NULL), QUIRE_EINVAL,
        "out_ctx must not be NULL");

  /* logout revokes; rotation invalidates every token signed before. */
  OK(quire_db_logout(db, token));
  FAILS(quire_db_context_from_token(&again, db, token, NULL, NULL), QUIRE_EAUTH, "revoked");
  FAILS(quire_db_logout(db, "garbage"), QUIRE_EAUTH, "");
  FAILS(quire_db_logout(db, NULL), QUIRE_EINVAL, "token must not be NULL");
  FAILS(quire_db_logout(NULL, token), QUIRE_EINVAL, "db must not be NULL");
  OK(quire_db_login(&ctx, &session, db, "acme", "ava", "correct horse", NULL));
  string_field(session, "token", token, sizeof token);
  quire_free(session);
  quire_ctx_free(ctx);
  OK(quire_db_rotate_token_secret(db));
  FAILS(quire_db_context_from_token(&again, db, token, NULL, NULL), QUIRE_EAUTH, "");
  FAILS(quire_db_rotate_token_secret(NULL), QUIRE_EINVAL, "db must not be NULL");
}

/* ---- API keys ----------------------------------------------------------------------------- */

static void test_keys(void) {
  quire_ctx* owner = context_as(db, team.owner);
  quire_ctx* viewer = context_as(db, team.viewer);
  quire_ctx* keyed = (quire_ctx*)&keyed;
  char* out = (char*)&out;
  char text[256];
  char rotated[256];
  char* audit = NULL;
  int64_t key_id, post_id;

  OK(quire_key_create(&out, owner,
                      "{\"name\":\"ci\",\"scopes\":[\"post.read\",\"post.create\"],"
                      "\"expires_at\":\"2099-01-01T00:00:00Z\"}"));
  string_field(out, "text", text, sizeof text);
  CHECK(strncmp(text, "qk_", 3) == 0);
  CHECK(has(out, "\"key\":{\"id\":") && has(out, "\"name\":\"ci\"") &&
        has(out, "\"use_count\":0") && has(out, "\"revoked_at\":null") &&
        has(out, "\"expires_at\":\"2099-01-01T00:00:00.000Z\""));
  key_id = int_field(out, "id");
  quire_free(out);

  /* A key context acts with exactly its scopes. */
  OK(quire_db_context_from_key(&keyed, db, text, "{\"request_id\":\"k-1\"}"));
  OK(quire_ctx_info(&out, keyed));
  CHECK(has(out, "\"actor_type\":\"api_key\"") && int_field(out, "actor_id") == key_id);
  quire_free(out);
  OK(quire_post_create(&out, keyed, "{\"title\":\"From CI\"}"));
  post_id = int_field(out, "id");
  quire_free(out);
  FAILS(quire_post_publish(&out, keyed, post_id), QUIRE_EPERM, "denied");
  FAILS(quire_key_list(&out, keyed), QUIRE_EPERM, "denied");
  quire_ctx_free(keyed);

  OK(quire_key_list(&out, owner));
  CHECK(out[0] == '[' && has(out, "\"name\":\"ci\"") && has(out, "\"use_count\":1") &&
        !has(out, text) && !has(out, "\"text\""));
  quire_free(out);

  /* The secret is never in the audit trail. */
  OK(quire_audit_export(&audit, owner, "jsonl"));
  CHECK(has(audit, "\"action\":\"key.create\"") && !has(audit, text + 3));
  quire_free(audit);

  /* Scopes cannot exceed the creator's; bad input. */
  out = NULL;
  FAILS(quire_key_create(&out, viewer, "{\"name\":\"mine\",\"scopes\":[\"post.read\"]}"),
        QUIRE_EPERM, "denied");
  FAILS(quire_key_create(&out, owner, "{\"name\":\"x\",\"scopes\":[\"post.fly\"]}"), QUIRE_EINVAL,
        "post.fly");
  FAILS(quire_key_create(&out, owner, "{\"name\":\"x\",\"scopes\":[]}"), QUIRE_EINVAL, "scopes");
  FAILS(quire_key_create(&out, owner, "{\"name\":\"x\",\"scopes\":\"post.read\"}"), QUIRE_EINVAL,
        "key_json.scopes must be an array");
  FAILS(quire_key_create(&out, owner, "{\"scopes\":[\"post.read\"]}"), QUIRE_EINVAL,
        "key_json.name is required");
  FAILS(quire_key_create(&out, owner,
                         "{\"name\":\"x\",\"scopes\":[\"post.read\"],"
                         "\"expires_at\":\"2001-01-01T00:00:00Z\"}"),
        QUIRE_EINVAL, "expires_at must be in the future");
  FAILS(quire_key_create(&out, owner, "{\"name\":\"x\",\"scopes\":[\"post.read\"],\"ttl\":5}"),
        QUIRE_EINVAL, "key_json: unknown field \"ttl\"");
  FAILS(quire_key_create(&out, owner, NULL), QUIRE_EINVAL, "key_json must not be NULL");
  CHECK(out == NULL);

  /* rotate: the old text stops working at once */
  OK(quire_key_rotate(&out, owner, key_id));
  string_field(out, "text", rotated, sizeof rotated);
  CHECK(strncmp(rotated, "qk_", 3) == 0 && strcmp(rotated, text) != 0);
  quire_free(out);
  keyed = (quire_ctx*)&keyed;
  FAILS(quire_db_context_from_key(&keyed, db, text, NULL), QUIRE_EAUTH, "API key");
  CHECK(keyed == NULL);
  CHECK(strstr(quire_last_error_message(), text + 3) == NULL);
  OK(quire_db_context_from_key(&keyed, db, rotated, NULL));
  quire_ctx_free(keyed);

  /* revoke */
  OK(quire_key_revoke(&out, owner, key_id));
  CHECK(has(out, "\"revoked_at\":\"20"));
  quire_free(out);
  FAILS(quire_db_context_from_key(&keyed, db, rotated, NULL), QUIRE_EAUTH, "API key");
  FAILS(quire_key_rotate(&out, owner, key_id), QUIRE_ECONFLICT, "revoked");
  FAILS(quire_key_revoke(&out, owner, 424242), QUIRE_ENOTFOUND, "424242");
  FAILS(quire_db_context_from_key(&keyed, db, "qk_nope", NULL), QUIRE_EAUTH, "API key");
  FAILS(quire_db_context_from_key(&keyed, db, NULL, NULL), QUIRE_EINVAL, "key must not be NULL");
  FAILS(quire_key_list(NULL, owner), QUIRE_EINVAL, "out_json_array must not be NULL");

  quire_ctx_free(viewer);
  quire_ctx_free(owner);
}

/* ---- permissions -------------------------------------------------------------------------- */

static void test_permissions(void) {
  quire_ctx* owner = context_as(db, team.owner);
  quire_ctx* author = context_as(db, team.author);
  quire_ctx* viewer = context_as(db, team.viewer);
  quire_ctx* system = NULL;
  char* out = NULL;
  char post[32];
  int64_t post_id;

  OK(quire_permission_all(&out));
  CHECK(out[0] == '[' && has(out, "\"post.create\"") && has(out, "\"audit.export\""));
  quire_free(out);
  FAILS(quire_permission_all(NULL), QUIRE_EINVAL, "out_json_array must not be NULL");

  OK(quire_post_create(&out, owner, "{\"title\":\"Owned by the owner\"}"));
  post_id = int_field(out, "id");
  quire_free(out);
  snprintf(post, sizeof post, "%lld", (long long)post_id);

  /* check: a decision and its reason, not an error */
  OK(quire_permission_check(&out, author, "post.create", NULL, NULL));
  CHECK(has(out, "\"allowed\":true"));
  quire_free(out);
  OK(quire_permission_check(&out, author, "post.update", "post", post));
  CHECK(has(out, "\"allowed\":false") && has(out, "\"reason\":\"denied: role author lacks"));
  quire_free(out);
  FAILS(quire_permission_check(&out, author, "post.fly", NULL, NULL), QUIRE_EINVAL, "post.fly");
  FAILS(quire_permission_check(&out, author, "post.update", "post", NULL), QUIRE_EINVAL,
        "resource");
  FAILS(quire_permission_check(&out, author, NULL, NULL, NULL), QUIRE_EINVAL,
        "permission must not be NULL");

  /* A grant lets the author write that one post, and revoking takes it back. */
  OK(quire_permission_grant(&out, owner, team.author, "post", post, "write"));
  CHECK(has(out, "\"level\":\"write\"") && has(out, "\"resource_id\":\"") &&
        int_field(out, "user_id") == team.author);
  quire_free(out);
  OK(quire_permission_check(&out, author, "post.update", "post", post));
  CHECK(has(out, "\"allowed\":true"));
  quire_free(out);
  OK(quire_post_update(&out, author, post_id, 1, "{\"body\":\"granted\"}"));
  quire_free(out);
  OK(quire_permission_revoke(owner, team.author, "post", post));
  FAILS(quire_post_update(&out, author, post_id, 2, "{\"body\":\"revoked\"}"), QUIRE_EPERM,
        "denied");
  FAILS(quire_permission_revoke(owner, team.author, "post", post), QUIRE_ENOTFOUND, "");
  FAILS(quire_permission_grant(&out, owner, team.author, "post", post, "own"), QUIRE_EINVAL,
        "level must be \"read\", \"write\" or \"admin\"");
  FAILS(quire_permission_grant(&out, owner, team.outsider, "post", post, "read"), QUIRE_ENOTFOUND,
        "not a member");
  FAILS(quire_permission_grant(&out, owner, team.author, "post", "424242", "read"), QUIRE_ENOTFOUND,
        "424242");
  FAILS(quire_permission_grant(&out, author, team.viewer, "post", post, "read"), QUIRE_EPERM,
        "denied");
  FAILS(quire_permission_grant(&out, owner, team.author, NULL, post, "read"), QUIRE_EINVAL,
        "resource_type must not be NULL");
  FAILS(quire_permission_revoke(owner, team.author, "post", NULL), QUIRE_EINVAL,
        "resource_id must not be NULL");

  /* Roles: built in and custom. */
  OK(quire_permission_roles(&out, viewer));
  CHECK(has(out, "{\"name\":\"owner\",\"permissions\":[") && has(out, "\"builtin\":true") &&
        count_of(out, "\"name\":") == 6);
  quire_free(out);
  OK(quire_permission_define_role(&out, owner, "reviewer",
                                  "[\"post.read\",\"version.read\",\"audit.read\"]"));
  CHECK(has(out, "\"name\":\"reviewer\"") && has(out, "\"builtin\":false"));
  quire_free(out);
  OK(quire_permission_roles(&out, owner));
  CHECK(count_of(out, "\"name\":") == 7);
  quire_free(out);
  OK(quire_member_set_role(&out, owner, "acme", team.viewer, "reviewer"));
  quire_free(out);
  OK(quire_permission_check(&out, viewer, "audit.read", NULL, NULL));
  CHECK(has(out, "\"allowed\":true"));
  quire_free(out);
  FAILS(quire_permission_delete_role(owner, "reviewer"), QUIRE_ECONFLICT, "");
  OK(quire_member_set_role(&out, owner, "acme", team.viewer, "viewer"));
  quire_free(out);
  OK(quire_permission_delete_role(owner, "reviewer"));
  FAILS(quire_permission_delete_role(owner, "reviewer"), QUIRE_ENOTFOUND, "reviewer");
  FAILS(quire_permission_delete_role(owner, "editor"), QUIRE_EINVAL, "built in");
  FAILS(quire_permission_define_role(&out, owner, "editor", "[\"post.read\"]"), QUIRE_EINVAL,
        "built in");
  FAILS(quire_permission_define_role(&out, owner, "x", "{\"post.read\":true}"), QUIRE_EINVAL,
        "permissions_json");
  FAILS(quire_permission_define_role(&out, owner, "x", "[\"post.fly\"]"), QUIRE_EINVAL, "post.fly");
  FAILS(quire_permission_define_role(&out, author, "x", "[\"post.read\"]"), QUIRE_EPERM, "denied");
  FAILS(quire_permission_define_role(&out, owner, NULL, "[]"), QUIRE_EINVAL,
        "name must not be NULL");

  /* The tenant-less system context cannot grant in no tenant. */
  OK(quire_db_system(&system, db, NULL));
  FAILS(quire_permission_grant(&out, system, team.author, "post", post, "read"), QUIRE_EINVAL, "");
  quire_ctx_free(system);

  quire_ctx_free(viewer);
  quire_ctx_free(author);
  quire_ctx_free(owner);
}

/* ---- audit -------------------------------------------------------------------------------- */

struct sink {
  size_t bytes;
  int lines;
};

static void count_lines(const char* data, size_t size, void* user_data) {
  struct sink* sink = (struct sink*)user_data;
  size_t i;
  sink->bytes += size;
  for (i = 0; i < size; ++i) sink->lines += data[i] == '\n';
}

static void test_audit(void) {
  quire_ctx* owner = context_as(db, team.owner);
  quire_ctx* author = context_as(db, team.author);
  quire_ctx* system = NULL;
  char* out = NULL;
  char* all = NULL;
  char cursor[512];
  char query[700];
  char head[200];
  char hash[80];
  int64_t seq;
  struct sink sink = {0, 0};

  /* A denied attempt leaves exactly one entry. */
  FAILS(quire_post_purge(author, 1), QUIRE_EPERM, "denied");
  OK(quire_audit_query(&out, owner, "{\"outcome\":\"denied\",\"limit\":1}"));
  CHECK(has(out, "\"outcome\":\"denied\"") && has(out, "\"action\":\"post.purge\"") &&
        int_field(out, "actor_id") == team.author && has(out, "\"ip\":\"203.0.113.5\""));
  quire_free(out);

  /* head and verify */
  OK(quire_audit_head(&out, owner));
  seq = int_field(out, "seq");
  string_field(out, "hash", hash, sizeof hash);
  CHECK(seq > 10 && strlen(hash) == 64);
  quire_free(out);
  snprintf(head, sizeof head, "{\"seq\":%lld,\"hash\":\"%s\"}", (long long)seq, hash);
  OK(quire_audit_verify(&out, owner, NULL));
  CHECK(has(out, "\"ok\":true") && int_field(out, "checked") >= seq &&
        has(out, "\"first_bad_seq\":null"));
  quire_free(out);
  OK(quire_audit_verify(&out, owner, head));
  CHECK(has(out, "\"ok\":true"));
  quire_free(out);
  snprintf(head, sizeof head, "{\"seq\":%lld,\"hash\":\"%s\"}", (long long)seq + 5, hash);
  OK(quire_audit_verify(&out, owner, head)); /* a head beyond the chain: the tail is missing */
  CHECK(has(out, "\"ok\":false"));
  quire_free(out);
  FAILS(quire_audit_verify(&out, owner, "{\"seq\":1}"), QUIRE_EINVAL, "head_json.hash");
  FAILS(quire_audit_verify(&out, owner, "{\"seq\":\"1\",\"hash\":\"ab\"}"), QUIRE_EINVAL,
        "head_json.seq");
  FAILS(quire_audit_verify(&out, author, NULL), QUIRE_EPERM, "denied");
  FAILS(quire_audit_head(&out, author), QUIRE_EPERM, "denied");

  /* query: filters, newest first, pages */
  OK(quire_audit_query(&out, owner, "{\"action\":\"member.add\",\"limit\":2}"));
  CHECK(count_of(out, "\"action\":\"member.add\"") == 2 &&
        has(out, "\"resource_type\":\"member\""));
  CHECK(has(out, "\"prev_hash\":\"") && has(out, "\"new_values\":{"));
  string_field(out, "next_cursor", cursor, sizeof cursor);
  CHECK(cursor[0] != '\0');
  CHECK(int_field(out, "seq") > int_field(strstr(out, "},{") + 2, "seq"));
  quire_free(out);
  snprintf(query, sizeof query, "{\"action\":\"member.add\",\"limit\":2,\"cursor\":\"%s\"}",
           cursor);
  OK(quire_audit_query(&out, owner, query));
  CHECK(count_of(out, "\"action\":\"member.add\"") == 2); /* four members, two pages */
  CHECK(has(out, "\"next_cursor\":null"));
  quire_free(out);
  OK(quire_audit_query(&out, owner,
                       "{\"actor_type\":\"user\",\"since\":\"2000-01-01T00:00:00Z\"}"));
  CHECK(has(out, "\"actor_type\":\"user\"") && !has(out, "\"actor_type\":\"system\""));
  quire_free(out);
  FAILS(quire_audit_query(&out, owner, "{\"actor_type\":\"robot\"}"), QUIRE_EINVAL,
        "query_json.actor_type must be \"system\", \"user\" or \"api_key\"");
  FAILS(quire_audit_query(&out, owner, "{\"outcome\":\"maybe\"}"), QUIRE_EINVAL, "outcome");
  FAILS(quire_audit_query(&out, owner, "{\"limit\":1001}"), QUIRE_EINVAL, "limit");
  FAILS(quire_audit_query(&out, owner, "{\"verb\":\"x\"}"), QUIRE_EINVAL,
        "query_json: unknown field \"verb\"");
  FAILS(quire_audit_query(NULL, owner, NULL), QUIRE_EINVAL, "out_page_json must not be NULL");

  /* export: whole and streamed agree, one line per entry (the denials above added some) */
  OK(quire_audit_head(&out, owner));
  seq = int_field(out, "seq");
  quire_free(out);
  OK(quire_audit_export(&all, owner, "jsonl"));
  CHECK(count_of(all, "\n") == seq && has(all, "\"action\":\"tenant.create\""));
  OK(quire_audit_export_to(owner, "jsonl", count_lines, &sink));
  CHECK(sink.bytes == strlen(all) && sink.lines == seq);
  quire_free(all);
  OK(quire_audit_export(&all, owner, "csv"));
  CHECK(strncmp(all, "tenant_id,seq,at,actor_type,", 28) == 0);
  CHECK(count_of(all, ",post.create,") == 2); /* the key's post and the owner's */
  quire_free(all);
  FAILS(quire_audit_export(&all, owner, "xml"), QUIRE_EINVAL,
        "format must be \"jsonl\" or \"csv\"");
  FAILS(quire_audit_export_to(owner, "jsonl", NULL, NULL), QUIRE_EINVAL, "write must not be NULL");
  FAILS(quire_audit_export(&all, author, "jsonl"), QUIRE_EPERM, "denied");

  /* Retention: only the system; the chain still verifies after the cut. */
  {
    int64_t removed = -1;
    FAILS(quire_audit_purge_before(&removed, owner, "2999-01-01T00:00:00Z"), QUIRE_EPERM, "");
    OK(quire_db_system(&system, db, "acme"));
    FAILS(quire_audit_purge_before(&removed, system, "yesterday"), QUIRE_EINVAL, "cutoff");
    FAILS(quire_audit_purge_before(NULL, system, "2000-01-01T00:00:00Z"), QUIRE_EINVAL,
          "out_removed must not be NULL");
    OK(quire_audit_purge_before(&removed, system, "2000-01-01T00:00:00Z"));
    CHECK(removed == 0);
    OK(quire_audit_purge_before(&removed, system, "2999-01-01T00:00:00Z"));
    CHECK(removed > 0);
    OK(quire_audit_verify(&out, system, NULL));
    CHECK(has(out, "\"ok\":true"));
    quire_free(out);
    OK(quire_audit_query(&out, system, "{\"limit\":1}"));
    CHECK(has(out, "\"action\":\"audit.checkpoint\""));
    quire_free(out);
    quire_ctx_free(system);
  }

  quire_ctx_free(author);
  quire_ctx_free(owner);
}

/* ---- invitations ------------------------------------------------------------------------- */

static void test_invitations(void) {
  quire_ctx* owner = context_as(db, team.owner);
  quire_ctx* oscar = NULL;
  quire_ctx* viewer_self = NULL;
  char* out = NULL;
  char token[128];
  int64_t id = 0;

  /* An owner cannot add the outsider directly: the error says to invite. */
  FAILS(quire_member_add(&out, owner, "acme", team.outsider, "viewer"), QUIRE_EPERM, "invite");
  OK(quire_invitation_create(&out, owner, "acme", "Oscar@Acme.test", "editor"));
  CHECK(has(out, "\"email\":\"oscar@acme.test\"") && has(out, "\"accepted_at\":null"));
  string_field(out, "token", token, sizeof token);
  CHECK(strlen(token) == 46 && strncmp(token, "qi_", 3) == 0);
  id = int_field(out, "id");
  quire_free(out);
  OK(quire_invitation_list(&out, owner, "acme", "{\"limit\":10}"));
  CHECK(int_field(out, "id") == id && count_of(out, "\"email\"") == 1 && !has(out, token));
  quire_free(out);

  /* Another account's context cannot take it; the outsider's own (tenant-less) one can. */
  OK(quire_db_user_context(&viewer_self, db, team.viewer, NULL));
  FAILS(quire_invitation_accept(&out, viewer_self, token), QUIRE_EAUTH, "invitation is not valid");
  OK(quire_db_user_context(&oscar, db, team.outsider, "{\"request_id\":\"join\"}"));
  OK(quire_invitation_accept(&out, oscar, token));
  CHECK(int_field(out, "user_id") == team.outsider && has(out, "\"role\":\"editor\""));
  quire_free(out);
  FAILS(quire_invitation_accept(&out, oscar, token), QUIRE_EAUTH, "invitation is not valid");
  FAILS(quire_invitation_revoke(&out, owner, "acme", id), QUIRE_ENOTFOUND, "no pending invitation");
  quire_ctx_free(viewer_self);
  quire_ctx_free(oscar);
  FAILS(quire_db_user_context(&oscar, NULL, team.viewer, NULL), QUIRE_EINVAL, "db");
  FAILS(quire_db_user_context(&oscar, db, 424242, NULL), QUIRE_ENOTFOUND, "424242");
  CHECK(oscar == NULL);
  quire_ctx_free(owner);
}

int main(void) {
  OK(quire_db_open(&db, "sqlite::memory:", test_options));
  team = make_team(db);
  test_sessions();
  test_keys();
  test_permissions();
  test_audit();
  test_invitations();
  quire_db_free(db);
  printf("capi_access_test: %ld checks passed\n", checks);
  return 0;
}
