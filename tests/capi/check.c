#include "check.h"

#include <stdio.h>
#include <stdlib.h>

long checks = 0;

const char* const test_options =
    "{\"passwords\":{\"opslimit\":2,\"memlimit\":20971520},"
    "\"plans\":[{\"name\":\"free\",\"max_members\":5,\"max_posts\":100},"
    "{\"name\":\"pro\",\"max_members\":50},{\"name\":\"tiny\",\"max_members\":1}]}";

void fail_at(const char* file, int line, const char* what) {
  fprintf(stderr, "%s:%d: FAILED %s\n  last error: %s (%d) \"%s\"\n", file, line, what,
          quire_status_name(quire_last_error_code()), (int)quire_last_error_code(),
          quire_last_error_message());
  exit(1);
}

void expect_failure(const char* file, int line, const char* call, quire_status status,
                    quire_status code, const char* fragment) {
  ++checks;
  if (status != code || quire_last_error_code() != code ||
      strstr(quire_last_error_message(), fragment) == NULL) {
    fprintf(stderr, "  got %s, wanted %s with \"%s\"\n", quire_status_name(status),
            quire_status_name(code), fragment);
    fail_at(file, line, call);
  }
}

int has(const char* json, const char* fragment) {
  return json != NULL && strstr(json, fragment) != NULL;
}

int64_t int_field(const char* json, const char* key) {
  char pattern[64];
  const char* at;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  at = json == NULL ? NULL : strstr(json, pattern);
  return at == NULL ? -1 : (int64_t)strtoll(at + strlen(pattern), NULL, 10);
}

const char* string_field(const char* json, const char* key, char* buf, size_t size) {
  char pattern[64];
  const char* at;
  size_t n = 0;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  buf[0] = '\0';
  at = json == NULL ? NULL : strstr(json, pattern);
  if (at == NULL) return buf;
  at += strlen(pattern);
  while (at[n] != '"' && at[n] != '\0' && n + 1 < size) {
    buf[n] = at[n];
    ++n;
  }
  buf[n] = '\0';
  return buf;
}

int count_of(const char* json, const char* fragment) {
  int n = 0;
  const char* at = json;
  while (at != NULL && (at = strstr(at, fragment)) != NULL) {
    ++n;
    at += strlen(fragment);
  }
  return n;
}

quire_status create_tenant(quire_ctx* ctx, const char* slug) {
  char json[128];
  char* out = NULL;
  quire_status status;
  snprintf(json, sizeof json, "{\"slug\":\"%s\",\"name\":\"T %s\"}", slug, slug);
  status = quire_tenant_create(&out, ctx, json);
  quire_free(out);
  return status;
}

int tenant_exists(quire_ctx* ctx, const char* slug) {
  char* out = NULL;
  const quire_status status = quire_tenant_get(&out, ctx, slug);
  quire_free(out);
  return status == QUIRE_OK;
}

static int64_t new_user(quire_ctx* admin, const char* name) {
  char json[256];
  char* out = NULL;
  int64_t id;
  snprintf(json, sizeof json,
           "{\"username\":\"%s\",\"email\":\"%s@acme.test\",\"password\":\"correct horse\"}", name,
           name);
  OK(quire_user_create(&out, admin, json));
  id = int_field(out, "id");
  quire_free(out);
  return id;
}

static int64_t new_member(quire_ctx* admin, const char* name, const char* role) {
  char* out = NULL;
  const int64_t id = new_user(admin, name);
  OK(quire_member_add(&out, admin, "acme", id, role));
  quire_free(out);
  return id;
}

struct team make_team(quire_db* db) {
  struct team team;
  quire_ctx* admin = NULL;
  char* out = NULL;
  OK(quire_db_system(&admin, db, NULL));
  OK(quire_tenant_create(&out, admin,
                         "{\"slug\":\"acme\",\"name\":\"Acme\",\"plan\":\"pro\","
                         "\"settings\":{\"base_url\":\"https://acme.test\"}}"));
  team.tenant_id = int_field(out, "id");
  quire_free(out);
  team.owner = new_member(admin, "olivia", "owner");
  team.editor = new_member(admin, "eddie", "editor");
  team.author = new_member(admin, "ava", "author");
  team.viewer = new_member(admin, "victor", "viewer");
  team.outsider = new_user(admin, "oscar");
  quire_ctx_free(admin);
  return team;
}

quire_ctx* context_as(quire_db* db, int64_t user) {
  char json[128];
  quire_ctx* ctx = NULL;
  snprintf(json, sizeof json,
           "{\"tenant\":\"acme\",\"user\":%lld,\"ip\":\"203.0.113.5\",\"request_id\":\"req-%lld\"}",
           (long long)user, (long long)user);
  OK(quire_db_context(&ctx, db, json));
  return ctx;
}

long resident_kib(void) {
  long pages = 0, resident = 0;
  FILE* statm = fopen("/proc/self/statm", "r");
  if (statm == NULL) return -1;
  if (fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = -1;
  fclose(statm);
  return resident < 0 ? -1 : resident * 4;
}
