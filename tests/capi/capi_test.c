/*
 * The C ABI from a C99 program: every function of quire.h, its outputs and its error paths (NULL
 * handle, NULL string, malformed JSON, wrong type, unknown field, not found, already exists,
 * permission denied, invalid transitions), then a 100,000-call loop. Everything the library hands
 * over is freed, so the sanitizer build's LeakSanitizer proves the ABI leaks nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* ---- library and errors ---------------------------------------------------------------------- */

static void test_library(void) {
  /* Before any failure on this thread. */
  CHECK(quire_last_error_code() == QUIRE_OK);
  CHECK(quire_last_error_message() != NULL && quire_last_error_message()[0] == '\0');
  CHECK(quire_last_error_detail() != NULL && quire_last_error_detail()[0] == '\0');

  CHECK(strcmp(quire_library_version(), QUIRE_VERSION_STRING) == 0);
  CHECK(quire_abi_version() == QUIRE_ABI_VERSION);

  CHECK(strcmp(quire_status_name(QUIRE_OK), "QUIRE_OK") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_EINVAL), "QUIRE_EINVAL") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_ENOTFOUND), "QUIRE_ENOTFOUND") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_EEXISTS), "QUIRE_EEXISTS") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_ECONFLICT), "QUIRE_ECONFLICT") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_EPERM), "QUIRE_EPERM") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_EAUTH), "QUIRE_EAUTH") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_EQUOTA), "QUIRE_EQUOTA") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_EBUSY), "QUIRE_EBUSY") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_ESTORAGE), "QUIRE_ESTORAGE") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_ECORRUPT), "QUIRE_ECORRUPT") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_EINTERNAL), "QUIRE_EINTERNAL") == 0);
  CHECK(strcmp(quire_status_name(QUIRE_ENOTSUP), "QUIRE_ENOTSUP") == 0);
  CHECK(strcmp(quire_status_name(-13), "QUIRE_UNKNOWN") == 0);
  CHECK(strcmp(quire_status_name(1), "QUIRE_UNKNOWN") == 0);
  CHECK(strcmp(quire_status_name(INT32_MIN), "QUIRE_UNKNOWN") == 0);

  quire_free(NULL);
  quire_db_free(NULL);
  quire_ctx_free(NULL);
}

/* ---- quire_db_open and its options ----------------------------------------------------------- */

static void test_open(void) {
  quire_db* db = (quire_db*)&db; /* not NULL: must be reset on entry */

  FAILS(quire_db_open(NULL, "sqlite::memory:", NULL), QUIRE_EINVAL, "out must not be NULL");
  FAILS(quire_db_open(&db, NULL, NULL), QUIRE_EINVAL, "url must not be NULL");
  CHECK(db == NULL);
  FAILS(quire_db_open(&db, "mysql://localhost/x", NULL), QUIRE_EINVAL, "");
  CHECK(db == NULL);

  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"busy_timeout_ms\":"), QUIRE_EINVAL,
        "options_json is not valid JSON (syntax error near byte");
  /* A number beyond a double: invalid, naming the field (nlohmann/json throws out_of_range). */
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"busy_timeout_ms\":1e400}"), QUIRE_EINVAL,
        "options_json.busy_timeout_ms must be a number within the range of a double");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"passwords\":{\"opslimit\":-1e999}}"),
        QUIRE_EINVAL, "options_json.passwords.opslimit must be a number within the range");
  FAILS(quire_db_open(&db, "sqlite::memory:", "[1,2]"), QUIRE_EINVAL,
        "options_json must be a JSON object");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"synchronuos\":\"full\"}"), QUIRE_EINVAL,
        "options_json: unknown field \"synchronuos\"");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"synchronous\":\"sometimes\"}"), QUIRE_EINVAL,
        "options_json.synchronous must be \"full\" or \"normal\"");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"reader_connections\":\"4\"}"), QUIRE_EINVAL,
        "options_json.reader_connections must be an integer from 0 to 4294967295");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"busy_timeout_ms\":-1}"), QUIRE_EINVAL,
        "options_json.busy_timeout_ms must be an integer");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"busy_timeout_ms\":1.5}"), QUIRE_EINVAL,
        "options_json.busy_timeout_ms must be an integer");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"passwords\":{\"opslimt\":3}}"), QUIRE_EINVAL,
        "options_json.passwords: unknown field \"opslimt\"");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"passwords\":7}"), QUIRE_EINVAL,
        "options_json.passwords must be a JSON object");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"plans\":{}}"), QUIRE_EINVAL,
        "options_json.plans must be an array");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"plans\":[{\"name\":\"a\"},{\"max_posts\":1}]}"),
        QUIRE_EINVAL, "options_json.plans[1].name is required");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"plans\":[\"free\"]}"), QUIRE_EINVAL,
        "options_json.plans[0] must be a JSON object");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"plans\":[{\"name\":\"a\",\"max_members\":-5}]}"),
        QUIRE_EINVAL, "options_json.plans[0].max_members must be an integer from 0");
  /* The C++ API's own rules come through too. */
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"plans\":[{\"name\":\"solo\"}]}"), QUIRE_EINVAL,
        "default_plan");
  FAILS(quire_db_open(&db, "sqlite::memory:", "{\"passwords\":{\"opslimit\":1,\"memlimit\":1024}}"),
        QUIRE_EINVAL, "options.passwords");
  CHECK(db == NULL);

  /* quire_db_migrate: the deployment step; its options are checked as quire_db_open's. */
  {
    int64_t version = -1;
    FAILS(quire_db_migrate(NULL, "sqlite::memory:", NULL), QUIRE_EINVAL,
          "out_version must not be NULL");
    FAILS(quire_db_migrate(&version, NULL, NULL), QUIRE_EINVAL, "url must not be NULL");
    CHECK(version == 0);
    FAILS(quire_db_migrate(&version, "sqlite::memory:", "{\"synchronuos\":\"full\"}"), QUIRE_EINVAL,
          "options_json: unknown field \"synchronuos\"");
    OK(quire_db_migrate(&version, "sqlite::memory:", NULL));
    CHECK(version > 0);
  }

  /* Nesting deep enough to exhaust a recursive reader is refused before parsing. */
  {
    char deep[4096];
    size_t i;
    strcpy(deep, "{\"plans\":");
    for (i = strlen(deep); i < 3000; ++i) deep[i] = '[';
    deep[i] = '\0';
    FAILS(quire_db_open(&db, "sqlite::memory:", deep), QUIRE_EINVAL, "nests deeper than");
  }

  OK(quire_db_open(&db, "sqlite::memory:",
                   "{\"synchronous\":\"normal\",\"busy_timeout_ms\":2000,"
                   "\"reader_connections\":2,"
                   "\"wal_autocheckpoint_pages\":500,"
                   "\"default_plan\":\"pro\","
                   "\"plans\":[{\"name\":\"pro\",\"max_members\":0,"
                   "\"max_posts\":0}],"
                   "\"passwords\":{\"opslimit\":2,\"memlimit\":20971520,"
                   "\"max_concurrent\":1}}"));
  CHECK(db != NULL);
  {
    quire_ctx* admin = NULL;
    char* tenant = NULL;
    OK(quire_db_system(&admin, db, NULL));
    OK(quire_tenant_create(&tenant, admin, "{\"slug\":\"p1\",\"name\":\"P\"}"));
    CHECK(has(tenant, "\"plan\":\"pro\"")); /* default_plan took effect */
    quire_free(tenant);
    quire_ctx_free(admin);
  }
  quire_db_free(db);
}

/* ---- handles --------------------------------------------------------------------------------- */

static void test_handles(quire_db* db) {
  quire_ctx* ctx = NULL;
  char* out = NULL;
  uint64_t garbage[8];
  size_t i;
  for (i = 0; i < 8; ++i) garbage[i] = 0x0123456789abcdefULL * (i + 1);

  FAILS(quire_db_system(NULL, db, NULL), QUIRE_EINVAL, "out must not be NULL");
  FAILS(quire_db_system(&ctx, NULL, NULL), QUIRE_EINVAL, "db must not be NULL");
  FAILS(quire_db_system(&ctx, (quire_db*)(void*)garbage, NULL), QUIRE_EINVAL,
        "db is not a live quire_db");
  FAILS(quire_db_system(&ctx, (quire_db*)(void*)((char*)garbage + 1), NULL), QUIRE_EINVAL,
        "db is not a live quire_db");
  FAILS(quire_db_close((quire_db*)(void*)garbage), QUIRE_EINVAL, "db is not a live quire_db");
  FAILS(quire_db_close(NULL), QUIRE_EINVAL, "db must not be NULL");
  FAILS(quire_tenant_get(&out, NULL, "acme"), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_tenant_get(&out, (quire_ctx*)(void*)garbage, "acme"), QUIRE_EINVAL,
        "ctx is not a live quire_ctx");
  /* A database handle where a context belongs, and the other way round. */
  FAILS(quire_tenant_get(&out, (quire_ctx*)(void*)db, "acme"), QUIRE_EINVAL,
        "ctx is not a live quire_ctx");
  OK(quire_db_system(&ctx, db, NULL));
  FAILS(quire_db_close((quire_db*)(void*)ctx), QUIRE_EINVAL, "db is not a live quire_db");
  CHECK(out == NULL);
  /* The _free functions ignore what is not theirs. */
  quire_db_free((quire_db*)(void*)garbage);
  quire_ctx_free((quire_ctx*)(void*)garbage);
  quire_ctx_free((quire_ctx*)(void*)db);
  quire_db_free((quire_db*)(void*)ctx);
  CHECK(garbage[0] == 0x0123456789abcdefULL);
  quire_ctx_free(ctx);

#ifndef UNDER_ASAN
  /* A freed context is refused, not used (AddressSanitizer rightly stops this read). */
  FAILS(quire_tenant_get(&out, ctx, "acme"), QUIRE_EINVAL, "ctx is not a live quire_ctx");
  quire_ctx_free(ctx); /* a second free is ignored */
  {
    quire_db* doomed = NULL;
    OK(quire_db_open(&doomed, "sqlite::memory:", test_options));
    quire_db_free(doomed);
    FAILS(quire_db_close(doomed), QUIRE_EINVAL, "db is not a live quire_db");
    quire_db_free(doomed);
  }
#endif
}

/* ---- tenants --------------------------------------------------------------------------------- */

static int64_t acme_id = 0;

static void test_tenants(quire_db* db) {
  quire_ctx* admin = NULL;
  char* out = (char*)&out;
  char* before = NULL;
  char id[32];
  char cursor[256];

  OK(quire_db_system(&admin, db, NULL));

  /* create */
  OK(quire_tenant_create(
      &out, admin,
      "{\"slug\":\"acme\",\"name\":\"Acme Corp\",\"plan\":\"pro\","
      "\"domain\":\"Acme.Test\",\"settings\":{\"theme\":\"dark\",\"n\":[1,2]}}"));
  CHECK(has(out, "\"slug\":\"acme\""));
  CHECK(has(out, "\"name\":\"Acme Corp\""));
  CHECK(has(out, "\"plan\":\"pro\""));
  CHECK(has(out, "\"domain\":\"acme.test\""));
  CHECK(has(out, "\"settings\":{\"n\":[1,2],\"theme\":\"dark\"}"));
  CHECK(has(out, "\"is_active\":true"));
  CHECK(has(out, "\"deleted_at\":null"));
  CHECK(has(out, "\"created_at\":\"20")); /* RFC 3339 */
  CHECK(has(out, "Z\",\"updated_at\":\"20"));
  acme_id = int_field(out, "id");
  CHECK(acme_id > 0);
  quire_free(out);

  OK(quire_tenant_create(&out, admin,
                         "{\"slug\":\"globex\",\"name\":\"Globex \\\"G\\\" \\\\ \\u00dcn\"}"));
  CHECK(has(out, "\"name\":\"Globex \\\"G\\\" \\\\ \xc3\x9cn\"")); /* escaped, UTF-8 */
  CHECK(has(out, "\"plan\":\"free\""));                            /* the default plan */
  CHECK(has(out, "\"domain\":null"));
  CHECK(has(out, "\"settings\":{}"));
  quire_free(out);
  OK(quire_tenant_create(&out, admin,
                         "{\"slug\":\"initech\",\"name\":\"Initech\",\"domain\":null,"
                         "\"plan\":\"tiny\"}"));
  quire_free(out);

  /* create: bad input, and nothing changed */
  out = (char*)&out;
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"acme\",\"name\":\"Again\"}"), QUIRE_EEXISTS,
        "acme");
  CHECK(out == NULL);
  FAILS(quire_tenant_create(&out, admin,
                            "{\"slug\":\"hooli\",\"name\":\"H\",\"domain\":\"acme.test\"}"),
        QUIRE_EEXISTS, "acme.test");
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"Hello World\",\"name\":\"H\"}"), QUIRE_EINVAL,
        "slug");
  FAILS(quire_tenant_create(&out, admin, "{\"slugg\":\"hooli\",\"name\":\"H\"}"), QUIRE_EINVAL,
        "tenant_json: unknown field \"slugg\"");
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"hooli\",\"name\":5}"), QUIRE_EINVAL,
        "tenant_json.name must be a string");
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"hooli\",\"name\":null}"), QUIRE_EINVAL,
        "tenant_json.name must be a string");
  FAILS(quire_tenant_create(&out, admin, "{\"name\":\"Hooli\"}"), QUIRE_EINVAL,
        "tenant_json.slug is required");
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"hooli\",\"name\":\"H\",\"settings\":\"{}\"}"),
        QUIRE_EINVAL, "tenant_json.settings must be a JSON object");
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"hooli\",\"name\":\"H\",\"domain\":7}"),
        QUIRE_EINVAL, "tenant_json.domain must be a string or null");
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"hooli\",\"name\":\"H\",\"plan\":\"gold\"}"),
        QUIRE_EINVAL, "plan \"gold\" must be one of");
  FAILS(quire_tenant_create(&out, admin, "{\"slug\":\"hooli\" \"name\":\"H\"}"), QUIRE_EINVAL,
        "tenant_json is not valid JSON (syntax error near byte 22)");
  FAILS(quire_tenant_create(&out, admin, "\"hooli\""), QUIRE_EINVAL,
        "tenant_json must be a JSON object");
  FAILS(quire_tenant_create(&out, admin, NULL), QUIRE_EINVAL, "tenant_json must not be NULL");
  FAILS(quire_tenant_create(NULL, admin, "{}"), QUIRE_EINVAL, "out_json must not be NULL");
  FAILS(quire_tenant_create(&out, NULL, "{}"), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_tenant_get(&out, admin, "hooli"), QUIRE_ENOTFOUND, "hooli");
  CHECK(out == NULL);

  /* get: by slug, by decimal id, by domain */
  OK(quire_tenant_get(&out, admin, "acme"));
  CHECK(int_field(out, "id") == acme_id);
  before = out;
  snprintf(id, sizeof id, "%lld", (long long)acme_id);
  OK(quire_tenant_get(&out, admin, id));
  CHECK(strcmp(out, before) == 0);
  quire_free(out);
  OK(quire_tenant_get_by_domain(&out, admin, "ACME.test"));
  CHECK(strcmp(out, before) == 0);
  quire_free(out);
  quire_free(before);
  FAILS(quire_tenant_get(&out, admin, "nope"), QUIRE_ENOTFOUND, "tenant \"nope\" not found");
  FAILS(quire_tenant_get(&out, admin, "999999"), QUIRE_ENOTFOUND, "tenant 999999 not found");
  FAILS(quire_tenant_get(&out, admin, "99999999999999999999999"), QUIRE_EINVAL,
        "tenant is a decimal id out of range");
  FAILS(quire_tenant_get(&out, admin, ""), QUIRE_EINVAL, "tenant must be a slug or an id");
  FAILS(quire_tenant_get(&out, admin, NULL), QUIRE_EINVAL, "tenant must not be NULL");
  FAILS(quire_tenant_get(NULL, admin, "acme"), QUIRE_EINVAL, "out_json must not be NULL");
  FAILS(quire_tenant_get_by_domain(&out, admin, "nobody.test"), QUIRE_ENOTFOUND, "nobody.test");
  FAILS(quire_tenant_get_by_domain(&out, admin, "not a host"), QUIRE_EINVAL, "");
  FAILS(quire_tenant_get_by_domain(&out, admin, NULL), QUIRE_EINVAL, "domain must not be NULL");

  /* list: pages, cursor, filters */
  OK(quire_tenant_list(&out, admin, NULL));
  CHECK(has(out, "{\"items\":[{\"id\":"));
  CHECK(has(out, "\"slug\":\"acme\"") && has(out, "\"slug\":\"globex\"") &&
        has(out, "\"slug\":\"initech\""));
  CHECK(has(out, "\"next_cursor\":null}"));
  quire_free(out);
  OK(quire_tenant_list(&out, admin, "{\"limit\":2}"));
  CHECK(has(out, "\"slug\":\"acme\"") && has(out, "\"slug\":\"globex\"") &&
        !has(out, "\"slug\":\"initech\""));
  string_field(out, "next_cursor", cursor, sizeof cursor);
  CHECK(cursor[0] != '\0');
  quire_free(out);
  {
    char query[400];
    snprintf(query, sizeof query,
             "{\"limit\":2,\"cursor\":\"%s\",\"include_inactive\":true,"
             "\"include_deleted\":false}",
             cursor);
    OK(quire_tenant_list(&out, admin, query));
    CHECK(has(out, "\"slug\":\"initech\"") && !has(out, "\"slug\":\"acme\""));
    CHECK(has(out, "\"next_cursor\":null"));
    quire_free(out);
  }
  OK(quire_tenant_list(&out, admin, "{\"cursor\":null}"));
  quire_free(out);
  FAILS(quire_tenant_list(&out, admin, "{\"limit\":\"2\"}"), QUIRE_EINVAL,
        "query_json.limit must be an integer");
  FAILS(quire_tenant_list(&out, admin, "{\"limit\":0}"), QUIRE_EINVAL, "limit");
  FAILS(quire_tenant_list(&out, admin, "{\"limit\":5000}"), QUIRE_EINVAL, "limit");
  FAILS(quire_tenant_list(&out, admin, "{\"cursor\":\"garbage!\"}"), QUIRE_EINVAL, "cursor");
  FAILS(quire_tenant_list(&out, admin, "{\"include_deleted\":1}"), QUIRE_EINVAL,
        "query_json.include_deleted must be true or false");
  FAILS(quire_tenant_list(&out, admin, "{\"sort\":\"id\"}"), QUIRE_EINVAL,
        "query_json: unknown field \"sort\"");
  FAILS(quire_tenant_list(NULL, admin, NULL), QUIRE_EINVAL, "out_page_json must not be NULL");

  /* update: absent fields unchanged, domain null clears it, settings replaced */
  OK(quire_tenant_update(&out, admin, "acme", "{\"name\":\"Acme Inc\"}"));
  CHECK(has(out, "\"name\":\"Acme Inc\"") && has(out, "\"domain\":\"acme.test\"") &&
        has(out, "\"theme\":\"dark\""));
  quire_free(out);
  OK(quire_tenant_update(&out, admin, "acme",
                         "{\"domain\":null,\"settings\":{\"a\":\"\\u00e9\\n\"}}"));
  CHECK(has(out, "\"domain\":null") && has(out, "\"settings\":{\"a\":\"\xc3\xa9\\n\"}") &&
        has(out, "\"name\":\"Acme Inc\""));
  quire_free(out);
  OK(quire_tenant_update(&out, admin, "acme", "{\"domain\":\"acme.test\",\"plan\":\"free\"}"));
  CHECK(has(out, "\"domain\":\"acme.test\"") && has(out, "\"plan\":\"free\""));
  quire_free(out);
  OK(quire_tenant_update(&out, admin, "acme", "{}"));
  quire_free(out);
  FAILS(quire_tenant_update(&out, admin, "acme", "{\"nmae\":\"x\"}"), QUIRE_EINVAL,
        "patch_json: unknown field \"nmae\"");
  FAILS(quire_tenant_update(&out, admin, "acme", "{\"name\":null}"), QUIRE_EINVAL,
        "patch_json.name must be a string");
  FAILS(quire_tenant_update(&out, admin, "acme", "{\"settings\":[]}"), QUIRE_EINVAL,
        "patch_json.settings must be a JSON object");
  FAILS(quire_tenant_update(&out, admin, "globex", "{\"domain\":\"acme.test\"}"), QUIRE_EEXISTS,
        "acme.test");
  FAILS(quire_tenant_update(&out, admin, "nope", "{}"), QUIRE_ENOTFOUND, "nope");
  FAILS(quire_tenant_update(&out, admin, "acme", NULL), QUIRE_EINVAL,
        "patch_json must not be NULL");
  FAILS(quire_tenant_update(&out, admin, NULL, "{}"), QUIRE_EINVAL, "tenant must not be NULL");
  OK(quire_tenant_get(&out, admin, "globex"));
  CHECK(has(out, "\"domain\":null")); /* the refused update changed nothing */
  quire_free(out);

  /* lifecycle: idempotent switches */
  OK(quire_tenant_deactivate(&out, admin, "globex"));
  CHECK(has(out, "\"is_active\":false"));
  quire_free(out);
  OK(quire_tenant_deactivate(&out, admin, "globex"));
  CHECK(has(out, "\"is_active\":false"));
  quire_free(out);
  OK(quire_tenant_list(&out, admin, "{\"include_inactive\":false}"));
  CHECK(!has(out, "\"slug\":\"globex\"") && has(out, "\"slug\":\"acme\""));
  quire_free(out);
  OK(quire_tenant_activate(&out, admin, "globex"));
  CHECK(has(out, "\"is_active\":true"));
  quire_free(out);
  OK(quire_tenant_delete(&out, admin, "globex"));
  CHECK(!has(out, "\"deleted_at\":null") && has(out, "\"deleted_at\":\"20"));
  quire_free(out);
  OK(quire_tenant_list(&out, admin, NULL));
  CHECK(!has(out, "\"slug\":\"globex\""));
  quire_free(out);
  OK(quire_tenant_list(&out, admin, "{\"include_deleted\":true}"));
  CHECK(has(out, "\"slug\":\"globex\""));
  quire_free(out);
  OK(quire_tenant_get(&out, admin, "globex")); /* the trash is still readable */
  CHECK(has(out, "\"deleted_at\":\"20"));
  quire_free(out);
  OK(quire_tenant_restore(&out, admin, "globex"));
  CHECK(has(out, "\"deleted_at\":null"));
  quire_free(out);
  FAILS(quire_tenant_deactivate(&out, admin, "nope"), QUIRE_ENOTFOUND, "nope");
  FAILS(quire_tenant_activate(&out, admin, NULL), QUIRE_EINVAL, "tenant must not be NULL");
  FAILS(quire_tenant_delete(NULL, admin, "globex"), QUIRE_EINVAL, "out_json must not be NULL");
  FAILS(quire_tenant_restore(&out, NULL, "globex"), QUIRE_EINVAL, "ctx must not be NULL");

  quire_ctx_free(admin);
}

/* ---- users ----------------------------------------------------------------------------------- */

static int64_t alice_id = 0, bob_id = 0, carol_id = 0;

static int64_t create_user(quire_ctx* admin, const char* name) {
  char json[256];
  char* out = NULL;
  int64_t id;
  snprintf(json, sizeof json,
           "{\"username\":\"%s\",\"email\":\"%s@Example.Test\",\"password\":\"correct horse\","
           "\"display_name\":\"User %s\"}",
           name, name, name);
  OK(quire_user_create(&out, admin, json));
  CHECK(!has(out, "password") && !has(out, "hash") && !has(out, "argon2") &&
        !has(out, "correct horse"));
  CHECK(has(out, "\"is_active\":true"));
  id = int_field(out, "id");
  CHECK(id > 0);
  quire_free(out);
  return id;
}

static void test_users(quire_db* db) {
  quire_ctx* admin = NULL;
  char* out = NULL;
  char cursor[256];
  char query[400];

  OK(quire_db_system(&admin, db, NULL));
  OK(quire_user_create(&out, admin,
                       "{\"username\":\"alice\",\"email\":\" Alice@Acme.Test \","
                       "\"password\":\"correct horse\",\"display_name\":\"Alice\"}"));
  CHECK(has(out, "\"username\":\"alice\"") && has(out, "\"email\":\"alice@acme.test\"") &&
        has(out, "\"display_name\":\"Alice\"") && has(out, "\"created_at\":\"20"));
  CHECK(!has(out, "password") && !has(out, "correct horse"));
  alice_id = int_field(out, "id");
  quire_free(out);
  bob_id = create_user(admin, "bob");
  carol_id = create_user(admin, "carol");
  OK(quire_user_create(&out, admin,
                       "{\"username\":\"dave\",\"email\":\"dave@x.test\","
                       "\"password\":\"12345678\"}"));
  CHECK(has(out, "\"display_name\":\"\""));
  quire_free(out);

  FAILS(quire_user_create(&out, admin,
                          "{\"username\":\"alice\",\"email\":\"a2@x.test\","
                          "\"password\":\"correct horse\"}"),
        QUIRE_EEXISTS, "username \"alice\" already exists");
  FAILS(quire_user_create(&out, admin,
                          "{\"username\":\"alice2\",\"email\":\"ALICE@acme.test\","
                          "\"password\":\"correct horse\"}"),
        QUIRE_EEXISTS, "email");
  FAILS(quire_user_create(&out, admin, "{\"username\":\"eve\",\"email\":42,\"password\":\"pw\"}"),
        QUIRE_EINVAL, "user_json.email must be a string");
  FAILS(quire_user_create(&out, admin, "{\"username\":\"eve\",\"email\":\"eve@x.test\"}"),
        QUIRE_EINVAL, "user_json.password is required");
  FAILS(quire_user_create(&out, admin,
                          "{\"username\":\"eve\",\"email\":\"eve@x.test\","
                          "\"password\":\"hunter2hunter2\",\"role\":\"admin\"}"),
        QUIRE_EINVAL, "user_json: unknown field \"role\"");
  FAILS(quire_user_create(&out, admin,
                          "{\"username\":\"eve\",\"email\":\"eve@x.test\","
                          "\"password\":\"short\"}"),
        QUIRE_EINVAL, "password");
  CHECK(strstr(quire_last_error_message(), "short") == NULL); /* never the secret */
  FAILS(quire_user_create(&out, admin, "{\"password\":\"secret-in-broken-json"), QUIRE_EINVAL,
        "user_json is not valid JSON");
  CHECK(strstr(quire_last_error_message(), "secret") == NULL);
  FAILS(quire_user_create(&out, admin,
                          "{\"username\":\"Eve!\",\"email\":\"eve@x.test\","
                          "\"password\":\"correct horse\"}"),
        QUIRE_EINVAL, "username");
  FAILS(quire_user_create(&out, admin, NULL), QUIRE_EINVAL, "user_json must not be NULL");
  FAILS(quire_user_get_by_username(&out, admin, "eve"), QUIRE_ENOTFOUND, "eve"); /* unchanged */

  /* get */
  OK(quire_user_get(&out, admin, alice_id));
  CHECK(int_field(out, "id") == alice_id && has(out, "\"username\":\"alice\""));
  quire_free(out);
  OK(quire_user_get_by_username(&out, admin, "bob"));
  CHECK(int_field(out, "id") == bob_id);
  quire_free(out);
  FAILS(quire_user_get(&out, admin, 424242), QUIRE_ENOTFOUND, "user 424242 not found");
  FAILS(quire_user_get(NULL, admin, alice_id), QUIRE_EINVAL, "out_json must not be NULL");
  FAILS(quire_user_get(&out, NULL, alice_id), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_user_get_by_username(&out, admin, NULL), QUIRE_EINVAL, "username must not be NULL");

  /* list */
  OK(quire_user_list(&out, admin, NULL));
  CHECK(has(out, "\"username\":\"alice\"") && has(out, "\"username\":\"dave\"") &&
        has(out, "\"next_cursor\":null"));
  CHECK(!has(out, "password"));
  quire_free(out);
  OK(quire_user_list(&out, admin, "{\"limit\":3}"));
  CHECK(has(out, "\"username\":\"carol\"") && !has(out, "\"username\":\"dave\""));
  string_field(out, "next_cursor", cursor, sizeof cursor);
  CHECK(cursor[0] != '\0');
  quire_free(out);
  snprintf(query, sizeof query, "{\"limit\":3,\"cursor\":\"%s\"}", cursor);
  OK(quire_user_list(&out, admin, query));
  CHECK(has(out, "\"username\":\"dave\"") && !has(out, "\"username\":\"alice\""));
  quire_free(out);
  FAILS(quire_user_list(&out, admin, "{\"limit\":true}"), QUIRE_EINVAL,
        "query_json.limit must be an integer");
  FAILS(quire_user_list(&out, admin, "{\"include_deleted\":true}"), QUIRE_EINVAL,
        "query_json: unknown field \"include_deleted\"");
  FAILS(quire_user_list(&out, admin, "{\"cursor\":5}"), QUIRE_EINVAL,
        "query_json.cursor must be a string or null");

  /* update */
  OK(quire_user_update(&out, admin, bob_id,
                       "{\"display_name\":\"Bobby\",\"email\":\"BOB@b.test\"}"));
  CHECK(has(out, "\"display_name\":\"Bobby\"") && has(out, "\"email\":\"bob@b.test\"") &&
        has(out, "\"username\":\"bob\""));
  quire_free(out);
  FAILS(quire_user_update(&out, admin, bob_id, "{\"username\":\"alice\"}"), QUIRE_EEXISTS, "alice");
  FAILS(quire_user_update(&out, admin, bob_id, "{\"password\":\"x\"}"), QUIRE_EINVAL,
        "patch_json: unknown field \"password\"");
  FAILS(quire_user_update(&out, admin, bob_id, "{\"display_name\":[]}"), QUIRE_EINVAL,
        "patch_json.display_name must be a string");
  FAILS(quire_user_update(&out, admin, 424242, "{}"), QUIRE_ENOTFOUND, "424242");
  FAILS(quire_user_update(&out, admin, bob_id, NULL), QUIRE_EINVAL, "patch_json must not be NULL");
  OK(quire_user_get(&out, admin, bob_id));
  CHECK(has(out, "\"username\":\"bob\"")); /* the refused rename changed nothing */
  quire_free(out);

  /* password */
  OK(quire_user_set_password(admin, carol_id, "another good one"));
  FAILS(quire_user_set_password(admin, carol_id, "tiny"), QUIRE_EINVAL, "password");
  CHECK(strstr(quire_last_error_message(), "tiny") == NULL);
  FAILS(quire_user_set_password(admin, carol_id, NULL), QUIRE_EINVAL, "password must not be NULL");
  FAILS(quire_user_set_password(admin, 424242, "long enough pw"), QUIRE_ENOTFOUND, "424242");
  FAILS(quire_user_set_password(NULL, carol_id, "long enough pw"), QUIRE_EINVAL,
        "ctx must not be NULL");

  /* lifecycle */
  OK(quire_user_deactivate(&out, admin, carol_id));
  CHECK(has(out, "\"is_active\":false"));
  quire_free(out);
  OK(quire_user_deactivate(&out, admin, carol_id));
  quire_free(out);
  OK(quire_user_activate(&out, admin, carol_id));
  CHECK(has(out, "\"is_active\":true"));
  quire_free(out);
  FAILS(quire_user_activate(&out, admin, 424242), QUIRE_ENOTFOUND, "424242");
  FAILS(quire_user_deactivate(NULL, admin, carol_id), QUIRE_EINVAL, "out_json must not be NULL");

  quire_ctx_free(admin);
}

/* ---- memberships ----------------------------------------------------------------------------- */

static void test_members(quire_db* db) {
  quire_ctx* admin = NULL;
  char* out = NULL;

  OK(quire_db_system(&admin, db, NULL));
  OK(quire_member_add(&out, admin, "acme", alice_id, "admin"));
  CHECK(int_field(out, "tenant_id") == acme_id && int_field(out, "user_id") == alice_id &&
        has(out, "\"role\":\"admin\"") && has(out, "\"joined_at\":\"20"));
  quire_free(out);
  OK(quire_member_add(&out, admin, "acme", bob_id, "viewer"));
  quire_free(out);
  OK(quire_member_add(&out, admin, "acme", carol_id, "author"));
  quire_free(out);

  OK(quire_member_list(&out, admin, "acme"));
  CHECK(out[0] == '[' && has(out, "\"role\":\"admin\"") && has(out, "\"role\":\"viewer\"") &&
        has(out, "\"role\":\"author\""));
  quire_free(out);
  OK(quire_member_list(&out, admin, "globex"));
  CHECK(strcmp(out, "[]") == 0);
  quire_free(out);

  OK(quire_member_set_role(&out, admin, "acme", carol_id, "editor"));
  CHECK(has(out, "\"role\":\"editor\""));
  quire_free(out);

  FAILS(quire_member_add(&out, admin, "acme", bob_id, "viewer"), QUIRE_EEXISTS, "already a member");
  FAILS(quire_member_add(&out, admin, "acme", 424242, "viewer"), QUIRE_ENOTFOUND, "424242");
  FAILS(quire_member_add(&out, admin, "nope", bob_id, "viewer"), QUIRE_ENOTFOUND, "nope");
  FAILS(quire_member_add(&out, admin, "globex", bob_id, "emperor"), QUIRE_EINVAL,
        "role \"emperor\" must be one of");
  FAILS(quire_member_add(&out, admin, "globex", bob_id, NULL), QUIRE_EINVAL,
        "role must not be NULL");
  FAILS(quire_member_add(&out, admin, NULL, bob_id, "viewer"), QUIRE_EINVAL,
        "tenant must not be NULL");
  FAILS(quire_member_add(NULL, admin, "globex", bob_id, "viewer"), QUIRE_EINVAL,
        "out_json must not be NULL");
  FAILS(quire_member_set_role(&out, admin, "globex", bob_id, "editor"), QUIRE_ENOTFOUND,
        "not a member");
  FAILS(quire_member_set_role(&out, admin, "acme", bob_id, "king"), QUIRE_EINVAL, "role");
  FAILS(quire_member_set_role(&out, admin, "acme", bob_id, NULL), QUIRE_EINVAL,
        "role must not be NULL");
  FAILS(quire_member_remove(admin, "globex", bob_id), QUIRE_ENOTFOUND, "not a member");
  FAILS(quire_member_remove(admin, NULL, bob_id), QUIRE_EINVAL, "tenant must not be NULL");
  FAILS(quire_member_remove(NULL, "acme", bob_id), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_member_list(&out, admin, "nope"), QUIRE_ENOTFOUND, "nope");
  FAILS(quire_member_list(NULL, admin, "acme"), QUIRE_EINVAL, "out_json_array must not be NULL");

  /* Quotas: initech's plan "tiny" takes one member; acme cannot move to it with three. */
  OK(quire_member_add(&out, admin, "initech", bob_id, "owner"));
  quire_free(out);
  FAILS(quire_member_add(&out, admin, "initech", alice_id, "viewer"), QUIRE_EQUOTA, "tiny");
  FAILS(quire_tenant_update(&out, admin, "acme", "{\"plan\":\"tiny\"}"), QUIRE_EQUOTA, "tiny");
  OK(quire_member_remove(admin, "initech", bob_id));
  OK(quire_member_list(&out, admin, "initech"));
  CHECK(strcmp(out, "[]") == 0);
  quire_free(out);

  /* Invalid transitions: a deleted tenant, a deactivated user. */
  OK(quire_tenant_delete(&out, admin, "initech"));
  quire_free(out);
  FAILS(quire_member_add(&out, admin, "initech", alice_id, "viewer"), QUIRE_ECONFLICT, "deleted");
  OK(quire_tenant_restore(&out, admin, "initech"));
  quire_free(out);
  OK(quire_user_deactivate(&out, admin, carol_id));
  quire_free(out);
  FAILS(quire_member_add(&out, admin, "initech", carol_id, "viewer"), QUIRE_ECONFLICT,
        "deactivated");
  OK(quire_user_activate(&out, admin, carol_id));
  quire_free(out);

  quire_ctx_free(admin);
}

/* ---- contexts and permissions ---------------------------------------------------------------- */

static void test_contexts(quire_db* db) {
  quire_ctx* admin = NULL;
  quire_ctx* alice = NULL;
  quire_ctx* bob = NULL;
  quire_ctx* derived = (quire_ctx*)&derived;
  quire_ctx* scoped = NULL;
  char* out = NULL;
  char json[256];

  OK(quire_db_system(&admin, db, NULL));
  snprintf(json, sizeof json,
           "{\"tenant\":\"acme\",\"user\":%lld,\"ip\":\"203.0.113.9\","
           "\"user_agent\":\"capi_test\",\"request_id\":\"r-1\"}",
           (long long)alice_id);
  OK(quire_db_context(&alice, db, json));
  snprintf(json, sizeof json, "{\"tenant\":%lld,\"user\":%lld}", (long long)acme_id,
           (long long)bob_id);
  OK(quire_db_context(&bob, db, json));
  snprintf(json, sizeof json, "{\"tenant\":\"%lld\",\"user\":%lld}", (long long)acme_id,
           (long long)bob_id);
  OK(quire_db_context(&scoped, db, json)); /* a decimal string names the id too */
  quire_ctx_free(scoped);
  scoped = NULL;

  /* quire_db_context's own errors */
  FAILS(quire_db_context(&derived, db, "{\"tenant\":\"acme\"}"), QUIRE_EINVAL,
        "context_json.user is required");
  CHECK(derived == NULL);
  FAILS(quire_db_context(&derived, db, "{\"user\":1}"), QUIRE_EINVAL,
        "context_json.tenant is required");
  FAILS(quire_db_context(&derived, db, "{\"tenant\":true,\"user\":1}"), QUIRE_EINVAL,
        "context_json.tenant must be a slug or an integer id");
  FAILS(quire_db_context(&derived, db, "{\"tenant\":\"acme\",\"user\":\"1\"}"), QUIRE_EINVAL,
        "context_json.user must be an integer");
  FAILS(quire_db_context(&derived, db, "{\"tenant\":\"acme\",\"user\":1,\"admin\":true}"),
        QUIRE_EINVAL, "context_json: unknown field \"admin\"");
  FAILS(quire_db_context(&derived, db, "{\"tenant\":\"acme\",\"user\":1,\"ip\":null}"),
        QUIRE_EINVAL, "context_json.ip must be a string");
  FAILS(quire_db_context(&derived, db, "{tenant:acme}"), QUIRE_EINVAL,
        "context_json is not valid JSON");
  FAILS(quire_db_context(&derived, db, NULL), QUIRE_EINVAL, "context_json must not be NULL");
  FAILS(quire_db_context(NULL, db, "{}"), QUIRE_EINVAL, "out must not be NULL");
  FAILS(quire_db_context(&derived, NULL, "{}"), QUIRE_EINVAL, "db must not be NULL");
  FAILS(quire_db_context(&derived, db, "{\"tenant\":\"nope\",\"user\":1}"), QUIRE_ENOTFOUND,
        "nope");
  snprintf(json, sizeof json, "{\"tenant\":\"acme\",\"user\":424242}");
  FAILS(quire_db_context(&derived, db, json), QUIRE_ENOTFOUND, "424242");
  snprintf(json, sizeof json, "{\"tenant\":\"globex\",\"user\":%lld}", (long long)bob_id);
  FAILS(quire_db_context(&derived, db, json), QUIRE_EPERM, "not a member");
  OK(quire_tenant_deactivate(&out, admin, "acme"));
  quire_free(out);
  snprintf(json, sizeof json, "{\"tenant\":\"acme\",\"user\":%lld}", (long long)bob_id);
  FAILS(quire_db_context(&derived, db, json), QUIRE_EPERM, "deactivated");
  OK(quire_tenant_activate(&out, admin, "acme"));
  quire_free(out);

  /* The system context inside one tenant. */
  OK(quire_db_system(&scoped, db, "acme"));
  OK(quire_user_list(&out, scoped, NULL)); /* the members of acme */
  CHECK(has(out, "\"username\":\"alice\"") && !has(out, "\"username\":\"dave\""));
  quire_free(out);
  quire_ctx_free(scoped);
  FAILS(quire_db_system(&derived, db, "nope"), QUIRE_ENOTFOUND, "nope");
  FAILS(quire_db_system(&derived, db, ""), QUIRE_EINVAL, "tenant must be a slug or an id");

  /* with_request */
  OK(quire_ctx_with_request(&derived, bob, "{\"ip\":\"198.51.100.7\",\"request_id\":\"r-2\"}"));
  OK(quire_tenant_get(&out, derived, "acme"));
  quire_free(out);
  quire_ctx_free(derived);
  derived = (quire_ctx*)&derived;
  FAILS(quire_ctx_with_request(&derived, bob, "{\"ipp\":\"x\"}"), QUIRE_EINVAL,
        "request_json: unknown field \"ipp\"");
  CHECK(derived == NULL);
  FAILS(quire_ctx_with_request(&derived, bob, "{\"user_agent\":1}"), QUIRE_EINVAL,
        "request_json.user_agent must be a string");
  FAILS(quire_ctx_with_request(&derived, bob, NULL), QUIRE_EINVAL, "request_json must not be NULL");
  FAILS(quire_ctx_with_request(&derived, NULL, "{}"), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_ctx_with_request(NULL, bob, "{}"), QUIRE_EINVAL, "out must not be NULL");

  /* What a viewer may do: read their tenant, its members and their own account. */
  OK(quire_tenant_get(&out, bob, "acme"));
  quire_free(out);
  OK(quire_tenant_list(&out, bob, NULL));
  CHECK(has(out, "\"slug\":\"acme\"") && !has(out, "\"slug\":\"globex\""));
  quire_free(out);
  OK(quire_member_list(&out, bob, "acme"));
  quire_free(out);
  OK(quire_user_get(&out, bob, alice_id));
  quire_free(out);
  OK(quire_user_update(&out, bob, bob_id, "{\"display_name\":\"Bob B.\"}"));
  quire_free(out);
  OK(quire_user_set_password(bob, bob_id, "bob's new password"));

  /* What they may not. */
  FAILS(quire_tenant_create(&out, bob, "{\"slug\":\"mine\",\"name\":\"Mine\"}"), QUIRE_EPERM,
        "denied");
  FAILS(quire_tenant_update(&out, bob, "acme", "{\"name\":\"Bob's\"}"), QUIRE_EPERM, "denied");
  FAILS(quire_tenant_deactivate(&out, bob, "acme"), QUIRE_EPERM, "denied");
  FAILS(quire_tenant_activate(&out, bob, "acme"), QUIRE_EPERM, "denied");
  FAILS(quire_tenant_delete(&out, bob, "acme"), QUIRE_EPERM, "denied");
  FAILS(quire_tenant_restore(&out, bob, "acme"), QUIRE_EPERM, "denied");
  FAILS(quire_tenant_get(&out, bob, "globex"), QUIRE_ENOTFOUND, "globex");
  FAILS(quire_member_add(&out, bob, "acme", carol_id, "viewer"), QUIRE_EPERM, "denied");
  FAILS(quire_member_set_role(&out, bob, "acme", bob_id, "owner"), QUIRE_EPERM, "denied");
  FAILS(quire_member_remove(bob, "acme", alice_id), QUIRE_EPERM, "denied");
  FAILS(quire_user_create(&out, bob,
                          "{\"username\":\"bobs\",\"email\":\"bobs@x.test\","
                          "\"password\":\"correct horse\"}"),
        QUIRE_EPERM, "denied");
  FAILS(quire_user_update(&out, bob, alice_id, "{\"display_name\":\"pwned\"}"), QUIRE_EPERM,
        "denied");
  FAILS(quire_user_set_password(bob, alice_id, "pwned pwned"), QUIRE_EPERM, "denied");
  FAILS(quire_user_deactivate(&out, bob, alice_id), QUIRE_EPERM, "denied");
  FAILS(quire_user_activate(&out, bob, bob_id), QUIRE_EPERM, "denied");
  FAILS(quire_user_get_by_username(&out, bob, "dave"), QUIRE_ENOTFOUND, "dave"); /* not a member */
  OK(quire_user_get(&out, admin, alice_id));
  CHECK(!has(out, "pwned"));
  quire_free(out);

  /* An admin manages members up to their own rank. */
  OK(quire_member_set_role(&out, alice, "acme", bob_id, "author"));
  CHECK(has(out, "\"role\":\"author\""));
  quire_free(out);
  FAILS(quire_member_set_role(&out, alice, "acme", bob_id, "owner"), QUIRE_EPERM, "denied");
  OK(quire_member_set_role(&out, alice, "acme", bob_id, "viewer"));
  quire_free(out);

  /* Deactivating a user cuts off contexts opened before. */
  OK(quire_user_deactivate(&out, admin, bob_id));
  quire_free(out);
  FAILS(quire_member_list(&out, bob, "acme"), QUIRE_EPERM, "deactivated");
  OK(quire_user_activate(&out, admin, bob_id));
  quire_free(out);

  quire_ctx_free(bob);
  quire_ctx_free(alice);
  quire_ctx_free(admin);
}

/* ---- explicit transactions ------------------------------------------------------------------- */

struct tx_state {
  const char* first;    /* slug created first */
  const char* second;   /* slug created second, or NULL */
  quire_status verdict; /* what the body returns after its work */
  quire_ctx* kept;      /* the tx handle, kept to show it dies with the body */
  int calls;
};

static quire_status tx_body(quire_ctx* tx, void* user_data) {
  struct tx_state* state = (struct tx_state*)user_data;
  quire_status status;
  ++state->calls;
  state->kept = tx;
  quire_ctx_free(tx); /* the library owns tx: this does nothing */
  status = create_tenant(tx, state->first);
  if (status != QUIRE_OK) return status;
  if (state->second != NULL) {
    status = create_tenant(tx, state->second);
    if (status != QUIRE_OK) return status;
  }
  return state->verdict;
}

/* Creates "nested-outer", then runs a nested transaction that creates "nested-inner" and fails. */
static quire_status outer_body(quire_ctx* tx, void* user_data) {
  struct tx_state inner;
  quire_status status;
  (void)user_data;
  status = create_tenant(tx, "nested-outer");
  if (status != QUIRE_OK) return status;
  inner.first = "nested-inner";
  inner.second = NULL;
  inner.verdict = QUIRE_ECONFLICT;
  inner.kept = NULL;
  inner.calls = 0;
  status = quire_ctx_transaction(tx, tx_body, &inner);
  if (status != QUIRE_ECONFLICT || inner.calls != 1) return QUIRE_EINTERNAL;
  return QUIRE_OK; /* the outer body carries on */
}

static void test_transactions(quire_db* db) {
  quire_ctx* admin = NULL;
  quire_ctx* bob = NULL;
  struct tx_state state;
  char json[128];

  OK(quire_db_system(&admin, db, NULL));

  /* Commit: both tenants. */
  state.first = "tx-a";
  state.second = "tx-b";
  state.verdict = QUIRE_OK;
  state.calls = 0;
  OK(quire_ctx_transaction(admin, tx_body, &state));
  CHECK(state.calls == 1);
  CHECK(tenant_exists(admin, "tx-a") && tenant_exists(admin, "tx-b"));

  /* The body's own failure: rolled back, its status passed through with a message saying so. */
  state.first = "tx-c";
  state.second = "tx-d";
  state.verdict = QUIRE_ECONFLICT;
  FAILS(quire_ctx_transaction(admin, tx_body, &state), QUIRE_ECONFLICT,
        "transaction body returned QUIRE_ECONFLICT");
  CHECK(!tenant_exists(admin, "tx-c") && !tenant_exists(admin, "tx-d"));

  /* A failing call inside the body: its status and message come out unchanged. */
  state.first = "tx-e";
  state.second = "tx-a";
  state.verdict = QUIRE_OK;
  FAILS(quire_ctx_transaction(admin, tx_body, &state), QUIRE_EEXISTS,
        "tenant slug \"tx-a\" already exists");
  CHECK(!tenant_exists(admin, "tx-e"));

  /* Any status the body makes up is passed through too. */
  state.first = "tx-f";
  state.second = NULL;
  state.verdict = -100;
  FAILS(quire_ctx_transaction(admin, tx_body, &state), -100,
        "transaction body returned QUIRE_UNKNOWN");
  CHECK(!tenant_exists(admin, "tx-f"));

  /* Nested: the inner failure undoes only the inner work. */
  OK(quire_ctx_transaction(admin, outer_body, NULL));
  CHECK(tenant_exists(admin, "nested-outer") && !tenant_exists(admin, "nested-inner"));

  /* The rules of the actor hold inside a transaction. */
  snprintf(json, sizeof json, "{\"tenant\":\"acme\",\"user\":%lld}", (long long)bob_id);
  OK(quire_db_context(&bob, db, json));
  state.first = "tx-g";
  state.second = NULL;
  state.verdict = QUIRE_OK;
  FAILS(quire_ctx_transaction(bob, tx_body, &state), QUIRE_EPERM, "denied");
  CHECK(!tenant_exists(admin, "tx-g"));
  quire_ctx_free(bob);

  FAILS(quire_ctx_transaction(admin, NULL, NULL), QUIRE_EINVAL, "body must not be NULL");
  FAILS(quire_ctx_transaction(NULL, tx_body, &state), QUIRE_EINVAL, "ctx must not be NULL");

#ifndef UNDER_ASAN
  /* The transaction handle dies with its body. */
  {
    char* out = NULL;
    FAILS(quire_tenant_get(&out, state.kept, "acme"), QUIRE_EINVAL, "ctx is not a live quire_ctx");
  }
#endif

  quire_ctx_free(admin);
}

/* ---- closing, and free order ----------------------------------------------------------------- */

struct close_state {
  quire_db* db;
  quire_status close_status;
  char message[256];
};

/* Creates a tenant, then tries to close the database from inside the body. */
static quire_status close_body(quire_ctx* tx, void* user_data) {
  struct close_state* state = (struct close_state*)user_data;
  quire_status status = create_tenant(tx, "in-closing-body");
  if (status != QUIRE_OK) return status;
  state->close_status = quire_db_close(state->db);
  snprintf(state->message, sizeof state->message, "%s", quire_last_error_message());
  return state->close_status;
}

/* An export writer that tries to close the database: it would wait for the export. */
static void close_from_write(const char* data, size_t size, void* user_data) {
  struct close_state* state = (struct close_state*)user_data;
  (void)data;
  (void)size;
  state->close_status = quire_db_close(state->db);
  snprintf(state->message, sizeof state->message, "%s", quire_last_error_message());
}

static void test_close(void) {
  quire_db* db = NULL;
  quire_ctx* admin = NULL;
  quire_ctx* other = NULL;
  char* out = NULL;

  OK(quire_db_open(&db, "sqlite::memory:", test_options));
  OK(quire_db_system(&admin, db, NULL));
  OK(quire_db_system(&other, db, NULL));
  OK(quire_tenant_create(&out, admin, "{\"slug\":\"kept\",\"name\":\"Kept\"}"));
  quire_free(out);

  /* The database outlives its handle while a context holds it. */
  quire_db_free(db);
  OK(quire_tenant_get(&out, admin, "kept"));
  quire_free(out);
  quire_ctx_free(admin);
  OK(quire_tenant_get(&out, other, "kept"));
  quire_free(out);
  quire_ctx_free(other); /* the last one: the database closes here */

  /* Closed explicitly: every context refuses, close is idempotent. */
  OK(quire_db_open(&db, "sqlite::memory:", test_options));
  OK(quire_db_system(&admin, db, NULL));
  OK(quire_db_close(db));
  OK(quire_db_close(db));
  FAILS(quire_tenant_get(&out, admin, "kept"), QUIRE_EINVAL, "closed");
  FAILS(quire_user_get(&out, admin, 1), QUIRE_EINVAL, "closed");
  FAILS(quire_db_system(&other, db, NULL), QUIRE_EINVAL, "db is closed");
  FAILS(quire_db_context(&other, db, "{\"tenant\":\"kept\",\"user\":1}"), QUIRE_EINVAL,
        "db is closed");
  CHECK(other == NULL);
  FAILS(quire_ctx_info(&out, admin), QUIRE_EINVAL, "the database is closed");
  CHECK(out == NULL);
  FAILS(quire_ctx_with_request(&other, admin, "{\"request_id\":\"r1\"}"), QUIRE_EINVAL,
        "the database is closed");
  CHECK(other == NULL);
  quire_ctx_free(admin);
  quire_db_free(db);

  /* Closing from inside a transaction body would wait for the body: refused at once. */
  OK(quire_db_open(&db, "sqlite::memory:", test_options));
  OK(quire_db_system(&admin, db, NULL));
  {
    struct close_state state = {NULL, QUIRE_OK, ""};
    state.db = db;
    FAILS(quire_ctx_transaction(admin, close_body, &state), QUIRE_EINVAL,
          "close() was called inside a transaction body of this database");
    CHECK(state.close_status == QUIRE_EINVAL);
    CHECK(has(state.message, "inside a transaction body"));
  }
  CHECK(!tenant_exists(admin, "in-closing-body")); /* rolled back */
  {
    struct close_state state = {NULL, QUIRE_OK, ""};
    state.db = db;
    OK(quire_audit_export_to(admin, "csv", close_from_write, &state)); /* the header, at least */
    CHECK(state.close_status == QUIRE_EINVAL);
    CHECK(has(state.message, "inside an operation of this database"));
  }
  OK(quire_ctx_info(&out, admin)); /* still open */
  quire_free(out);
  OK(quire_db_close(db));
  quire_ctx_free(admin);
  quire_db_free(db);
}

/* ---- 100,000 calls --------------------------------------------------------------------------- */

static void get_pair(quire_ctx* ctx, const char* tenant, int64_t user) {
  char* out = NULL;
  if (quire_tenant_get(&out, ctx, tenant) != QUIRE_OK) fail_at(__FILE__, __LINE__, "tenant get");
  quire_free(out);
  out = NULL;
  if (quire_user_get(&out, ctx, user) != QUIRE_OK) fail_at(__FILE__, __LINE__, "user get");
  quire_free(out);
}

static void test_loop(quire_db* db) {
  enum { pairs = 50000, warmup = 2000 };
  quire_ctx* ctx = NULL;
  long before, after;
  clock_t start;
  double seconds;
  int i;

  /* The system context: the fewest queries per call, so the loop times the ABI more than SQLite. */
  OK(quire_db_system(&ctx, db, NULL));
  for (i = 0; i < warmup; ++i) get_pair(ctx, "acme", bob_id);
  before = resident_kib();
  start = clock();
  for (i = 0; i < pairs; ++i) get_pair(ctx, "acme", bob_id);
  seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
  after = resident_kib();
  printf("loop: %d calls in %.2f s (%.1f us/call), resident %ld -> %ld KiB\n", 2 * pairs, seconds,
         seconds * 1e6 / (2 * pairs), before, after);
#ifndef UNDER_ASAN
  /* Without the sanitizer's quarantine, memory must not grow with the number of calls. */
  CHECK(before > 0 && after - before < 2048);
#endif
  quire_ctx_free(ctx);
}

int main(void) {
  quire_db* db = NULL;

  test_library();
  test_open();

  OK(quire_db_open(&db, "sqlite::memory:", test_options));
  test_handles(db);
  test_tenants(db);
  test_users(db);
  test_members(db);
  test_contexts(db);
  test_transactions(db);
  test_loop(db);
  quire_db_free(db);

  test_close();

  printf("capi_test: %ld checks passed\n", checks);
  return 0;
}
