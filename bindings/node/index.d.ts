// Types of quire's Node binding (bindings/node). Records are plain objects with camelCase keys and
// Date times; JSON-object fields (settings, seo, fields, oldValues, newValues) are the caller's own
// objects, their keys untouched. Ids are numbers (a bigint is accepted wherever an id goes in).

export type Id = number | bigint;
/** A tenant by slug ("acme") or by id. */
export type TenantRef = string | number | bigint;
/** A time: a Date, or RFC 3339 text ("2026-11-23T14:07:08.123Z"). */
export type TimeInput = Date | string;
export type JsonObject = { [key: string]: unknown };
/** A resource for permission checks and grants: ['post', 42] or {type: 'post', id: 42}. */
export type Resource = [type: string, id: Id | string] | { type: string; id: Id | string };

export type StatusCode =
  | 'QUIRE_EINVAL'
  | 'QUIRE_ENOTFOUND'
  | 'QUIRE_EEXISTS'
  | 'QUIRE_ECONFLICT'
  | 'QUIRE_EPERM'
  | 'QUIRE_EAUTH'
  | 'QUIRE_EQUOTA'
  | 'QUIRE_EBUSY'
  | 'QUIRE_ESTORAGE'
  | 'QUIRE_ECORRUPT'
  | 'QUIRE_EINTERNAL'
  | 'QUIRE_ENOTSUP';

/**
 * Every failure the library reports. A value of the wrong JavaScript type is a TypeError instead.
 * The facts (currentVersion ... retryable) come from quire_last_error_json's "details", read once
 * when the error is made; each is null when the failure does not set it.
 */
export class QuireError extends Error {
  constructor(message: string, lastErrorJson?: string | null);
  name: 'QuireError';
  /** The status name: "QUIRE_ENOTFOUND", ... */
  code: StatusCode;
  /** The numeric status of the C ABI: -2, ... */
  status: number;
  /** The backend's native code ("SQLITE_CONSTRAINT_UNIQUE"), when there is one. */
  detail?: string;
  /** QUIRE_ECONFLICT over an expectedVersion: the version the record is at. */
  currentVersion: number | null;
  /** QUIRE_EPERM: the permission lacking (or the action attempted, when the actor's standing failed). */
  permission: string | null;
  /** QUIRE_EPERM: the actor's role ("editor", "api_key"); null when the user is not a member. */
  role: string | null;
  /** QUIRE_EQUOTA: "members" or "posts". */
  quota: string | null;
  /** QUIRE_EQUOTA: the plan's limit. */
  limit: number | null;
  /** QUIRE_EQUOTA: the plan's name. */
  plan: string | null;
  /** QUIRE_EINVAL naming one field or argument: "title", "post_json.tags". */
  field: string | null;
  /** QUIRE_EBUSY: true when the whole transaction may simply run again (PostgreSQL serialization failure, deadlock). */
  retryable: boolean | null;
}

export const codes: Readonly<Record<'QUIRE_OK' | StatusCode, number>>;
/** The library's version, "MAJOR.MINOR.PATCH". */
export const version: string;
export const abiVersion: number;
export function statusName(status: number): string;
/** Every permission quire knows. */
export function allPermissions(): string[];

export interface OpenOptions {
  synchronous?: 'full' | 'normal';
  readerConnections?: number;
  busyTimeoutMs?: number;
  walAutocheckpointPages?: number;
  defaultPlan?: string;
  /** 0 = unlimited; replaces the built-in free/pro/enterprise list. */
  plans?: { name: string; maxMembers?: number; maxPosts?: number }[];
  /** argon2id cost. */
  passwords?: { opslimit?: number; memlimit?: number; maxConcurrent?: number };
}

/** Opens (creating if missing) a database: "sqlite:path/to/file.db" or "sqlite::memory:". */
export function open(url: string, options?: OpenOptions): Database;
/** Brings the schema up to date and closes the database; returns the schema version. On
 * PostgreSQL run it with the schema owner's URL: open() refuses the owner. */
export function migrate(url: string, options?: OpenOptions): number;

export interface RequestInfo {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

export interface ContextSpec extends RequestInfo {
  tenant: TenantRef;
  user: Id;
}

export interface Session {
  token: string;
  context: Context;
  expiresAt: Date;
  tenantId: number;
  userId: number;
}

export class Database {
  private constructor();
  readonly url: string;
  /** False once closed. */
  readonly open: boolean;
  /** The audited administration context, the only one that skips permission checks; with a tenant, acting inside it. */
  system(tenant?: TenantRef | null): Context;
  /** A user the host has authenticated, acting in a tenant. */
  context(spec: ContextSpec): Context;
  login(tenant: TenantRef, usernameOrEmail: string, password: string, request?: RequestInfo): Session;
  contextFromToken(token: string, options?: RequestInfo & { expectedTenant?: TenantRef }): Context;
  contextFromKey(key: string, request?: RequestInfo): Context;
  /** A user the host has authenticated, acting in no tenant: their own account, and accepting invitations. */
  userContext(user: Id, request?: RequestInfo): Context;
  logout(token: string): void;
  rotateTokenSecret(): void;
  /**
   * Begins a transaction acting as ctx (on a transaction's context: a nested one, a savepoint).
   * End it with commit() or rollback(): while open it holds the database's write lock.
   * Throws QUIRE_EINVAL for a context of another database.
   */
  begin(ctx: Context): Transaction;
  /** fn(tx) runs in one transaction begun by begin(ctx); its result is returned and the transaction commits; a throw rolls back and is rethrown. fn must be synchronous. */
  transaction<T>(ctx: Context, fn: (tx: Context) => T): T;
  /** Closes the connections and releases the handle; idempotent. Later calls throw QUIRE_EINVAL. */
  close(): void;
}

export class Context {
  private constructor();
  readonly database: Database;
  /** False once freed (a transaction's context is its transaction's: free() does nothing to it). */
  readonly live: boolean;
  readonly tenants: Tenants;
  readonly users: Users;
  readonly posts: Posts;
  readonly versions: Versions;
  readonly audit: Audit;
  readonly permissions: Permissions;
  readonly keys: Keys;
  info(): ContextInfo;
  withRequest(request: RequestInfo): Context;
  transaction<T>(fn: (tx: Context) => T): T;
  /** Releases the context now (the garbage collector does otherwise); idempotent. */
  free(): void;
}

/** An explicit transaction (Database.begin). After commit() or rollback(), every call through its context throws QUIRE_EINVAL. */
export class Transaction {
  private constructor();
  /** The context acting inside the transaction, usable with every engine. */
  readonly context: Context;
  /** Makes everything done through context durable (a nested transaction: part of its outer one). */
  commit(): void;
  /** Undoes everything done through context. */
  rollback(): void;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

// ---- records ------------------------------------------------------------------------------------
// BEGIN GENERATED records (from capi/quire.abi.json: do not edit, run scripts/quire gen)
export type PostStatus = 'draft' | 'in_review' | 'scheduled' | 'published' | 'archived';

export type PostOrder = '-published_at' | 'published_at' | '-updated_at' | 'updated_at' | '-created_at' | 'created_at' | 'title' | '-title';

export interface Tenant {
  id: number;
  slug: string;
  name: string;
  plan: string;
  domain: string | null;
  settings: JsonObject;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface User {
  id: number;
  username: string;
  email: string;
  displayName: string;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Member {
  tenantId: number;
  userId: number;
  role: string;
  joinedAt: Date;
}

export interface Invitation {
  id: number;
  tenantId: number;
  email: string;
  role: string;
  /** The inviting user; 0 for the system context or an API key. */
  invitedBy: number;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: number | null;
  revokedAt: Date | null;
}

export interface IssuedInvitation {
  /** 'qi_<43 base64url>': shown once; hand it to the invitee. */
  token: string;
  invitation: Invitation;
}

export interface Post {
  id: number;
  tenantId: number;
  type: string;
  parentId: number | null;
  slug: string;
  title: string;
  body: string;
  /** Given, or derived from the body; never null. */
  excerpt: string;
  status: PostStatus;
  /** 0: the system. */
  authorId: number;
  category: string | null;
  tags: string[];
  seo: JsonObject;
  fields: JsonObject;
  version: number;
  publishedVersion: number | null;
  /** Minutes. */
  readingTime: number;
  viewCount: number;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  scheduledAt: Date | null;
  deletedAt: Date | null;
}

export interface Version {
  postId: number;
  number: number;
  kind: 'create' | 'update' | 'restore' | 'manual';
  authorId: number;
  summary: string;
  createdAt: Date;
  /** Bytes of title and body. */
  size: number;
}

export interface Snapshot extends Version {
  title: string;
  body: string;
  slug: string;
  status: PostStatus;
  category: string | null;
  tags: string[];
  excerpt: string;
  seo: JsonObject;
  fields: JsonObject;
}

export interface DiffLine {
  kind: 'context' | 'added' | 'removed';
  text: string;
  noNewline: boolean;
}

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  lines: DiffLine[];
}

export interface Diff {
  from: number;
  to: number;
  /** Unified diff (GNU diff -u) of title and body. */
  text: string;
  changedFields: string[];
  added: number;
  removed: number;
  titleHunks: Hunk[];
  bodyHunks: Hunk[];
  /** The hunks and text stop after 20,000 lines or 1 MiB of line text; added and removed count all. */
  truncated: boolean;
}

export interface Autosave {
  postId: number;
  userId: number;
  title: string;
  body: string;
  baseVersion: number;
  savedAt: Date;
}

export interface AuditEntry {
  /** 0: the system chain. */
  tenantId: number;
  seq: number;
  at: Date;
  actorType: 'system' | 'user' | 'api_key';
  actorId: number;
  action: string;
  resourceType: string;
  resourceId: string;
  outcome: 'ok' | 'denied';
  oldValues: JsonObject | null;
  newValues: JsonObject | null;
  ip: string;
  userAgent: string;
  requestId: string;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface Verification {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  problem: string;
}

export interface SearchHit {
  postId: number;
  type: string;
  slug: string;
  title: string;
  snippet: string;
  score: number;
}

export interface NameCount {
  name: string;
  count: number;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface Grant {
  tenantId: number;
  resourceType: string;
  resourceId: string;
  userId: number;
  level: 'read' | 'write' | 'admin';
}

export interface Role {
  name: string;
  permissions: string[];
  builtin: boolean;
}

export interface ApiKey {
  id: number;
  tenantId: number;
  publicId: string;
  name: string;
  scopes: string[];
  createdBy: number;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  useCount: number;
}

export interface KeyWithText {
  /** 'qk_<public id>_<secret>': shown once. */
  text: string;
  key: ApiKey;
}

export interface ContextInfo {
  tenantId: number | null;
  actorType: 'system' | 'user' | 'api_key';
  actorId: number;
  ip: string;
  userAgent: string;
  requestId: string;
}
// END GENERATED records

// ---- engines ------------------------------------------------------------------------------------
// BEGIN GENERATED inputs (from capi/quire.abi.json: do not edit, run scripts/quire gen)
export interface NewTenant {
  slug: string;
  name: string;
  plan?: string;
  domain?: string | null;
  settings?: JsonObject;
}

export interface TenantFields {
  name?: string;
  plan?: string;
  domain?: string | null;
  settings?: JsonObject;
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  displayName?: string;
}

export interface UserFields {
  username?: string;
  email?: string;
  displayName?: string;
}

export interface NewPost {
  title: string;
  body?: string;
  type?: string;
  slug?: string;
  status?: PostStatus;
  tags?: string[];
  category?: string | null;
  /** null: derived from the body. */
  excerpt?: string | null;
  seo?: JsonObject;
  fields?: JsonObject;
  parentId?: number | null;
}

export interface PostFields {
  title?: string;
  body?: string;
  slug?: string;
  tags?: string[];
  category?: string | null;
  excerpt?: string | null;
  seo?: JsonObject;
  fields?: JsonObject;
  parentId?: number | null;
}

export interface PostQuery {
  type?: string;
  status?: PostStatus;
  authorId?: number;
  category?: string;
  tag?: string;
  /** null: top-level posts only. */
  parentId?: number | null;
  since?: TimeInput;
  until?: TimeInput;
  /** true: the trash. */
  deleted?: boolean;
  order?: PostOrder;
  limit?: number;
  cursor?: string | null;
}

export interface AuditQuery {
  actorType?: 'system' | 'user' | 'api_key';
  actorId?: number;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: 'ok' | 'denied';
  /** Inclusive. */
  since?: TimeInput;
  /** Exclusive. */
  until?: TimeInput;
  limit?: number;
  cursor?: string | null;
}

export interface NewKey {
  name: string;
  scopes: string[];
  expiresAt?: TimeInput | null;
}
// END GENERATED inputs

// BEGIN GENERATED engines (from capi/quire.abi.json: do not edit, run scripts/quire gen)
/** ctx.tenants: tenants (system context for most changes) and their memberships. */
export interface Tenants {
  create(tenant: NewTenant): Tenant;
  get(slugOrId: TenantRef): Tenant;
  getByDomain(domain: string): Tenant;
  list(query?: { includeInactive?: boolean; includeDeleted?: boolean; limit?: number; cursor?: string | null; }): Page<Tenant>;
  update(slugOrId: TenantRef, fields: TenantFields): Tenant;
  deactivate(slugOrId: TenantRef): Tenant;
  activate(slugOrId: TenantRef): Tenant;
  delete(slugOrId: TenantRef): Tenant;
  restore(slugOrId: TenantRef): Tenant;
  addMember(tenant: TenantRef, userId: Id, role: string): Member;
  setRole(tenant: TenantRef, userId: Id, role: string): Member;
  removeMember(tenant: TenantRef, userId: Id): void;
  members(tenant: TenantRef): Member[];
  invite(tenant: TenantRef, email: string, role: string): IssuedInvitation;
  listInvitations(tenant: TenantRef, query?: { limit?: number; cursor?: string | null; }): Page<Invitation>;
  revokeInvitation(tenant: TenantRef, invitationId: Id): Invitation;
  acceptInvitation(token: string): Member;
}

/** ctx.users: accounts (global; the system context manages them, a user their own). */
export interface Users {
  create(user: NewUser): User;
  list(query?: { limit?: number; cursor?: string | null; }): Page<User>;
  update(userId: Id, fields: UserFields): User;
  setPassword(userId: Id, password: string): void;
  deactivate(userId: Id): User;
  activate(userId: Id): User;
  /** By id (a number) or by username (a string). */
  get(idOrUsername: Id | string): User;
}

/** ctx.posts: the content of the context's tenant. */
export interface Posts {
  create(post: NewPost): Post;
  get(postId: Id): Post;
  recordView(postId: Id): Post;
  submit(postId: Id): Post;
  publish(postId: Id): Post;
  unpublish(postId: Id): Post;
  archive(postId: Id): Post;
  schedule(postId: Id, at: TimeInput): Post;
  delete(postId: Id): Post;
  restore(postId: Id): Post;
  purge(postId: Id): void;
  list(query?: PostQuery): Page<Post>;
  categories(): NameCount[];
  tags(): NameCount[];
  sitemap(): string;
  getBySlug(slug: string, options?: { type?: string } | string): Post;
  /** Fails with QUIRE_ECONFLICT when the post is no longer at expectedVersion. */
  update(postId: Id, fields: { expectedVersion: Id } & PostFields): Post;
  publishDue(now?: TimeInput | { now?: TimeInput }): Post[];
  search(query: string, options?: { limit?: number } | number): SearchHit[];
  /** RSS 2.0 ("rss", the default) or Atom ("atom") XML. */
  feed(options?: { format?: 'rss' | 'atom'; limit?: number } | 'rss' | 'atom'): string;
}

/** ctx.versions: the history of posts. */
export interface Versions {
  list(postId: Id): Version[];
  get(postId: Id, number: Id): Snapshot;
  diff(postId: Id, from: Id, to: Id): Diff;
  restore(postId: Id, number: Id): Post;
  autosaveGet(postId: Id): Autosave | null;
  discard(postId: Id): void;
  snapshot(postId: Id, summary?: string | null | { summary?: string | null }): Version;
  autosave(postId: Id, title: string, body: string): Autosave;
  autosave(postId: Id, content: { title: string; body: string }): Autosave;
  promote(postId: Id, expectedVersion: Id | { expectedVersion: Id }): Post;
}

/** ctx.audit: the tenant's tamper-evident trail (the system chain for the system context). */
export interface Audit {
  head(): AuditHead;
  /** Newest first. */
  query(query?: AuditQuery): Page<AuditEntry>;
  /** A broken chain is not an error: ok is false. With a head published earlier, a chain cut short is reported too. */
  verify(head?: AuditHead | null): Verification;
  /** The whole chain, oldest first. */
  export(format?: 'jsonl' | 'csv' | { format?: 'jsonl' | 'csv' }): string;
  /** The export streamed to write(chunk), in bounded memory. */
  exportTo(format: 'jsonl' | 'csv', write: (chunk: string) => void): void;
  /** Retention (system context): removes entries older than cutoff; returns how many. */
  purgeBefore(cutoff: TimeInput): number;
}

/** ctx.permissions: checks with reasons, per-item grants and custom roles. */
export interface Permissions {
  roles(): Role[];
  deleteRole(name: string): void;
  check(permission: string, resource?: Resource | null): Decision;
  grant(userId: Id, resource: Resource, level: 'read' | 'write' | 'admin'): Grant;
  revoke(userId: Id, resource: Resource): void;
  defineRole(name: string, permissions: string[]): Role;
}

/** ctx.keys: API keys of the tenant. The key text is returned once, by create and rotate. */
export interface Keys {
  list(): ApiKey[];
  revoke(keyId: Id): ApiKey;
  create(key: { name: string; scopes: string[]; expiresAt?: TimeInput | null }): KeyWithText;
  create(name: string, scopes: string[], options?: { expiresAt?: TimeInput | null }): KeyWithText;
  rotate(keyId: Id): KeyWithText;
}
// END GENERATED engines
