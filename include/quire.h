/*
 * quire.h — the C ABI of quire, the only binary-stable surface of the library.
 *
 * Conventions (they hold for every function below unless its comment says otherwise):
 *
 * - Status. Every fallible function returns a quire_status: QUIRE_OK (0) or one of the negative
 *   QUIRE_E* codes, which are -(quire::Errc). On failure the calling thread's last error holds the
 *   code and a one-line message (quire_last_error_code(), quire_last_error_message()), and
 *   quire_last_error_json() gives it as one object whose "details" hold the facts a program acts
 *   on (current_version, permission, role, quota, limit, plan, field, retryable): read those,
 *   never the message. A successful call leaves the last error as it was.
 * - Out-parameters come first. They are required (never NULL), and are set to NULL on entry, so
 *   on failure there is nothing to free.
 * - Ownership. Every char* handed to the caller is a NUL-terminated UTF-8 string owned by the
 *   caller and released with quire_free(). Every handle is released with its own NULL-safe
 *   quire_<object>_free(). A const char* result is borrowed; its lifetime is stated per function.
 * - Arguments. A NULL handle, a handle that was freed or is not a handle of that type (where
 *   that can be detected), a NULL string, malformed JSON, a JSON value of the wrong type, a
 *   missing required field and an unknown field all give QUIRE_EINVAL with a message naming the
 *   argument and the field: `tenant_json: unknown field "slugg"`,
 *   `user_json.email must be a string`. JSON input may nest at most 100 levels. Nothing is
 *   changed when an argument is refused.
 * - Records, queries and options cross the ABI as UTF-8 JSON text, so fields can be added
 *   without breaking a binary. Input objects accept exactly the fields documented; output objects
 *   may gain fields in later versions, so readers must ignore fields they do not know.
 * - Times in output records are RFC 3339 strings in UTC with exactly three fraction digits,
 *   "2026-11-23T14:07:08.123Z"; ids are JSON integers.
 * - Tenant arguments (const char* tenant) name a tenant by slug ("acme") or by decimal id ("42").
 *   Slugs start with a letter, so the two never collide.
 * - Booleans in JSON are true/false.
 * - Threads. A quire_db may be shared by every thread of the host. A quire_ctx may be used from
 *   any thread, except the transaction handle given to a quire_ctx_transaction body, which belongs
 *   to the body's thread while the body runs. A quire_tx and its context may be used from any
 *   thread, one at a time. A handle must not be freed while another thread uses it.
 * - Every function may also give QUIRE_EINTERNAL (a bug, or "out of memory") and, for calls that
 *   reach the database, QUIRE_EBUSY (the write lock was not free within busy_timeout_ms) and
 *   QUIRE_ESTORAGE (the backend failed). These are not repeated below.
 *
 * Records (output JSON):
 * BEGIN GENERATED records (from capi/quire.abi.json: do not edit, run scripts/quire gen)
 *   tenant  {"id":1,"slug":"acme","name":"Acme Corp","plan":"free","domain":"acme.test" | null,
 *            "settings":{...} (the tenant's settings object, embedded),"is_active":true,
 *            "created_at":"...","updated_at":"...","deleted_at":"..." | null}
 *   user    {"id":7,"username":"alice","email":"alice@acme.test","display_name":"Alice",
 *            "is_active":true,"created_at":"...","updated_at":"..."}
 *           A user record never carries a password or its hash.
 *   member  {"tenant_id":1,"user_id":7,"role":"editor","joined_at":"..."}
 *   invitation {"id":3,"tenant_id":1,"email":"bob@acme.test","role":"editor","invited_by":7,
 *            "created_at":"...","expires_at":"...","accepted_at":null,"accepted_by":null,
 *            "revoked_at":null}  Never the token.
 *   page    {"items":[record, ...],"next_cursor":"..." | null}
 *           Pass next_cursor as "cursor" in the next query; null means this was the last page.
 *   post    {"id":5,"tenant_id":1,"type":"post","parent_id":null | 3,"slug":"hello-world",
 *            "title":"...","body":"...","excerpt":"...","status":"draft","author_id":7 (0: the
 *            system),"category":"news" | null,"tags":["intro"],"seo":{...},"fields":{...},
 *            "version":2,"published_version":null | 2,"reading_time":1 (minutes),
 *            "view_count":0,"created_at":"...","updated_at":"...","published_at":null | "...",
 *            "scheduled_at":null | "...","deleted_at":null | "..."}
 *   version {"post_id":5,"number":2,"kind":"create"|"update"|"restore"|"manual",
 *            "author_id":7,"summary":"...","created_at":"...","size":120 (bytes of title+body)}
 *   snapshot  a version record with the content it kept: ... ,"title","body","slug","status",
 *            "category","tags","excerpt","seo":{...},"fields":{...}
 *   diff    {"from":1,"to":2,"text":"--- v1/body\n+++ v2/body\n@@ ...","changed_fields":["body"],
 *            "added":1,"removed":1,"title_hunks":[hunk, ...],"body_hunks":[hunk, ...],
 *            "truncated":false}  (true: the hunks and text stop after 20,000 lines or 1 MiB of
 *            line text; added and removed still count every line)
 *           hunk: {"old_start":1,"old_count":2,"new_start":1,"new_count":2,
 *                  "lines":[{"kind":"context"|"added"|"removed","text":"...",
 *                            "no_newline":false}, ...]}
 *   autosave {"post_id":5,"user_id":7,"title":"...","body":"...","base_version":2,
 *            "saved_at":"..."}
 *   audit entry {"tenant_id":1 (0: the system chain),"seq":3,"at":"...",
 *            "actor_type":"system"|"user"|"api_key","actor_id":7,"action":"post.update",
 *            "resource_type":"post","resource_id":"5","outcome":"ok"|"denied",
 *            "old_values":{...} | null,"new_values":{...} | null,"ip":"...","user_agent":"...",
 *            "request_id":"...","prev_hash":"<64 hex>","hash":"<64 hex>"}
 *   role    {"name":"editor","permissions":["post.create", ...],"builtin":true}
 *   api key {"id":3,"tenant_id":1,"public_id":"...","name":"ci","scopes":["post.read"],
 *            "created_by":7,"created_at":"...","expires_at":null | "...",
 *            "revoked_at":null | "...","last_used_at":null | "...","use_count":0}
 * END GENERATED records
 */
#ifndef QUIRE_H
#define QUIRE_H

#include <stddef.h>
#include <stdint.h>

#include "quire/quire_export.h"  /* QUIRE_EXPORT, generated by CMake */
#include "quire/quire_version.h" /* QUIRE_VERSION_*, QUIRE_ABI_VERSION, generated by CMake */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes ------------------------------------------------------------------------- */

/* Fixed-width so C, ctypes (c_int32) and N-API agree. Values are only ever appended. */
typedef int32_t quire_status;

#define QUIRE_OK 0
#define QUIRE_EINVAL (-1)     /* invalid argument: bad handle, string, JSON, field or value */
#define QUIRE_ENOTFOUND (-2)  /* no such tenant, user, member, ... */
#define QUIRE_EEXISTS (-3)    /* a unique slug, domain, username, email or membership is taken */
#define QUIRE_ECONFLICT (-4)  /* the operation does not fit the current state */
#define QUIRE_EPERM (-5)      /* the context's actor may not do this */
#define QUIRE_EAUTH (-6)      /* unauthenticated: bad credentials or token */
#define QUIRE_EQUOTA (-7)     /* the tenant's plan does not allow more */
#define QUIRE_EBUSY (-8)      /* the database stayed locked for busy_timeout_ms */
#define QUIRE_ESTORAGE (-9)   /* the storage backend failed */
#define QUIRE_ECORRUPT (-10)  /* stored data failed an integrity check */
#define QUIRE_EINTERNAL (-11) /* a bug in quire, or out of memory */
#define QUIRE_ENOTSUP (-12)   /* the backend or the database file does not support this */

/* BEGIN GENERATED declarations (from capi/quire.abi.json: do not edit, run scripts/quire gen) */
/* ---- Handles ------------------------------------------------------------------------------ */

/* An open database. Freed with quire_db_free. */
typedef struct quire_db quire_db;
/* A context: who acts (the system, or a user) and in which tenant. Freed with quire_ctx_free. A
 * context keeps its database alive, so handles may be freed in any order. */
typedef struct quire_ctx quire_ctx;
/* An explicit transaction, begun with quire_tx_begin: it rolls back unless committed. Freed with
 * quire_tx_free. One thread at a time may use it and its context (any thread: it is not bound
 * to the one that began it). */
typedef struct quire_tx quire_tx;

/* ---- Library and errors ------------------------------------------------------------------- */

/* The library's version, "MAJOR.MINOR.PATCH" (QUIRE_VERSION_STRING of the build). Static: never
 * freed, never NULL. */
QUIRE_EXPORT const char* quire_library_version(void);

/* The ABI version of the loaded library. A binding built for QUIRE_ABI_VERSION N must refuse to
 * run when this is not N. */
QUIRE_EXPORT int32_t quire_abi_version(void);

/* The status code of this thread's last failing call; QUIRE_OK when no call has failed on this
 * thread. */
QUIRE_EXPORT quire_status quire_last_error_code(void);

/* The message of this thread's last failing call: one line naming the field and the rule, never
 * a secret. Never NULL; "" when no call has failed on this thread. Borrowed: valid until this
 * thread's next failing call. */
QUIRE_EXPORT const char* quire_last_error_message(void);

/* The backend's native code behind this thread's last error ("SQLITE_CONSTRAINT_UNIQUE"), for
 * logs. Never NULL; "" when there is none. Borrowed like quire_last_error_message. */
QUIRE_EXPORT const char* quire_last_error_detail(void);

/* This thread's last error as one JSON object, for programs that act on it without parsing the
 * message:
 *   {"status":-4,"code":"QUIRE_ECONFLICT","message":"post 7 is at version 3, not 2: ...",
 *    "detail":"","details":{"current_version":3}}
 * "detail" is quire_last_error_detail(). "details" holds only the facts the failure sets ({} when
 * none), and may gain members in later versions:
 *   current_version  QUIRE_ECONFLICT over an expected_version: the version the record is at.
 *   permission, role QUIRE_EPERM: the permission lacking (or the action attempted, when the
 *                    actor's standing failed) and the actor's role ("editor", "api_key"; absent
 *                    when the user is not a member).
 *   quota, limit, plan  QUIRE_EQUOTA: "members" or "posts", the plan's limit and its name.
 *   field            QUIRE_EINVAL naming one field or argument: "title", "post_json.tags".
 *   retryable        true on QUIRE_EBUSY when the whole transaction may simply run again (a
 *                    serialization failure or a deadlock on PostgreSQL).
 * On a thread where no call has failed: {"status":0,"code":"QUIRE_OK",...,"details":{}}. Never
 * NULL. Borrowed like quire_last_error_message: valid until this thread's next failing call. */
QUIRE_EXPORT const char* quire_last_error_json(void);

/* The name of a status code: "QUIRE_OK", "QUIRE_EINVAL", ...; "QUIRE_UNKNOWN" for a code this
 * version does not know. Static: never freed, never NULL. */
QUIRE_EXPORT const char* quire_status_name(quire_status status);

/* Releases a string (or any buffer) the library handed over. NULL-safe. */
QUIRE_EXPORT void quire_free(void* ptr);

/* ---- Database ----------------------------------------------------------------------------- */

/* Opens (creating if missing) a database and runs its schema migrations.
 *   url: "sqlite:path/to/file.db", "sqlite::memory:", or a PostgreSQL URL ("postgresql://..." or
 *   libpq key=value pairs), whose schema quire_db_migrate brought up to date as its owner.
 *   options_json: NULL for the defaults, or an object with any of
 *     {"synchronous":"full"|"normal", "reader_connections":4, "busy_timeout_ms":5000,
 *      "wal_autocheckpoint_pages":1000, "default_plan":"free",
 *      "plans":[{"name":"free","max_members":5,"max_posts":100}, ...]  (0 = unlimited; replaces
 *              the built-in free/pro/enterprise list),
 *      "passwords":{"opslimit":2,"memlimit":67108864,"max_concurrent":4}  (argon2id cost)}
 * *out: the database; release with quire_db_free.
 * Errors: QUIRE_EINVAL (url, options: also a password cost below OWASP's minimum, or a
 * default_plan that is not in plans; a SQLite file that is not quire's, which is left
 * unchanged), QUIRE_ESTORAGE (cannot open), QUIRE_ECORRUPT (not a database), QUIRE_ENOTSUP (the
 * file was written by a newer quire), QUIRE_EBUSY. Migrations run all or nothing. */
QUIRE_EXPORT quire_status quire_db_open(quire_db** out, const char* url, const char* options_json);

/* Brings a database's schema up to date and closes it again: a deployment step. On PostgreSQL
 * run it as the schema's owner; quire_db_open then runs as a role that owns nothing and refuses
 * the owner, a superuser and a BYPASSRLS role (QUIRE_EINVAL), since they could switch row-level
 * security off or rewrite the audit trail (docs/postgresql.md). On SQLite it is open and close.
 *   url, options_json: as quire_db_open.
 * *out_version: the schema version the database is at.
 * Errors: those of quire_db_open, and QUIRE_EPERM (this role may not create the tables). */
QUIRE_EXPORT quire_status quire_db_migrate(int64_t* out_version, const char* url,
                                           const char* options_json);

/* Waits for the operations in flight, then closes the connections. Afterwards every call through
 * a context of this database fails with QUIRE_EINVAL. Idempotent. Rolls back the quire_tx
 * transactions still open. Does not free the handle.
 * Called on a thread that is inside a quire_ctx_transaction body of this database, or inside a
 * callback of one of its operations (quire_audit_export_to's `write`), it would wait for that
 * thread itself: it fails at once with QUIRE_EINVAL saying so, and closes nothing.
 * Errors: QUIRE_EINVAL (db; inside a transaction body or an operation's callback). */
QUIRE_EXPORT quire_status quire_db_close(quire_db* db);

/* Releases the handle. The database closes once this handle and every context made from it are
 * freed. NULL-safe; a handle that is detectably not a live quire_db is ignored. */
QUIRE_EXPORT void quire_db_free(quire_db* db);

/* The explicit, audited administration context: the only actor that skips permission checks.
 *   tenant: NULL for the tenant-less context that manages tenants and users; or a tenant (slug
 *           or decimal id) to act inside it.
 * *out: the context; release with quire_ctx_free.
 * Errors: QUIRE_EINVAL (db, tenant), QUIRE_ENOTFOUND (no such tenant, or it is deleted). */
QUIRE_EXPORT quire_status quire_db_system(quire_ctx** out, quire_db* db, const char* tenant);

/* A user acting in a tenant, whom the host has authenticated.
 *   context_json: {"tenant":"acme" or 42 (required), "user":7 (required),
 *                  "ip":"...", "user_agent":"...", "request_id":"..." (optional, recorded by the
 *                  audit trail)}
 * *out: the context; release with quire_ctx_free.
 * Errors: QUIRE_EINVAL (db, context_json), QUIRE_ENOTFOUND (tenant, user), QUIRE_EPERM (the user
 * is not a member, or the tenant or the user is deactivated). */
QUIRE_EXPORT quire_status quire_db_context(quire_ctx** out, quire_db* db, const char* context_json);

/* A user acting in no tenant, on their own account, whom the host has authenticated: it reads and
 * updates the account and accepts invitations (quire_invitation_accept); nothing of any tenant.
 *   request_json: NULL, or {"ip","user_agent","request_id"}.
 * *out: the context; release with quire_ctx_free.
 * Errors: QUIRE_EINVAL (db, request_json), QUIRE_ENOTFOUND (user), QUIRE_EPERM (the user is
 * deactivated). */
QUIRE_EXPORT quire_status quire_db_user_context(quire_ctx** out, quire_db* db, int64_t user_id,
                                                const char* request_json);

/* ---- Sign-in: sessions and API keys ------------------------------------------------------- */

/* Signs a member in with their username or email and password. Failures are audited and
 * throttled per (tenant, user) with growing delays; a password hashed with older argon2id
 * parameters is rehashed.
 *   tenant: slug or decimal id. request_json: NULL, or {"ip","user_agent","request_id"}.
 * *out_ctx: the user's context; release with quire_ctx_free.
 * *out_session_json: {"token":"...","expires_at":"...","tenant_id":1,"user_id":7}; the token is
 *   what the client presents later to quire_db_context_from_token. Release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_EAUTH ("invalid credentials", or "too many failed logins; try again
 * in N s": the same message whether the user, the password or the membership was wrong). */
QUIRE_EXPORT quire_status quire_db_login(quire_ctx** out_ctx, char** out_session_json, quire_db* db,
                                         const char* tenant, const char* username_or_email,
                                         const char* password, const char* request_json);

/* The context a session token stands for.
 *   request_json: NULL or as quire_db_login. expected_tenant: NULL, or a tenant (slug or id)
 *   the token must belong to.
 * *out_ctx: release with quire_ctx_free.
 * Errors: QUIRE_EINVAL (db, token NULL), QUIRE_EAUTH (malformed, bad signature, alg other than
 * HS256, expired, revoked, another tenant, a deactivated user or tenant). */
QUIRE_EXPORT quire_status quire_db_context_from_token(quire_ctx** out_ctx, quire_db* db,
                                                      const char* token, const char* request_json,
                                                      const char* expected_tenant);

/* Revokes a session token.
 * Errors: QUIRE_EINVAL, QUIRE_EAUTH (not a valid token). */
QUIRE_EXPORT quire_status quire_db_logout(quire_db* db, const char* token);

/* A context acting with exactly an API key's scopes.
 *   key: the key text "qk_<public id>_<secret>". request_json: NULL or as quire_db_login.
 * *out_ctx: release with quire_ctx_free.
 * Errors: QUIRE_EINVAL, QUIRE_EAUTH (malformed, unknown, wrong secret, revoked, expired, a
 * deactivated creator or tenant). */
QUIRE_EXPORT quire_status quire_db_context_from_key(quire_ctx** out_ctx, quire_db* db,
                                                    const char* key, const char* request_json);

/* A new per-database token secret: every session token signed before stops working.
 * Errors: QUIRE_EINVAL (db). */
QUIRE_EXPORT quire_status quire_db_rotate_token_secret(quire_db* db);

/* ---- Contexts and transactions ------------------------------------------------------------ */

/* Releases a context. NULL-safe; a handle that is detectably not a live quire_ctx is ignored, and
 * so are the transaction handle given to a quire_ctx_transaction body and the context of
 * quire_tx_context (the library owns them). */
QUIRE_EXPORT void quire_ctx_free(quire_ctx* ctx);

/* The same actor and tenant with other request metadata, recorded by the audit trail.
 *   request_json: {"ip":"...", "user_agent":"...", "request_id":"..."}, each optional.
 * *out: a new context; release with quire_ctx_free. Made from a transaction's context, it joins
 * that transaction while the transaction runs (then its calls fail with QUIRE_EINVAL).
 * Errors: QUIRE_EINVAL (ctx, request_json, "the database is closed"). */
QUIRE_EXPORT quire_status quire_ctx_with_request(quire_ctx** out, quire_ctx* ctx,
                                                 const char* request_json);

/* Who a context acts as, and where.
 * *out_json: {"tenant_id":1 | null (the tenant-less system context),
 *             "actor_type":"system" | "user" | "api_key", "actor_id":7 (0 for the system),
 *             "ip":"...","user_agent":"...","request_id":"..."}; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx, "the database is closed"). */
QUIRE_EXPORT quire_status quire_ctx_info(char** out_json, quire_ctx* ctx);

/* The body of an explicit transaction: everything done through `tx` commits together when it
 * returns QUIRE_OK, and nothing does when it returns anything else. */
typedef quire_status (*quire_transaction_fn)(quire_ctx* tx, void* user_data);

/* Runs body(tx, user_data) in one transaction, where tx is a context with ctx's actor, tenant and
 * request metadata. Every operation through tx joins the transaction.
 * - tx is owned by the library and valid only while body runs, on this thread: do not keep it,
 *   do not use it from another thread (quire_ctx_free on it does nothing).
 * - Inside body, use tx (or contexts made from it with quire_ctx_with_request) only: a write
 *   through another context of the same database waits for this transaction, and fails with
 *   QUIRE_EBUSY after busy_timeout_ms. Never call quire_db_close from body.
 * - A nested quire_ctx_transaction on tx joins this transaction: when its body fails, only what
 *   the nested body did is undone, and the outer body decides whether to fail too.
 * Returns QUIRE_OK when body returned QUIRE_OK and the commit succeeded. When body returns
 * another status, the transaction rolls back and that status is returned as is, with this
 * thread's last error left as body left it (when body failed without a quire call failing, the
 * last error becomes "transaction body returned <status>").
 * Errors: QUIRE_EINVAL (ctx, body, or the database is closed), whatever body returns, and the
 * commit's QUIRE_EBUSY / QUIRE_ESTORAGE. */
QUIRE_EXPORT quire_status quire_ctx_transaction(quire_ctx* ctx, quire_transaction_fn body,
                                                void* user_data);

/* Begins an explicit transaction as ctx's actor, in ctx's tenant, with ctx's request metadata:
 * everything done through quire_tx_context(tx) commits together on quire_tx_commit, and nothing
 * does on quire_tx_rollback or quire_tx_free. The transaction belongs to ctx's database (ctx
 * carries it), and ctx may be freed while it runs.
 * - While it is open it holds the database's write lock: a write through another context of the
 *   same database waits for it, and fails with QUIRE_EBUSY after busy_timeout_ms. quire_db_close
 *   rolls it back (its calls then fail with QUIRE_EINVAL) instead of waiting for it.
 * - On a transaction's context (quire_tx_context, or a quire_ctx_transaction body's tx), begins a
 *   nested transaction: a savepoint, whose rollback undoes only what was done through it, whose
 *   commit makes that part of the outer transaction, and which ends when the outer one does.
 * - An operation inside that fails undoes only its own part; the caller decides whether to commit
 *   the rest. Operations inside never retry on their own (on QUIRE_EBUSY with "retryable" in
 *   quire_last_error_json, run the whole transaction again). A denied attempt inside is audited
 *   once the outermost transaction has ended, so its audit entry survives a rollback.
 * *out_tx: the transaction; release with quire_tx_free, which rolls back a transaction that was
 * neither committed nor rolled back.
 * Errors: QUIRE_EINVAL (out_tx, ctx, the database is closed, or ctx belongs to a transaction that
 * has ended), QUIRE_EBUSY, QUIRE_ESTORAGE. */
QUIRE_EXPORT quire_status quire_tx_begin(quire_tx** out_tx, quire_ctx* ctx);

/* The context acting inside tx: every operation through it joins the transaction, and so does
 * every operation through a context made from it with quire_ctx_with_request.
 * *out_ctx: borrowed, owned by tx and valid until quire_tx_free (quire_ctx_free on it does
 * nothing); after commit or rollback its calls fail with QUIRE_EINVAL ("the transaction has
 * ended").
 * Errors: QUIRE_EINVAL (out_ctx, tx). */
QUIRE_EXPORT quire_status quire_tx_context(quire_ctx** out_ctx, quire_tx* tx);

/* Commits what was done through the transaction's context (a nested transaction: into its outer
 * one); afterwards the transaction is over, even when the commit failed (then nothing of it was
 * kept). Still free it with quire_tx_free.
 * Errors: QUIRE_EINVAL (tx, or the transaction is over: committed, rolled back, its outer one
 * ended, or the database closed), QUIRE_EBUSY, QUIRE_ESTORAGE (also when an operation inside
 * failed and its part could not be undone: then nothing is committed). */
QUIRE_EXPORT quire_status quire_tx_commit(quire_tx* tx);

/* Undoes what was done through the transaction's context; afterwards the transaction is over.
 * Still free it with quire_tx_free.
 * Errors: QUIRE_EINVAL (tx, or the transaction is over). */
QUIRE_EXPORT quire_status quire_tx_rollback(quire_tx* tx);

/* Releases a transaction, rolling it back when it was neither committed nor rolled back, and
 * the context quire_tx_context lent. NULL-safe; a handle that is detectably not a live quire_tx
 * is ignored. */
QUIRE_EXPORT void quire_tx_free(quire_tx* tx);

/* ---- Tenants ------------------------------------------------------------------------------
 * Creating, deactivating, activating, deleting and restoring tenants is for the system context;
 * a member may read their own tenant; its owners update it. Every function that takes a tenant
 * gives QUIRE_EINVAL for a NULL or empty one and QUIRE_ENOTFOUND when it does not exist (or is
 * not the tenant a user context acts in). */

/* Creates a tenant.
 *   tenant_json: {"slug":"acme" (required, [a-z][a-z0-9-]{1,62}), "name":"Acme Corp" (required),
 *                 "plan":"pro" (default: the default_plan option), "domain":"acme.test" or null,
 *                 "settings":{...} (a JSON object, default {})}
 * *out_json: the tenant record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_EEXISTS (slug, domain), QUIRE_EPERM (not the system context). */
QUIRE_EXPORT quire_status quire_tenant_create(char** out_json, quire_ctx* ctx,
                                              const char* tenant_json);

/* A tenant by slug or id; tenants in the trash too, with deleted_at set.
 * *out_json: the tenant record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_tenant_get(char** out_json, quire_ctx* ctx, const char* tenant);

/* The tenant that owns a domain (matched case-insensitively).
 * *out_json: the tenant record; release with quire_free.
 * Errors: QUIRE_EINVAL (domain is not a host name), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_tenant_get_by_domain(char** out_json, quire_ctx* ctx,
                                                     const char* domain);

/* One page of tenants, ordered by id. A user context sees only its own tenant.
 *   query_json: NULL for the defaults, or {"include_inactive":true, "include_deleted":false,
 *               "limit":50 (1..1000), "cursor":"..." or null}
 * *out_page_json: a page of tenant records; release with quire_free.
 * Errors: QUIRE_EINVAL (query_json, limit, cursor), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_tenant_list(char** out_page_json, quire_ctx* ctx,
                                            const char* query_json);

/* Changes some fields of a tenant.
 *   patch_json: {"name":"...", "plan":"...", "domain":"..." or null (clears it),
 *                "settings":{...} (replaces the whole object)}; an absent field is unchanged.
 * *out_json: the updated tenant record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EEXISTS (domain), QUIRE_EPERM (needs the system
 * context or an owner), QUIRE_EQUOTA (the new plan allows fewer members than the tenant has). */
QUIRE_EXPORT quire_status quire_tenant_update(char** out_json, quire_ctx* ctx, const char* tenant,
                                              const char* patch_json);

/* Deactivates a tenant: it keeps its data, but no user context can be opened on it. Idempotent.
 * *out_json: the tenant record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EPERM (not the system context). */
QUIRE_EXPORT quire_status quire_tenant_deactivate(char** out_json, quire_ctx* ctx,
                                                  const char* tenant);

/* Activates a deactivated tenant. Idempotent. As quire_tenant_deactivate. */
QUIRE_EXPORT quire_status quire_tenant_activate(char** out_json, quire_ctx* ctx,
                                                const char* tenant);

/* Soft delete: moves the tenant to the trash (deleted_at set); quire_tenant_restore brings it
 * back. Idempotent. As quire_tenant_deactivate. */
QUIRE_EXPORT quire_status quire_tenant_delete(char** out_json, quire_ctx* ctx, const char* tenant);

/* Takes a tenant out of the trash. Idempotent. As quire_tenant_deactivate. */
QUIRE_EXPORT quire_status quire_tenant_restore(char** out_json, quire_ctx* ctx, const char* tenant);

/* ---- Memberships --------------------------------------------------------------------------
 * Roles: "owner", "admin", "editor", "author", "contributor", "viewer". The system context
 * manages every membership; a member with member.manage (admin, owner) manages roles up to their
 * own. */

/* Adds a user to a tenant with a role.
 * *out_json: the member record; release with quire_free.
 * Errors: QUIRE_EINVAL (role), QUIRE_ENOTFOUND (tenant, user), QUIRE_EEXISTS (already a member),
 * QUIRE_ECONFLICT (the tenant is deleted, or the user deactivated), QUIRE_EQUOTA (the plan's
 * member limit), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_member_add(char** out_json, quire_ctx* ctx, const char* tenant,
                                           int64_t user_id, const char* role);

/* Changes a member's role.
 * *out_json: the member record; release with quire_free.
 * Errors: QUIRE_EINVAL (role), QUIRE_ENOTFOUND (tenant, or the user is not a member),
 * QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_member_set_role(char** out_json, quire_ctx* ctx, const char* tenant,
                                                int64_t user_id, const char* role);

/* Removes a user from a tenant.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND (tenant, or the user is not a member), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_member_remove(quire_ctx* ctx, const char* tenant, int64_t user_id);

/* The members of a tenant, ordered by user id.
 * *out_json_array: a JSON array of member records; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_member_list(char** out_json_array, quire_ctx* ctx,
                                            const char* tenant);

/* Invites an e-mail address to join a tenant with a role: how a tenant's owners and admins add
 * people (quire_member_add is the system context's). Needs member.manage; the role may not rank
 * above the inviter's own. Expires after 7 days (Options::invitation_ttl_ms in C++).
 * *out_json: {"token":"qi_...","invitation":{invitation record}}; the token is shown only here.
 * Release with quire_free.
 * Errors: QUIRE_EINVAL (email, role), QUIRE_ENOTFOUND (tenant), QUIRE_ECONFLICT (the tenant is
 * deleted), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_invitation_create(char** out_json, quire_ctx* ctx,
                                                  const char* tenant, const char* email,
                                                  const char* role);

/* One page of a tenant's pending invitations (neither accepted, revoked nor expired), by id.
 * Needs member.manage.
 *   query_json: NULL for the defaults, or {"limit":50 (1..1000), "cursor":"..." or null}
 * *out_page_json: a page of invitation records; release with quire_free.
 * Errors: QUIRE_EINVAL (query_json, limit, cursor), QUIRE_ENOTFOUND (tenant), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_invitation_list(char** out_page_json, quire_ctx* ctx,
                                                const char* tenant, const char* query_json);

/* Revokes a pending invitation: its token stops working. Needs member.manage, and the invited
 * role within the actor's rank.
 * *out_json: the invitation record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND (tenant, or no pending invitation with this id),
 * QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_invitation_revoke(char** out_json, quire_ctx* ctx,
                                                  const char* tenant, int64_t invitation_id);

/* Accepts an invitation as the context's user (from quire_db_user_context, or any context of a
 * user): the account's e-mail must be the invitation's. Makes the membership and uses the
 * invitation up, in one transaction.
 * *out_json: the member record; release with quire_free.
 * Errors: QUIRE_EAUTH ("invitation is not valid": malformed, unknown, expired, revoked or used,
 * another account's, or a tenant no longer active; all alike), QUIRE_EPERM (not a user's context,
 * a deactivated account), QUIRE_EEXISTS (already a member), QUIRE_EQUOTA (the plan's members). */
QUIRE_EXPORT quire_status quire_invitation_accept(char** out_json, quire_ctx* ctx,
                                                  const char* token);

/* ---- Users --------------------------------------------------------------------------------
 * The system context manages every account; a user reads and updates their own, and reads the
 * accounts of the members of the context's tenant. An account a context may not read is
 * QUIRE_ENOTFOUND, so accounts cannot be probed. */

/* Creates an account; the password is hashed with argon2id and never stored or returned.
 *   user_json: {"username":"alice" (required, [a-z0-9][a-z0-9._-]{0,63}),
 *               "email":"alice@acme.test" (required), "password":"..." (required, 8..4096 bytes),
 *               "display_name":"Alice"}
 * *out_json: the user record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_EEXISTS (username, email), QUIRE_EPERM (not the system context). */
QUIRE_EXPORT quire_status quire_user_create(char** out_json, quire_ctx* ctx, const char* user_json);

/* An account by id.
 * *out_json: the user record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND (no such account, or one this context may not
 * read), QUIRE_EPERM (the context's own user was deactivated). */
QUIRE_EXPORT quire_status quire_user_get(char** out_json, quire_ctx* ctx, int64_t user_id);

/* An account by username.
 * *out_json: the user record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EPERM (as quire_user_get). */
QUIRE_EXPORT quire_status quire_user_get_by_username(char** out_json, quire_ctx* ctx,
                                                     const char* username);

/* One page of accounts, ordered by id: every account for the tenant-less system context, the
 * members of the tenant for a tenant context.
 *   query_json: NULL for the defaults, or {"limit":50 (1..1000), "cursor":"..." or null}
 * *out_page_json: a page of user records; release with quire_free.
 * Errors: QUIRE_EINVAL (query_json, limit, cursor), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_user_list(char** out_page_json, quire_ctx* ctx,
                                          const char* query_json);

/* Changes some fields of an account.
 *   patch_json: {"username":"...", "email":"...", "display_name":"..."}; an absent field is
 *               unchanged.
 * *out_json: the updated user record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EEXISTS (username, email), QUIRE_EPERM (neither
 * the system context nor the user themself, or the user's account is deactivated). */
QUIRE_EXPORT quire_status quire_user_update(char** out_json, quire_ctx* ctx, int64_t user_id,
                                            const char* patch_json);

/* Sets an account's password (hashed with argon2id; the message of an error never contains it).
 * Errors: QUIRE_EINVAL (8..4096 bytes), QUIRE_ENOTFOUND, QUIRE_EPERM (neither the system context
 * nor the user themself, or the user's account is deactivated). */
QUIRE_EXPORT quire_status quire_user_set_password(quire_ctx* ctx, int64_t user_id,
                                                  const char* password);

/* Deactivates an account: it keeps its memberships, but every context of the user is refused
 * from then on. Idempotent.
 * *out_json: the user record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM (not the system context). */
QUIRE_EXPORT quire_status quire_user_deactivate(char** out_json, quire_ctx* ctx, int64_t user_id);

/* Activates a deactivated account. Idempotent. As quire_user_deactivate. */
QUIRE_EXPORT quire_status quire_user_activate(char** out_json, quire_ctx* ctx, int64_t user_id);

/* ---- Posts --------------------------------------------------------------------------------
 * The content of the context's tenant. Every change writes a version and an audit entry in the
 * same transaction. Viewers see published posts; contributors and authors write their own;
 * editors and above write everyone's. A post of another tenant is QUIRE_ENOTFOUND, and so is
 * reading one the context may not see; a change the actor's role does not allow is QUIRE_EPERM
 * (audited), even on a post they cannot read. Statuses: "draft", "in_review", "scheduled",
 * "published", "archived". */

/* Creates a post.
 *   post_json: {"title":"..." (required, 1..500 bytes), "body":"..." (Markdown), "type":"post",
 *               "slug":"..." (default: made from the title), "status":"draft" | "in_review",
 *               "tags":["..."], "category":"..." | null, "excerpt":"..." | null (default:
 *               derived from the body), "seo":{...}, "fields":{...}, "parent_id":3 | null}
 * *out_json: the post record; release with quire_free.
 * Errors: QUIRE_EINVAL (a field and its rule), QUIRE_EEXISTS (slug), QUIRE_ENOTFOUND (parent),
 * QUIRE_EQUOTA (the plan's posts), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_create(char** out_json, quire_ctx* ctx, const char* post_json);

/* A post by id (not one in the trash).
 * *out_json: the post record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_get(char** out_json, quire_ctx* ctx, int64_t post_id);

/* A post by slug within a type (NULL type: "post"); old slugs resolve after a rename.
 * *out_json: the post record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_get_by_slug(char** out_json, quire_ctx* ctx, const char* slug,
                                                 const char* type);

/* Counts one view of a post: its view_count goes up by one, in a transaction of its own. Needs
 * what quire_post_get needs (post.read, and a post the context may see; not one in the trash).
 * A counter, not an edit: it writes no version and no audit entry, and leaves version and
 * updated_at as they were.
 * *out_json: the post record with the new count; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_record_view(char** out_json, quire_ctx* ctx, int64_t post_id);

/* Changes some fields of a post, if its version is still expected_version.
 *   patch_json: any of {"title","body","slug" (the old one keeps resolving),"tags":[...],
 *               "category": "..." | null (clears), "excerpt": "..." | null (derive from the
 *               body), "seo":{...}, "fields":{...}, "parent_id": 3 | null}.
 * *out_json: the updated post record (its version is the new number); release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_ECONFLICT (expected_version is stale: the message
 * names the current version; or the post is in the trash), QUIRE_EEXISTS (slug), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_update(char** out_json, quire_ctx* ctx, int64_t post_id,
                                            int64_t expected_version, const char* patch_json);

/* Workflow: submit (draft → in_review), publish (→ published), unpublish (→ draft), archive
 * (published → archived). An invalid transition is QUIRE_EINVAL naming both states.
 * *out_json: the post record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_submit(char** out_json, quire_ctx* ctx, int64_t post_id);
QUIRE_EXPORT quire_status quire_post_publish(char** out_json, quire_ctx* ctx, int64_t post_id);
QUIRE_EXPORT quire_status quire_post_unpublish(char** out_json, quire_ctx* ctx, int64_t post_id);
QUIRE_EXPORT quire_status quire_post_archive(char** out_json, quire_ctx* ctx, int64_t post_id);

/* Schedules a post for publication at `at` (RFC 3339); quire_post_publish_due publishes it.
 * *out_json: the post record; release with quire_free.
 * Errors: QUIRE_EINVAL (at, transition), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_schedule(char** out_json, quire_ctx* ctx, int64_t post_id,
                                              const char* at);

/* Publishes the tenant's scheduled posts whose time has come by `now` (RFC 3339; NULL: the
 * current time).
 * *out_json_array: a JSON array of the published post records; release with quire_free.
 * Errors: QUIRE_EINVAL (now), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_publish_due(char** out_json_array, quire_ctx* ctx,
                                                 const char* now);

/* Moves a post to the trash (delete) and out of it (restore).
 * *out_json: the post record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_delete(char** out_json, quire_ctx* ctx, int64_t post_id);
QUIRE_EXPORT quire_status quire_post_restore(char** out_json, quire_ctx* ctx, int64_t post_id);

/* Removes a post, its versions and its slugs for good; the audit trail keeps the fact.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_purge(quire_ctx* ctx, int64_t post_id);

/* One page of posts (listed posts carry "body":"" — read one with quire_post_get).
 *   query_json: NULL for the defaults, or any of {"type","status","author_id","category","tag",
 *               "parent_id": 3 | null (top-level posts only), "since","until" (RFC 3339, on
 *               the order's time field), "deleted":false (true: the trash),
 *               "order": "-published_at" (default) | "published_at" | "-updated_at" |
 *               "updated_at" | "-created_at" | "created_at" | "title" | "-title",
 *               "limit":20 (1..1000), "cursor":"..." | null}
 * *out_page_json: a page of post records; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_list(char** out_page_json, quire_ctx* ctx,
                                          const char* query_json);

/* Full-text search over title and body, best first. Words must all match; "a phrase" matches in
 * order; word* matches a prefix; any text is safe.
 *   limit: 1..1000.
 * *out_json_array: [{"post_id":1,"type":"post","slug":"...","title":"...","snippet":"... [match]
 *   ...","score":1.5}, ...]; release with quire_free.
 * Errors: QUIRE_EINVAL (query empty, invalid UTF-8, longer than 1 KiB; limit), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_search(char** out_json_array, quire_ctx* ctx,
                                            const char* query, int32_t limit);

/* The categories and the tags in use, with how many posts (not deleted) carry each.
 * *out_json_array: [{"name":"news","count":3}, ...]; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_categories(char** out_json_array, quire_ctx* ctx);
QUIRE_EXPORT quire_status quire_post_tags(char** out_json_array, quire_ctx* ctx);

/* The newest `limit` (1..1000) published posts as a feed: format "rss" (RSS 2.0) or "atom"
 * (Atom 1.0). Links come from the tenant's "base_url" setting, else its domain.
 * *out_xml: the XML document; release with quire_free.
 * Errors: QUIRE_EINVAL (format, limit, or the tenant has neither base_url nor domain),
 * QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_post_feed(char** out_xml, quire_ctx* ctx, const char* format,
                                          int32_t limit);

/* sitemap.xml (sitemaps.org 0.9) of the published posts. As quire_post_feed. */
QUIRE_EXPORT quire_status quire_post_sitemap(char** out_xml, quire_ctx* ctx);

/* ---- Versions -----------------------------------------------------------------------------
 * Every create, update and restore of a post writes a version; history is never rewritten.
 * Reading needs version.read; restore needs version.restore; snapshot and autosaves need
 * post.update (or post.update.own on one's own post). */

/* The versions the retention kept, newest first, without content.
 * *out_json_array: an array of version records; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_list(char** out_json_array, quire_ctx* ctx,
                                             int64_t post_id);

/* Version `number` of a post with its full snapshot.
 * *out_json: a snapshot record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND (the post or the version), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_get(char** out_json, quire_ctx* ctx, int64_t post_id,
                                            int64_t number);

/* Versions `from` and `to` compared: a unified diff of title and body (GNU diff -u format), the
 * changed fields and structured hunks.
 * *out_json: a diff record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND (the post or a version), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_diff(char** out_json, quire_ctx* ctx, int64_t post_id,
                                             int64_t from, int64_t to);

/* A manual version of the post's current content with a summary (NULL or up to 500 bytes). The
 * post's version number moves on with it.
 * *out_json: the version record; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_ECONFLICT (in the trash), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_snapshot(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                 const char* summary);

/* Brings back the content of version `number` as a new version of kind "restore".
 * *out_json: the post record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_ECONFLICT (in the trash), QUIRE_EEXISTS (the
 * old slug is now another post's), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_restore(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                int64_t number);

/* Saves the acting user's unsaved title and body of a post, replacing their previous autosave.
 * *out_json: the autosave record; release with quire_free.
 * Errors: QUIRE_EINVAL (no user, title, body), QUIRE_ENOTFOUND, QUIRE_ECONFLICT, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_autosave(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                 const char* title, const char* body);

/* The acting user's autosave of a post.
 * *out_json: the autosave record, or the JSON text "null" when there is none; release with
 * quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_autosave_get(char** out_json, quire_ctx* ctx,
                                                     int64_t post_id);

/* Drops the acting user's autosave of a post (none is no error).
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_version_discard(quire_ctx* ctx, int64_t post_id);

/* Makes the acting user's autosave the post's title and body (an update expecting
 * expected_version), then drops the autosave, in one transaction.
 * *out_json: the post record; release with quire_free.
 * Errors: those of quire_post_update; QUIRE_ENOTFOUND also when there is no autosave. */
QUIRE_EXPORT quire_status quire_version_promote(char** out_json, quire_ctx* ctx, int64_t post_id,
                                                int64_t expected_version);

/* ---- Audit --------------------------------------------------------------------------------
 * The tamper-evident trail of the context's tenant (the system chain for the tenant-less system
 * context). Needs audit.read (query, head, verify) or audit.export. */

/* One page of entries, newest first.
 *   query_json: NULL, or any of {"actor_type":"system"|"user"|"api_key","actor_id":7,
 *               "action":"post.update","resource_type":"post","resource_id":"42",
 *               "outcome":"ok"|"denied","since","until" (RFC 3339; since inclusive, until
 *               exclusive),"limit":50 (1..1000),"cursor":"..." | null}
 * *out_page_json: a page of audit entries; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_audit_query(char** out_page_json, quire_ctx* ctx,
                                            const char* query_json);

/* The newest entry of the chain, to publish elsewhere as an anchor.
 * *out_json: {"seq":12,"hash":"<64 hex digits>"} ({"seq":0,"hash":""} for an empty chain);
 * release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_audit_head(char** out_json, quire_ctx* ctx);

/* Walks the whole chain, recomputing every hash.
 *   head_json: NULL, or a head published earlier ({"seq":12,"hash":"..."}): the head must then
 *   be an entry of the chain, or the last entry the newest retention cut removed; a chain cut
 *   short before it, an entry that differs, and a head older than the newest cut (which cannot be
 *   proven) give ok false (docs/audit-trail.md).
 * *out_json: {"ok":true,"checked":12,"first_bad_seq":null | 7,"problem":"..."}; release with
 * quire_free. A broken chain is not an error: ok is false.
 * Errors: QUIRE_EINVAL (ctx, head_json), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_audit_verify(char** out_json, quire_ctx* ctx,
                                             const char* head_json);

/* The whole chain, oldest first: format "jsonl" (JSON Lines, one entry a line) or "csv" (RFC
 * 4180, with a header line; a cell that starts with = + - @, a tab or a CR gets a leading single
 * quote, against CSV injection).
 * *out_text: the export; release with quire_free.
 * Errors: QUIRE_EINVAL (format), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_audit_export(char** out_text, quire_ctx* ctx, const char* format);

/* Receives an export a piece at a time: `size` bytes at `data` (not NUL-terminated), borrowed
 * for the call only. */
typedef void (*quire_write_fn)(const char* data, size_t size, void* user_data);

/* The export of quire_audit_export streamed to `write`, one line or record at a time, in bounded
 * memory whatever the size of the chain. `write` must not call quire on the same context, and
 * quire_db_close from `write` fails with QUIRE_EINVAL (it would wait for the export).
 * Errors: QUIRE_EINVAL (format, write), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_audit_export_to(quire_ctx* ctx, const char* format,
                                                quire_write_fn write, void* user_data);

/* Retention (system context only): removes the entries older than `cutoff` (RFC 3339) and
 * appends an audit.checkpoint entry recording the seq and hash of the last entry removed and the
 * cut before it, so verification still passes; publish a new head afterwards.
 * *out_removed: how many entries were removed.
 * Errors: QUIRE_EINVAL (cutoff), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_audit_purge_before(int64_t* out_removed, quire_ctx* ctx,
                                                   const char* cutoff);

/* ---- Permissions --------------------------------------------------------------------------
 * Permissions are strings ("post.update"); roles bundle them; grants give one user "read",
 * "write" or "admin" on one item (resource type "post" and its id as decimal text). */

/* Every permission quire knows, in the order of the built-in matrix.
 * *out_json_array: ["post.create", ...]; release with quire_free. */
QUIRE_EXPORT quire_status quire_permission_all(char** out_json_array);

/* Whether the context's actor may do `permission` (on the resource, when resource_type and
 * resource_id are not NULL), and why. A denial is not an error. "post.read" and "version.read" on
 * an unpublished post are denied to those who would not find it with quire_post_get.
 * *out_json: {"allowed":false,"reason":"denied: role author lacks post.update on a post owned by
 * user 7"}; release with quire_free.
 * Errors: QUIRE_EINVAL (unknown permission, one of resource_type/resource_id NULL),
 * QUIRE_ENOTFOUND (no such post in the context's tenant). */
QUIRE_EXPORT quire_status quire_permission_check(char** out_json, quire_ctx* ctx,
                                                 const char* permission, const char* resource_type,
                                                 const char* resource_id);

/* Gives a member a level ("read", "write", "admin") on one item (needs member.manage).
 * *out_json: {"tenant_id":1,"resource_type":"post","resource_id":"42","user_id":7,
 * "level":"write"}; release with quire_free.
 * Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND (the user is not a member, or no such post),
 * QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_permission_grant(char** out_json, quire_ctx* ctx, int64_t user_id,
                                                 const char* resource_type, const char* resource_id,
                                                 const char* level);

/* Takes a grant back. Errors: QUIRE_EINVAL, QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_permission_revoke(quire_ctx* ctx, int64_t user_id,
                                                  const char* resource_type,
                                                  const char* resource_id);

/* The built-in roles and the tenant's custom ones.
 * *out_json_array: [{"name":"editor","permissions":["post.create", ...],"builtin":true}, ...];
 * release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_permission_roles(char** out_json_array, quire_ctx* ctx);

/* Defines or redefines a custom role (needs role.manage).
 *   permissions_json: a JSON array of known permissions, none beyond the definer's own.
 * *out_json: the role record; release with quire_free.
 * Errors: QUIRE_EINVAL (name, permissions_json, a built-in role's name), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_permission_define_role(char** out_json, quire_ctx* ctx,
                                                       const char* name,
                                                       const char* permissions_json);

/* Deletes a custom role.
 * Errors: QUIRE_EINVAL (a built-in role), QUIRE_ENOTFOUND, QUIRE_ECONFLICT (a member still has
 * it), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_permission_delete_role(quire_ctx* ctx, const char* name);

/* ---- API keys -----------------------------------------------------------------------------
 * Keys for programs, managed by members with key.manage. The key text is shown once; quire
 * keeps only its hash. */

/* Creates a key.
 *   key_json: {"name":"ci" (required), "scopes":["post.read", ...] (required, none beyond the
 *              creator's own), "expires_at":"..." | null}
 * *out_json: {"text":"qk_..._...","key":{api key record}}; release with quire_free.
 * Errors: QUIRE_EINVAL (name, unknown scope, expiry in the past), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_key_create(char** out_json, quire_ctx* ctx, const char* key_json);

/* The tenant's keys, revoked and expired ones included.
 * *out_json_array: an array of api key records; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_key_list(char** out_json_array, quire_ctx* ctx);

/* Revokes a key at once.
 * *out_json: the api key record; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_key_revoke(char** out_json, quire_ctx* ctx, int64_t key_id);

/* A new secret for the same key; the old text stops working at once.
 * *out_json: {"text":"qk_..._...","key":{api key record}}; release with quire_free.
 * Errors: QUIRE_EINVAL (ctx), QUIRE_ENOTFOUND, QUIRE_ECONFLICT (revoked), QUIRE_EPERM. */
QUIRE_EXPORT quire_status quire_key_rotate(char** out_json, quire_ctx* ctx, int64_t key_id);
/* END GENERATED declarations */

#ifdef __cplusplus
}
#endif

#endif /* QUIRE_H */
