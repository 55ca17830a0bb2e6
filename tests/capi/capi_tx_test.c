/*
 * Explicit transactions as handles (quire_tx_begin, quire_tx_context, quire_tx_commit,
 * quire_tx_rollback, quire_tx_free) from a C99 program: commit, rollback, free without commit,
 * nesting, use after the end, the write lock, two databases, a failed operation inside, close,
 * and the argument checks. argv[1]: a database file the test may create and remove.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Cheap password hashing, and a short busy timeout so a blocked writer gives up quickly. */
static const char* const options =
    "{\"busy_timeout_ms\":50,\"passwords\":{\"opslimit\":2,\"memlimit\":20971520}}";

/* A transaction begun on ctx, and its context. */
static quire_tx* begin(quire_ctx* ctx, quire_ctx** tx_ctx) {
  quire_tx* tx = NULL;
  OK(quire_tx_begin(&tx, ctx));
  CHECK(tx != NULL);
  OK(quire_tx_context(tx_ctx, tx));
  CHECK(*tx_ctx != NULL);
  return tx;
}

static void test_commit_and_rollback(quire_ctx* admin) {
  quire_ctx* inside = NULL;
  quire_tx* tx = begin(admin, &inside);

  /* Commit: both tenants, seen inside before the commit. */
  OK(create_tenant(inside, "commit-a"));
  OK(create_tenant(inside, "commit-b"));
  CHECK(tenant_exists(inside, "commit-a"));
  OK(quire_tx_commit(tx));
  quire_tx_free(tx);
  CHECK(tenant_exists(admin, "commit-a") && tenant_exists(admin, "commit-b"));

  /* Rollback: nothing. */
  tx = begin(admin, &inside);
  OK(create_tenant(inside, "rolled-back"));
  OK(quire_tx_rollback(tx));
  quire_tx_free(tx);
  CHECK(!tenant_exists(admin, "rolled-back"));

  /* Freed without commit: rolled back, and the write lock is free again. */
  tx = begin(admin, &inside);
  OK(create_tenant(inside, "never-committed"));
  quire_tx_free(tx);
  CHECK(!tenant_exists(admin, "never-committed"));
  OK(create_tenant(admin, "after-free"));
}

static void test_after_the_end(quire_ctx* admin) {
  quire_ctx* inside = NULL;
  quire_tx* nested = NULL;
  quire_ctx* derived = NULL;
  char* out = NULL;
  quire_tx* tx = begin(admin, &inside);

  OK(quire_ctx_with_request(&derived, inside, "{\"request_id\":\"in-tx\"}"));
  OK(create_tenant(derived, "derived-in-tx")); /* a derived context joins the transaction */
  OK(quire_tx_commit(tx));
  CHECK(tenant_exists(admin, "derived-in-tx"));

  /* The transaction is over: every use of it, its context and contexts made from it fails. */
  FAILS(quire_tx_commit(tx), QUIRE_EINVAL, "the transaction has ended");
  FAILS(quire_tx_rollback(tx), QUIRE_EINVAL, "the transaction has ended");
  FAILS(quire_tenant_get(&out, inside, "derived-in-tx"), QUIRE_EINVAL, "the transaction has ended");
  CHECK(out == NULL);
  FAILS(create_tenant(derived, "derived-late"), QUIRE_EINVAL, "the transaction has ended");
  FAILS(quire_tx_begin(&nested, inside), QUIRE_EINVAL, "the transaction has ended");
  CHECK(nested == NULL);
  CHECK(!tenant_exists(admin, "derived-late"));

  /* The borrowed context stays the transaction's: quire_ctx_free on it does nothing. */
  quire_ctx_free(inside);
  FAILS(quire_tenant_get(&out, inside, "derived-in-tx"), QUIRE_EINVAL, "the transaction has ended");
  quire_ctx_free(derived);
  quire_tx_free(tx);
}

static void test_begun_from_a_freed_context(quire_db* db) {
  quire_ctx* system = NULL;
  quire_ctx* inside = NULL;
  quire_ctx* admin = NULL;
  quire_tx* tx;
  OK(quire_db_system(&system, db, NULL));
  tx = begin(system, &inside);
  quire_ctx_free(system); /* the transaction keeps what it needs */
  OK(create_tenant(inside, "outlived"));
  OK(quire_tx_commit(tx));
  quire_tx_free(tx);
  OK(quire_db_system(&admin, db, NULL));
  CHECK(tenant_exists(admin, "outlived"));
  quire_ctx_free(admin);
}

static void test_nested(quire_ctx* admin) {
  quire_ctx* inside = NULL;
  quire_ctx* inner_ctx = NULL;
  quire_tx* inner;
  quire_tx* tx = begin(admin, &inside);

  OK(create_tenant(inside, "outer-work"));

  /* A nested transaction is a savepoint: its rollback undoes only its own part. */
  inner = begin(inside, &inner_ctx);
  OK(create_tenant(inner_ctx, "inner-undone"));
  CHECK(tenant_exists(inside, "inner-undone")); /* the outer transaction sees the inner work */
  OK(quire_tx_rollback(inner));
  quire_tx_free(inner);
  CHECK(!tenant_exists(inside, "inner-undone") && tenant_exists(inside, "outer-work"));

  /* Its commit makes its part the outer one's. */
  inner = begin(inside, &inner_ctx);
  OK(create_tenant(inner_ctx, "inner-kept"));
  OK(quire_tx_commit(inner));
  quire_tx_free(inner);

  /* One still open when the outer one commits ends with it. */
  inner = begin(inside, &inner_ctx);
  OK(create_tenant(inner_ctx, "inner-open"));
  OK(quire_tx_commit(tx));
  FAILS(quire_tx_commit(inner), QUIRE_EINVAL, "the transaction has ended");
  quire_tx_free(inner);
  quire_tx_free(tx);
  CHECK(tenant_exists(admin, "outer-work") && tenant_exists(admin, "inner-kept"));
  CHECK(!tenant_exists(admin, "inner-undone"));
  CHECK(tenant_exists(admin, "inner-open")); /* it was part of the outer transaction */

  /* The outer rollback undoes a committed nested part too. */
  tx = begin(admin, &inside);
  inner = begin(inside, &inner_ctx);
  OK(create_tenant(inner_ctx, "inner-then-outer-rollback"));
  OK(quire_tx_commit(inner));
  OK(quire_tx_rollback(tx));
  quire_tx_free(inner);
  quire_tx_free(tx);
  CHECK(!tenant_exists(admin, "inner-then-outer-rollback"));
}

/* A quire_ctx_transaction body's tx nests a handle transaction too. */
static quire_status body_with_a_nested_handle(quire_ctx* tx, void* user_data) {
  quire_ctx* inner_ctx = NULL;
  quire_tx* inner = NULL;
  quire_status status;
  (void)user_data;
  if ((status = quire_tx_begin(&inner, tx)) != QUIRE_OK) return status;
  if ((status = quire_tx_context(&inner_ctx, inner)) != QUIRE_OK) return status;
  if ((status = create_tenant(inner_ctx, "body-inner")) != QUIRE_OK) return status;
  quire_tx_free(inner); /* rolls back the nested part only */
  return create_tenant(tx, "body-outer");
}

static void test_nested_in_a_callback(quire_ctx* admin) {
  OK(quire_ctx_transaction(admin, body_with_a_nested_handle, NULL));
  CHECK(tenant_exists(admin, "body-outer") && !tenant_exists(admin, "body-inner"));
}

static void test_failed_operation_inside(quire_ctx* admin) {
  quire_ctx* inside = NULL;
  char* out = NULL;
  quire_tx* tx = begin(admin, &inside);

  OK(create_tenant(inside, "before-failure"));
  FAILS(create_tenant(inside, "before-failure"), QUIRE_EEXISTS, "already exists");
  FAILS(quire_tenant_create(&out, inside, "{\"slug\":\"bad slug\",\"name\":\"Bad\"}"), QUIRE_EINVAL,
        "slug");
  CHECK(has(quire_last_error_json(), "\"field\":\"slug\""));
  OK(create_tenant(inside, "after-failure"));
  /* What failed undid only itself: the rest commits. */
  OK(quire_tx_commit(tx));
  quire_tx_free(tx);
  CHECK(tenant_exists(admin, "before-failure") && tenant_exists(admin, "after-failure"));
  CHECK(!tenant_exists(admin, "bad slug"));
}

/* While a transaction is open, another writer of its database waits and gives up; a writer of
 * another database does not wait. A transaction belongs to the database of the context it was
 * begun from (quire_tx_begin takes no database: the context carries it). */
static void test_write_lock_and_two_databases(quire_db* db) {
  quire_db* other_db = NULL;
  quire_ctx* admin = NULL;
  quire_ctx* other = NULL;
  quire_ctx* elsewhere = NULL;
  quire_ctx* inside = NULL;
  quire_tx* tx;

  OK(quire_db_system(&admin, db, NULL));
  OK(quire_db_system(&other, db, NULL));
  OK(quire_db_open(&other_db, "sqlite::memory:", options));
  OK(quire_db_system(&elsewhere, other_db, NULL));

  tx = begin(admin, &inside);
  OK(create_tenant(inside, "locked-in"));
  FAILS(create_tenant(other, "blocked"), QUIRE_EBUSY, "");
  OK(create_tenant(elsewhere, "elsewhere")); /* another database: not blocked */
  CHECK(!tenant_exists(elsewhere, "locked-in") && !tenant_exists(inside, "elsewhere"));
  OK(quire_tx_commit(tx));
  quire_tx_free(tx);
  CHECK(tenant_exists(other, "locked-in") && !tenant_exists(other, "blocked"));
  OK(create_tenant(other, "unblocked"));

  quire_ctx_free(elsewhere);
  quire_db_free(other_db);
  quire_ctx_free(other);
  quire_ctx_free(admin);
}

/* quire_db_close rolls an open transaction back instead of waiting for it. */
static void test_close_rolls_back(const char* path) {
  char url[512];
  quire_db* db = NULL;
  quire_ctx* admin = NULL;
  quire_ctx* inside = NULL;
  quire_tx* tx;

  remove(path);
  snprintf(url, sizeof url, "sqlite:%s", path);
  OK(quire_db_open(&db, url, options));
  OK(quire_db_system(&admin, db, NULL));
  tx = begin(admin, &inside);
  OK(create_tenant(inside, "lost-at-close"));
  OK(quire_db_close(db));
  FAILS(quire_tx_commit(tx), QUIRE_EINVAL, "the transaction has ended");
  FAILS(create_tenant(inside, "after-close"), QUIRE_EINVAL, "");
  quire_tx_free(tx);
  quire_ctx_free(admin);
  quire_db_free(db);

  OK(quire_db_open(&db, url, options));
  OK(quire_db_system(&admin, db, NULL));
  CHECK(!tenant_exists(admin, "lost-at-close"));
  quire_ctx_free(admin);
  quire_db_free(db);
  remove(path);
}

static void test_arguments(quire_ctx* admin) {
  quire_tx* tx = NULL;
  quire_ctx* inside = NULL;

  FAILS(quire_tx_begin(NULL, admin), QUIRE_EINVAL, "out_tx must not be NULL");
  FAILS(quire_tx_begin(&tx, NULL), QUIRE_EINVAL, "ctx must not be NULL");
  CHECK(tx == NULL);
  FAILS(quire_tx_context(&inside, NULL), QUIRE_EINVAL, "tx must not be NULL");
  CHECK(inside == NULL);
  FAILS(quire_tx_commit(NULL), QUIRE_EINVAL, "tx must not be NULL");
  FAILS(quire_tx_rollback(NULL), QUIRE_EINVAL, "tx must not be NULL");
  /* A context is not a transaction. */
  FAILS(quire_tx_commit((quire_tx*)(void*)admin), QUIRE_EINVAL, "tx is not a live quire_tx");
  quire_tx_free(NULL);
  quire_tx_free((quire_tx*)(void*)admin); /* ignored: not a transaction */
  CHECK(tenant_exists(admin, "commit-a"));

  OK(quire_tx_begin(&tx, admin));
  FAILS(quire_tx_context(NULL, tx), QUIRE_EINVAL, "out_ctx must not be NULL");
  quire_tx_free(tx);
#ifndef UNDER_ASAN
  /* A freed handle is refused, not used. */
  FAILS(quire_tx_commit(tx), QUIRE_EINVAL, "tx is not a live quire_tx");
#endif
}

int main(int argc, char** argv) {
  quire_db* db = NULL;
  quire_ctx* admin = NULL;
  const char* path = argc > 1 ? argv[1] : "capi_tx_test.db";

  OK(quire_db_open(&db, "sqlite::memory:", options));
  OK(quire_db_system(&admin, db, NULL));
  test_commit_and_rollback(admin);
  test_after_the_end(admin);
  test_begun_from_a_freed_context(db);
  test_nested(admin);
  test_nested_in_a_callback(admin);
  test_failed_operation_inside(admin);
  test_arguments(admin);
  quire_ctx_free(admin);
  test_write_lock_and_two_databases(db);
  quire_db_free(db);

  test_close_rolls_back(path);

  printf("capi_tx_test: %ld checks passed\n", checks);
  return 0;
}
