'use strict';
// quire for Node.js: a synchronous binding over the C ABI (quire.h) through a Node-API addon.
// The addon (src/addon.cpp) is generic — handles, JSON text, status → error; this file gives it
// the shape of the Python binding in camelCase: records as plain objects with Date times, option
// objects for keyword arguments, TypeError for values of the wrong JavaScript type.

const path = require('node:path');
const C = require('./lib/convert');
const generated = require('./lib/generated');

// ---- Loading the addon ------------------------------------------------------------------------

function loadAddon() {
  const candidates = process.env.QUIRE_NODE_ADDON
    ? [path.resolve(process.env.QUIRE_NODE_ADDON)]
    : [path.join(__dirname, 'build', 'quire.node'), path.join(__dirname, 'build', 'Release', 'quire.node')];
  let lastError;
  for (const file of candidates) {
    try {
      return require(file);
    } catch (err) {
      if (err && err.code !== 'MODULE_NOT_FOUND') throw err;
      lastError = err;
    }
  }
  const e = new Error(
    `quire: the native addon is not built (looked for ${candidates.join(', ')}); ` +
      'build it with `npm run build` in bindings/node (see its README)',
  );
  e.cause = lastError;
  throw e;
}

const native = loadAddon();
// The engines' regular methods, generated from capi/quire.abi.json (scripts/quire gen).
const G = generated.engines(native);
const { FIELDS } = generated;

if (native.abiVersion() !== native.builtAbiVersion) {
  throw new Error(
    `quire: the addon was built for ABI ${native.builtAbiVersion} but libquire has ABI ` +
      `${native.abiVersion()}; rebuild the addon`,
  );
}

// ---- Errors -----------------------------------------------------------------------------------

// Every failure the library reports: `code` is the status name ("QUIRE_ENOTFOUND"), `status` the
// numeric status (-2), `message` the library's one-line message; `detail` the backend's code when
// there is one. The facts a program acts on come from quire_last_error_json's "details", read once
// when the error is made (lastErrorJson, which the addon passes): each is null when the failure
// does not set it, and no message is ever parsed.
const FACTS = [
  ['current_version', 'currentVersion'],
  ['permission', 'permission'],
  ['role', 'role'],
  ['quota', 'quota'],
  ['limit', 'limit'],
  ['plan', 'plan'],
  ['field', 'field'],
  ['retryable', 'retryable'],
];

class QuireError extends Error {
  constructor(message, lastErrorJson) {
    super(message);
    this.name = 'QuireError';
    const details = lastErrorJson ? JSON.parse(lastErrorJson).details : {};
    for (const [key, name] of FACTS) this[name] = details[key] ?? null;
  }
}
native.setErrorClass(QuireError);

C.hooks.badOutput = (err) => {
  const e = new QuireError(`the library returned a record that is not valid JSON (${err.message}): stored data is damaged`);
  e.code = 'QUIRE_ECORRUPT';
  e.status = -10;
  return e;
};

const codes = Object.freeze({
  QUIRE_OK: 0,
  QUIRE_EINVAL: -1,
  QUIRE_ENOTFOUND: -2,
  QUIRE_EEXISTS: -3,
  QUIRE_ECONFLICT: -4,
  QUIRE_EPERM: -5,
  QUIRE_EAUTH: -6,
  QUIRE_EQUOTA: -7,
  QUIRE_EBUSY: -8,
  QUIRE_ESTORAGE: -9,
  QUIRE_ECORRUPT: -10,
  QUIRE_EINTERNAL: -11,
  QUIRE_ENOTSUP: -12,
});

// ---- Helpers ----------------------------------------------------------------------------------

const { decode, T, toC } = C;
const json = JSON.stringify;
const id = C.integer;

function requestJson(request, name) {
  const r = toC(request, name, { ip: T.string, userAgent: T.string, requestId: T.string });
  return Object.keys(r).length === 0 ? null : json(r);
}

// A resource for permission calls: ['post', 42] or {type: 'post', id: 42}.
function resource(value, name) {
  let type;
  let rid;
  if (Array.isArray(value) && value.length === 2) {
    [type, rid] = value;
  } else if (C.isPlainObject(value)) {
    ({ type, id: rid } = value);
  } else {
    throw C.fail(name, "a resource: ['post', id] or {type, id}", value);
  }
  C.string(type, `${name} type`);
  if (typeof rid === 'number' || typeof rid === 'bigint') rid = String(C.integer(rid, `${name} id`));
  C.string(rid, `${name} id`);
  return [type, rid];
}

function withText(text) {
  const r = decode(text);
  return { text: r.text, key: r.key };
}

// ---- Engines ----------------------------------------------------------------------------------
// Each extends its generated base (lib/generated.js), which has the regular methods; here are the
// methods of irregular shape (the definition marks them "manual").

class Tenants extends G.TenantsMethods {}

class Users extends G.UsersMethods {
  // By id (a number) or by username (a string).
  get(idOrUsername) {
    if (typeof idOrUsername === 'string') {
      return decode(native.user_get_by_username(this._ctx._h, idOrUsername));
    }
    return decode(native.user_get(this._ctx._h, id(idOrUsername, 'idOrUsername')));
  }
}

const EXPECTED = new Set(['expectedVersion']);

class Posts extends G.PostsMethods {
  // getBySlug(slug, {type}) or getBySlug(slug, type); the type defaults to "post".
  getBySlug(slug, options) {
    let type = null;
    if (typeof options === 'string') type = options;
    else if (options !== undefined && options !== null) {
      type = C.optString(C.options(options, 'options').type, 'options.type');
    }
    return decode(native.post_get_by_slug(this._ctx._h, C.string(slug, 'slug'), type));
  }
  // update(id, {expectedVersion, ...fields}): fails with QUIRE_ECONFLICT when the version moved.
  update(postId, fields) {
    const opts = C.options(fields, 'fields');
    if (opts.expectedVersion === undefined) {
      throw new TypeError('fields.expectedVersion must be an integer (the version being edited)');
    }
    const expected = id(opts.expectedVersion, 'fields.expectedVersion');
    const patch = toC(opts, 'fields', FIELDS.post_patch, EXPECTED);
    return decode(native.post_update(this._ctx._h, id(postId, 'postId'), expected, json(patch)));
  }
  // publishDue(now?) or publishDue({now}): the posts it published.
  publishDue(now) {
    if (C.isPlainObject(now)) now = now.now;
    return decode(native.post_publish_due(this._ctx._h, C.optTime(now, 'now')));
  }
  // search(query, {limit = 20}) → [{postId, type, slug, title, snippet, score}]
  search(query, options) {
    const o = C.options(typeof options === 'number' ? { limit: options } : options, 'options');
    const limit = o.limit === undefined ? 20 : id(o.limit, 'options.limit');
    return decode(native.post_search(this._ctx._h, C.string(query, 'query'), limit));
  }
  // feed({format = 'rss', limit = 20}) → XML text
  feed(options) {
    const o = C.options(typeof options === 'string' ? { format: options } : options, 'options');
    const format = o.format === undefined ? 'rss' : C.string(o.format, 'options.format');
    const limit = o.limit === undefined ? 20 : id(o.limit, 'options.limit');
    return native.post_feed(this._ctx._h, format, limit);
  }
}

class Versions extends G.VersionsMethods {
  snapshot(postId, summary) {
    if (C.isPlainObject(summary)) summary = summary.summary;
    return decode(
      native.version_snapshot(this._ctx._h, id(postId, 'postId'), C.optString(summary, 'summary')),
    );
  }
  // autosave(postId, {title, body}) or autosave(postId, title, body)
  autosave(postId, title, body) {
    if (C.isPlainObject(title)) ({ title, body } = title);
    return decode(
      native.version_autosave(
        this._ctx._h,
        id(postId, 'postId'),
        C.string(title, 'title'),
        C.string(body, 'body'),
      ),
    );
  }
  // promote(postId, expectedVersion) or promote(postId, {expectedVersion})
  promote(postId, expectedVersion) {
    if (C.isPlainObject(expectedVersion)) expectedVersion = expectedVersion.expectedVersion;
    return decode(
      native.version_promote(
        this._ctx._h,
        id(postId, 'postId'),
        id(expectedVersion, 'expectedVersion'),
      ),
    );
  }
}

class Audit extends G.AuditMethods {
  query(query) {
    const q = toC(query, 'query', {
      ...FIELDS.audit_query,
      resourceId: (v, n) => (typeof v === 'number' || typeof v === 'bigint' ? String(T.int(v, n)) : T.string(v, n)),
    });
    return decode(native.audit_query(this._ctx._h, json(q)));
  }
  // verify(head?) with a head published earlier ({seq, hash}) → {ok, checked, firstBadSeq, problem}
  verify(head) {
    let h = null;
    if (head !== undefined && head !== null) {
      const o = toC(head, 'head', FIELDS.head_json);
      h = json(o);
    }
    return decode(native.audit_verify(this._ctx._h, h));
  }
  // export(format = 'jsonl' | 'csv') → text
  export(format) {
    if (C.isPlainObject(format)) format = format.format;
    return native.audit_export(this._ctx._h, format === undefined ? 'jsonl' : C.string(format, 'format'));
  }
  // exportTo(format, write): streams the export to write(chunk), a line or record at a time.
  exportTo(format, write) {
    if (typeof write !== 'function') throw C.fail('write', 'a function', write);
    native.audit_export_to(this._ctx._h, C.string(format, 'format'), write);
  }
  // Retention (system context): removes the entries older than cutoff → how many.
  purgeBefore(cutoff) {
    return native.audit_purge_before(this._ctx._h, C.time(cutoff, 'cutoff'));
  }
}

class Permissions extends G.PermissionsMethods {
  // check(permission, resource?) → {allowed, reason}; resource: ['post', id] or {type, id}
  check(permission, res) {
    C.string(permission, 'permission');
    if (res === undefined || res === null) {
      return decode(native.permission_check(this._ctx._h, permission, null, null));
    }
    const [type, rid] = resource(res, 'resource');
    return decode(native.permission_check(this._ctx._h, permission, type, rid));
  }
  grant(userId, res, level) {
    const [type, rid] = resource(res, 'resource');
    return decode(
      native.permission_grant(this._ctx._h, id(userId, 'userId'), type, rid, C.string(level, 'level')),
    );
  }
  revoke(userId, res) {
    const [type, rid] = resource(res, 'resource');
    native.permission_revoke(this._ctx._h, id(userId, 'userId'), type, rid);
  }
  defineRole(name, permissions) {
    C.T.strings(permissions, 'permissions');
    return decode(native.permission_define_role(this._ctx._h, C.string(name, 'name'), json(permissions)));
  }
}

class Keys extends G.KeysMethods {
  // create({name, scopes, expiresAt}) or create(name, scopes, {expiresAt}) → {text, key}
  create(name, scopes, options) {
    let spec;
    if (C.isPlainObject(name)) spec = name;
    else spec = { ...C.options(options, 'options'), name, scopes };
    if (spec.name === undefined) throw new TypeError('name must be a string');
    if (spec.scopes === undefined) throw new TypeError('scopes must be an array of strings');
    return withText(native.key_create(this._ctx._h, json(toC(spec, 'key', FIELDS.key_json))));
  }
  rotate(keyId) {
    return withText(native.key_rotate(this._ctx._h, id(keyId, 'keyId')));
  }
}

// ---- Context and Database ---------------------------------------------------------------------

// Who acts, and where. Engines hang off it: ctx.tenants, ctx.users, ctx.posts, ctx.versions,
// ctx.audit, ctx.permissions, ctx.keys. Freed when garbage-collected, or at once with free().
class Context {
  #tenants;
  #users;
  #posts;
  #versions;
  #audit;
  #permissions;
  #keys;
  constructor(handle, db) {
    // The addon's handle (an External); not part of the API.
    Object.defineProperty(this, '_h', { value: handle });
    Object.defineProperty(this, 'database', { value: db, enumerable: false });
  }
  get tenants() {
    return (this.#tenants ??= new Tenants(this));
  }
  get users() {
    return (this.#users ??= new Users(this));
  }
  get posts() {
    return (this.#posts ??= new Posts(this));
  }
  get versions() {
    return (this.#versions ??= new Versions(this));
  }
  get audit() {
    return (this.#audit ??= new Audit(this));
  }
  get permissions() {
    return (this.#permissions ??= new Permissions(this));
  }
  get keys() {
    return (this.#keys ??= new Keys(this));
  }
  // {tenantId, actorType, actorId, ip, userAgent, requestId}
  info() {
    return decode(native.ctx_info(this._h));
  }
  // The same actor and tenant with other request metadata ({ip, userAgent, requestId}).
  withRequest(request) {
    const r = requestJson(request, 'request') ?? '{}';
    return new Context(native.ctx_with_request(this._h, r), this.database);
  }
  // As db.transaction(this, fn).
  transaction(fn) {
    return this.database.transaction(this, fn);
  }
  // Releases the context now (otherwise the garbage collector does); later calls fail with
  // QUIRE_EINVAL. Idempotent.
  free() {
    native.ctx_free(this._h);
  }
  get live() {
    return native.ctx_is_live(this._h);
  }
}

function context(value, name = 'ctx') {
  if (!(value instanceof Context)) throw C.fail(name, 'a quire Context', value);
  return value;
}

// Rolls back after the body threw. It fails only when the transaction has ended already (the body
// closed the database, say): then nothing is left to undo, and the body's error is the one to see.
function rollbackQuietly(tx) {
  try {
    tx.rollback();
  } catch {
    // ended already
  }
}

function invalid(message) {
  const e = new QuireError(message);
  e.code = 'QUIRE_EINVAL';
  e.status = codes.QUIRE_EINVAL;
  return e;
}

// An explicit transaction, from db.begin(ctx): everything done through `context` (and contexts
// made from it with withRequest) commits together on commit(), and nothing does on rollback().
// While it is open it holds the database's write lock, so end it: one left open is rolled back only
// when the garbage collector frees it. After the end, every call through its context throws
// QUIRE_EINVAL ("the transaction has ended").
class Transaction {
  #h;
  constructor(handle, db) {
    this.#h = handle;
    Object.defineProperty(this, 'context', {
      value: new Context(native.tx_context(handle), db),
      enumerable: true,
    });
  }
  commit() {
    native.tx_commit(this.#h);
  }
  rollback() {
    native.tx_rollback(this.#h);
  }
}

class Database {
  #h;
  constructor(handle, url) {
    this.#h = handle;
    Object.defineProperty(this, 'url', { value: url, enumerable: true });
  }
  // The administration context (skips permission checks); with a tenant, acting inside it.
  system(tenant) {
    const t = tenant === undefined || tenant === null ? null : C.tenant(tenant);
    return new Context(native.db_system(this.#h, t), this);
  }
  // context({tenant, user, ip, userAgent, requestId}): a user the host has authenticated.
  context(spec) {
    const o = C.options(spec, 'context');
    if (o.tenant === undefined) throw new TypeError('context.tenant must be a tenant slug or id');
    if (o.user === undefined) throw new TypeError('context.user must be a user id');
    const c = toC(o, 'context', {
      tenant: T.tenant,
      user: T.int,
      ip: T.string,
      userAgent: T.string,
      requestId: T.string,
    });
    return new Context(native.db_context(this.#h, json(c)), this);
  }
  // userContext(user, {ip, userAgent, requestId}?): a user the host has authenticated, acting in no
  // tenant, on their own account: to read and update it and to accept invitations.
  userContext(user, request) {
    return new Context(native.db_user_context(this.#h, C.integer(user, 'user'), requestJson(request, 'request')), this);
  }
  // login(tenant, usernameOrEmail, password, request?) → {token, context, expiresAt, tenantId, userId}
  login(tenant, usernameOrEmail, password, request) {
    const [handle, session] = native.db_login(
      this.#h,
      C.tenant(tenant),
      C.string(usernameOrEmail, 'usernameOrEmail'),
      C.string(password, 'password'),
      requestJson(request, 'request'),
    );
    const s = decode(session);
    return { token: s.token, context: new Context(handle, this), expiresAt: s.expiresAt, tenantId: s.tenantId, userId: s.userId };
  }
  // contextFromToken(token, {expectedTenant, ip, userAgent, requestId}?)
  contextFromToken(token, options) {
    const o = { ...C.options(options, 'options') };
    const expected = o.expectedTenant === undefined || o.expectedTenant === null ? null : C.tenant(o.expectedTenant, 'options.expectedTenant');
    delete o.expectedTenant;
    return new Context(
      native.db_context_from_token(this.#h, C.string(token, 'token'), requestJson(o, 'options'), expected),
      this,
    );
  }
  // contextFromKey(key, {ip, userAgent, requestId}?): a context with exactly the key's scopes.
  contextFromKey(key, request) {
    return new Context(native.db_context_from_key(this.#h, C.string(key, 'key'), requestJson(request, 'request')), this);
  }
  logout(token) {
    native.db_logout(this.#h, C.string(token, 'token'));
  }
  // Every session token signed before stops working.
  rotateTokenSecret() {
    native.db_rotate_token_secret(this.#h);
  }
  // begin(ctx) → a Transaction acting as ctx; on a transaction's context, a nested one (a
  // savepoint: its rollback undoes only its own part).
  begin(ctx) {
    context(ctx);
    if (ctx.database !== this) throw invalid('ctx is a context of another database');
    return new Transaction(native.tx_begin(ctx._h), this);
  }
  // transaction(ctx, fn): fn(tx) runs in one transaction begun by begin(ctx); what it returns is
  // returned and the transaction commits; a throw rolls back and is rethrown. fn must be
  // synchronous: the transaction ends when it returns. Use tx (not ctx) inside fn.
  transaction(ctx, fn) {
    if (typeof fn !== 'function') throw C.fail('fn', 'a function', fn);
    const tx = this.begin(ctx);
    let result;
    try {
      result = fn(tx.context);
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        throw new TypeError('the transaction body must be synchronous (it returned a promise)');
      }
    } catch (err) {
      rollbackQuietly(tx);
      throw err;
    }
    tx.commit();
    return result;
  }
  // Waits for the operations in flight, closes the connections and releases the handle.
  // Afterwards calls on the database throw QUIRE_EINVAL, and so do calls through its contexts.
  // Idempotent.
  close() {
    native.db_close(this.#h);
  }
  get open() {
    return native.db_is_open(this.#h);
  }
}

// open(url, {synchronous, readerConnections, busyTimeoutMs, walAutocheckpointPages, defaultPlan,
//            plans: [{name, maxMembers, maxPosts}], passwords: {opslimit, memlimit, maxConcurrent}})
function open(url, options) {
  C.string(url, 'url');
  return new Database(native.db_open(url, openOptions(options)), url);
}

// migrate(url, options): brings the schema up to date and closes the database; returns the schema
// version. A deployment step: on PostgreSQL, with the schema owner's URL (open() refuses it).
function migrate(url, options) {
  C.string(url, 'url');
  return native.db_migrate(url, openOptions(options));
}

function openOptions(options) {
  const o = C.options(options, 'options');
  return Object.keys(o).length === 0 ? null : json(C.snakeDeep(o));
}

// Every permission quire knows.
function allPermissions() {
  return JSON.parse(native.permission_all());
}

module.exports = {
  open,
  migrate,
  Database,
  Context,
  Transaction,
  QuireError,
  codes,
  allPermissions,
  version: native.libraryVersion(),
  abiVersion: native.abiVersion(),
  statusName: (status) => native.statusName(status),
};
