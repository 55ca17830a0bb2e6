/*
 * One quire_db shared by 4 threads, each with its own context: reads, writes and failures at the
 * same time, with no error and each thread's last error its own. Built with ThreadSanitizer, the
 * run must be race-free.
 */
#include <pthread.h>
#include <quire.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { threads = 4, rounds = 300 };

struct worker {
  quire_db* db;
  int index;
  int64_t user_id;
  int failures; /* checks that failed in this thread */
};

static void complain(struct worker* w, const char* what, quire_status status) {
  fprintf(stderr, "thread %d: %s gave %s: %s\n", w->index, what, quire_status_name(status),
          quire_last_error_message());
  ++w->failures;
}

static void* work(void* arg) {
  struct worker* w = (struct worker*)arg;
  quire_ctx* ctx = NULL;
  char json[256];
  char* out = NULL;
  quire_status status;
  int i;

  /* Thread 0 acts as the system; the others as their own user in "shared". */
  if (w->index == 0) {
    status = quire_db_system(&ctx, w->db, NULL);
  } else {
    snprintf(json, sizeof json, "{\"tenant\":\"shared\",\"user\":%lld,\"request_id\":\"t%d\"}",
             (long long)w->user_id, w->index);
    status = quire_db_context(&ctx, w->db, json);
  }
  if (status != QUIRE_OK) {
    complain(w, "context", status);
    return NULL;
  }

  for (i = 0; i < rounds; ++i) {
    status = quire_tenant_get(&out, ctx, "shared");
    if (status != QUIRE_OK) complain(w, "tenant get", status);
    quire_free(out);

    status = quire_user_get(&out, ctx, w->user_id);
    if (status != QUIRE_OK) complain(w, "user get", status);
    quire_free(out);

    snprintf(json, sizeof json, "{\"display_name\":\"thread %d round %d\"}", w->index, i);
    status = quire_user_update(&out, ctx, w->user_id, json);
    if (status != QUIRE_OK) complain(w, "user update", status);
    quire_free(out);

    /* A failure of this thread's own: its last error must be this one, whatever the others do. */
    snprintf(json, sizeof json, "missing-%d", w->index);
    status = quire_tenant_get(&out, ctx, json);
    if (status != QUIRE_ENOTFOUND || quire_last_error_code() != QUIRE_ENOTFOUND ||
        strstr(quire_last_error_message(), json) == NULL) {
      complain(w, "own last error", status);
    }
  }
  quire_ctx_free(ctx);
  return NULL;
}

/* The database file and its WAL companions. */
static void remove_files(const char* path) {
  char name[512];
  remove(path);
  snprintf(name, sizeof name, "%s-wal", path);
  remove(name);
  snprintf(name, sizeof name, "%s-shm", path);
  remove(name);
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "capi_threads_test.db";
  char url[512];
  char json[256];
  char* out = NULL;
  quire_db* db = NULL;
  quire_ctx* admin = NULL;
  pthread_t ids[threads];
  struct worker workers[threads];
  int i, failures = 0;

  remove_files(path);
  snprintf(url, sizeof url, "sqlite:%s", path);
  if (quire_db_open(&db, url, "{\"passwords\":{\"opslimit\":2,\"memlimit\":20971520}}") != 0 ||
      quire_db_system(&admin, db, NULL) != 0 ||
      quire_tenant_create(&out, admin, "{\"slug\":\"shared\",\"name\":\"Shared\"}") != 0) {
    fprintf(stderr, "setup: %s\n", quire_last_error_message());
    return 1;
  }
  quire_free(out);
  for (i = 0; i < threads; ++i) {
    snprintf(json, sizeof json,
             "{\"username\":\"worker%d\",\"email\":\"worker%d@x.test\","
             "\"password\":\"correct horse\"}",
             i, i);
    if (quire_user_create(&out, admin, json) != 0) {
      fprintf(stderr, "setup: %s\n", quire_last_error_message());
      return 1;
    }
    workers[i].db = db;
    workers[i].index = i;
    workers[i].failures = 0;
    workers[i].user_id = (int64_t)strtoll(strstr(out, "\"id\":") + 5, NULL, 10);
    quire_free(out);
    if (quire_member_add(&out, admin, "shared", workers[i].user_id, "author") != 0) {
      fprintf(stderr, "setup: %s\n", quire_last_error_message());
      return 1;
    }
    quire_free(out);
  }
  quire_ctx_free(admin);

  for (i = 0; i < threads; ++i) pthread_create(&ids[i], NULL, work, &workers[i]);
  for (i = 0; i < threads; ++i) {
    pthread_join(ids[i], NULL);
    failures += workers[i].failures;
  }
  quire_db_free(db);
  remove_files(path);

  if (failures != 0) {
    fprintf(stderr, "capi_threads_test: %d failures\n", failures);
    return 1;
  }
  printf("capi_threads_test: %d threads x %d rounds, no error\n", threads, rounds);
  return 0;
}
