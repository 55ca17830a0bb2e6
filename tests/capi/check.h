/*
 * What every C test of the ABI shares: CHECK/OK/FAILS, a few readers of the JSON the library
 * hands back (enough for test data without escapes), and a tenant with one member of each role.
 */
#ifndef QUIRE_CAPI_CHECK_H
#define QUIRE_CAPI_CHECK_H

#include <quire.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* How many checks ran; main prints it. */
extern long checks;

/* Prints what failed, where, and the thread's last error, then exits. */
void fail_at(const char* file, int line, const char* what);

/* Fails unless `code` is the status, the last error's code, and `fragment` is in its message. */
void expect_failure(const char* file, int line, const char* call, quire_status status,
                    quire_status code, const char* fragment);

#define CHECK(cond)                                  \
  do {                                               \
    ++checks;                                        \
    if (!(cond)) fail_at(__FILE__, __LINE__, #cond); \
  } while (0)

/* A call that must succeed. */
#define OK(call) CHECK((call) == QUIRE_OK)

/* A call that must fail with `code`, leave it as the last error, and give a message containing
 * `fragment`. */
#define FAILS(call, code, fragment) \
  expect_failure(__FILE__, __LINE__, #call, (call), (code), (fragment))

/* Whether json contains fragment (json may be NULL). */
int has(const char* json, const char* fragment);

/* The integer after the first "key": in json; -1 when absent. */
int64_t int_field(const char* json, const char* key);

/* The string after the first "key": in json, copied into buf; "" when absent or null. */
const char* string_field(const char* json, const char* key, char* buf, size_t size);

/* How many times fragment occurs in json. */
int count_of(const char* json, const char* fragment);

/* Creates a tenant {"slug": slug, "name": "T <slug>"} through ctx; returns the status. */
quire_status create_tenant(quire_ctx* ctx, const char* slug);

/* Whether ctx sees the tenant `slug`. */
int tenant_exists(quire_ctx* ctx, const char* slug);

/* The process's resident memory in KiB (Linux), or -1. */
long resident_kib(void);

/* Options for a test database: cheap password hashing and small plans. */
extern const char* const test_options;

/* A tenant "acme" (plan "pro") with one member of each role, made by the system. */
struct team {
  int64_t tenant_id;
  int64_t owner, editor, author, viewer, outsider; /* user ids; the outsider is no member */
};

/* Makes the team in db; every user's password is "correct horse". */
struct team make_team(quire_db* db);

/* A context acting as `user` in "acme"; release with quire_ctx_free. */
quire_ctx* context_as(quire_db* db, int64_t user);

#endif
