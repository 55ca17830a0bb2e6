'use strict';
// The regular methods of the engines and the JSON inputs' field checkers. index.js's engine
// classes extend these and add the hand-written methods (those the definition marks "manual").
// Generated from capi/quire.abi.json by scripts/gen_abi.py: do not edit, run scripts/quire gen.

const C = require('./convert');

const { decode, T, toC } = C;
const json = JSON.stringify;
const id = C.integer;

// The fields of each JSON input of the C ABI, camelCase, with their checkers (convert.js's T).
const FIELDS = {
  options_json: {
    synchronous: T.string,
    readerConnections: T.int,
    busyTimeoutMs: T.int,
    walAutocheckpointPages: T.int,
    defaultPlan: T.string,
  },
  options_plan: {
    name: T.string,
    maxMembers: T.int,
    maxPosts: T.int,
  },
  options_passwords: {
    opslimit: T.int,
    memlimit: T.int,
    maxConcurrent: T.int,
  },
  context_json: {
    tenant: T.tenant,
    user: T.int,
    ip: T.string,
    userAgent: T.string,
    requestId: T.string,
  },
  request_json: {
    ip: T.string,
    userAgent: T.string,
    requestId: T.string,
  },
  tenant_json: {
    slug: T.string,
    name: T.string,
    plan: T.string,
    domain: T.nstring,
    settings: T.object,
  },
  tenant_patch: {
    name: T.string,
    plan: T.string,
    domain: T.nstring,
    settings: T.object,
  },
  tenant_query: {
    includeInactive: T.bool,
    includeDeleted: T.bool,
    limit: T.int,
    cursor: T.nstring,
  },
  invitation_query: {
    limit: T.int,
    cursor: T.nstring,
  },
  user_json: {
    username: T.string,
    email: T.string,
    password: T.string,
    displayName: T.string,
  },
  user_patch: {
    username: T.string,
    email: T.string,
    displayName: T.string,
  },
  user_query: {
    limit: T.int,
    cursor: T.nstring,
  },
  post_json: {
    title: T.string,
    body: T.string,
    type: T.string,
    slug: T.string,
    status: T.string,
    tags: T.strings,
    category: T.nstring,
    excerpt: T.nstring,
    seo: T.object,
    fields: T.object,
    parentId: T.nint,
  },
  post_patch: {
    title: T.string,
    body: T.string,
    slug: T.string,
    tags: T.strings,
    category: T.nstring,
    excerpt: T.nstring,
    seo: T.object,
    fields: T.object,
    parentId: T.nint,
  },
  post_query: {
    type: T.string,
    status: T.string,
    authorId: T.int,
    category: T.string,
    tag: T.string,
    parentId: T.nint,
    since: T.time,
    until: T.time,
    deleted: T.bool,
    order: T.string,
    limit: T.int,
    cursor: T.nstring,
  },
  audit_query: {
    actorType: T.string,
    actorId: T.int,
    action: T.string,
    resourceType: T.string,
    resourceId: T.string,
    outcome: T.string,
    since: T.time,
    until: T.time,
    limit: T.int,
    cursor: T.nstring,
  },
  head_json: {
    seq: T.int,
    hash: T.string,
  },
  key_json: {
    name: T.string,
    scopes: T.strings,
    expiresAt: T.ntime,
  },
};

// The engine bases, over the addon `native`.
function engines(native) {
  class TenantsMethods {
    constructor(ctx) {
      Object.defineProperty(this, '_ctx', { value: ctx });
    }
    create(tenant) {
      return decode(native.tenant_create(this._ctx._h, json(toC(tenant, 'tenant', FIELDS.tenant_json))));
    }
    get(slugOrId) {
      return decode(native.tenant_get(this._ctx._h, C.tenant(slugOrId)));
    }
    getByDomain(domain) {
      return decode(native.tenant_get_by_domain(this._ctx._h, C.string(domain, 'domain')));
    }
    list(query) {
      return decode(native.tenant_list(this._ctx._h, json(toC(query, 'query', FIELDS.tenant_query))));
    }
    update(slugOrId, fields) {
      return decode(native.tenant_update(this._ctx._h, C.tenant(slugOrId), json(toC(fields, 'fields', FIELDS.tenant_patch))));
    }
    deactivate(slugOrId) {
      return decode(native.tenant_deactivate(this._ctx._h, C.tenant(slugOrId)));
    }
    activate(slugOrId) {
      return decode(native.tenant_activate(this._ctx._h, C.tenant(slugOrId)));
    }
    delete(slugOrId) {
      return decode(native.tenant_delete(this._ctx._h, C.tenant(slugOrId)));
    }
    restore(slugOrId) {
      return decode(native.tenant_restore(this._ctx._h, C.tenant(slugOrId)));
    }
    addMember(tenant, userId, role) {
      return decode(native.member_add(this._ctx._h, C.tenant(tenant), id(userId, 'userId'), C.string(role, 'role')));
    }
    setRole(tenant, userId, role) {
      return decode(native.member_set_role(this._ctx._h, C.tenant(tenant), id(userId, 'userId'), C.string(role, 'role')));
    }
    removeMember(tenant, userId) {
      native.member_remove(this._ctx._h, C.tenant(tenant), id(userId, 'userId'));
    }
    members(tenant) {
      return decode(native.member_list(this._ctx._h, C.tenant(tenant)));
    }
    invite(tenant, email, role) {
      return decode(native.invitation_create(this._ctx._h, C.tenant(tenant), C.string(email, 'email'), C.string(role, 'role')));
    }
    listInvitations(tenant, query) {
      return decode(native.invitation_list(this._ctx._h, C.tenant(tenant), json(toC(query, 'query', FIELDS.invitation_query))));
    }
    revokeInvitation(tenant, invitationId) {
      return decode(native.invitation_revoke(this._ctx._h, C.tenant(tenant), id(invitationId, 'invitationId')));
    }
    acceptInvitation(token) {
      return decode(native.invitation_accept(this._ctx._h, C.string(token, 'token')));
    }
  }
  class UsersMethods {
    constructor(ctx) {
      Object.defineProperty(this, '_ctx', { value: ctx });
    }
    create(user) {
      return decode(native.user_create(this._ctx._h, json(toC(user, 'user', FIELDS.user_json))));
    }
    list(query) {
      return decode(native.user_list(this._ctx._h, json(toC(query, 'query', FIELDS.user_query))));
    }
    update(userId, fields) {
      return decode(native.user_update(this._ctx._h, id(userId, 'userId'), json(toC(fields, 'fields', FIELDS.user_patch))));
    }
    setPassword(userId, password) {
      native.user_set_password(this._ctx._h, id(userId, 'userId'), C.string(password, 'password'));
    }
    deactivate(userId) {
      return decode(native.user_deactivate(this._ctx._h, id(userId, 'userId')));
    }
    activate(userId) {
      return decode(native.user_activate(this._ctx._h, id(userId, 'userId')));
    }
  }
  class PostsMethods {
    constructor(ctx) {
      Object.defineProperty(this, '_ctx', { value: ctx });
    }
    create(post) {
      return decode(native.post_create(this._ctx._h, json(toC(post, 'post', FIELDS.post_json))));
    }
    get(postId) {
      return decode(native.post_get(this._ctx._h, id(postId, 'postId')));
    }
    recordView(postId) {
      return decode(native.post_record_view(this._ctx._h, id(postId, 'postId')));
    }
    submit(postId) {
      return decode(native.post_submit(this._ctx._h, id(postId, 'postId')));
    }
    publish(postId) {
      return decode(native.post_publish(this._ctx._h, id(postId, 'postId')));
    }
    unpublish(postId) {
      return decode(native.post_unpublish(this._ctx._h, id(postId, 'postId')));
    }
    archive(postId) {
      return decode(native.post_archive(this._ctx._h, id(postId, 'postId')));
    }
    schedule(postId, at) {
      return decode(native.post_schedule(this._ctx._h, id(postId, 'postId'), C.time(at, 'at')));
    }
    delete(postId) {
      return decode(native.post_delete(this._ctx._h, id(postId, 'postId')));
    }
    restore(postId) {
      return decode(native.post_restore(this._ctx._h, id(postId, 'postId')));
    }
    purge(postId) {
      native.post_purge(this._ctx._h, id(postId, 'postId'));
    }
    list(query) {
      return decode(native.post_list(this._ctx._h, json(toC(query, 'query', FIELDS.post_query))));
    }
    categories() {
      return decode(native.post_categories(this._ctx._h));
    }
    tags() {
      return decode(native.post_tags(this._ctx._h));
    }
    sitemap() {
      return native.post_sitemap(this._ctx._h);
    }
  }
  class VersionsMethods {
    constructor(ctx) {
      Object.defineProperty(this, '_ctx', { value: ctx });
    }
    list(postId) {
      return decode(native.version_list(this._ctx._h, id(postId, 'postId')));
    }
    get(postId, number) {
      return decode(native.version_get(this._ctx._h, id(postId, 'postId'), id(number, 'number')));
    }
    diff(postId, from, to) {
      return decode(native.version_diff(this._ctx._h, id(postId, 'postId'), id(from, 'from'), id(to, 'to')));
    }
    restore(postId, number) {
      return decode(native.version_restore(this._ctx._h, id(postId, 'postId'), id(number, 'number')));
    }
    autosaveGet(postId) {
      return decode(native.version_autosave_get(this._ctx._h, id(postId, 'postId')));
    }
    discard(postId) {
      native.version_discard(this._ctx._h, id(postId, 'postId'));
    }
  }
  class AuditMethods {
    constructor(ctx) {
      Object.defineProperty(this, '_ctx', { value: ctx });
    }
    head() {
      return decode(native.audit_head(this._ctx._h));
    }
  }
  class PermissionsMethods {
    constructor(ctx) {
      Object.defineProperty(this, '_ctx', { value: ctx });
    }
    roles() {
      return decode(native.permission_roles(this._ctx._h));
    }
    deleteRole(name) {
      native.permission_delete_role(this._ctx._h, C.string(name, 'name'));
    }
  }
  class KeysMethods {
    constructor(ctx) {
      Object.defineProperty(this, '_ctx', { value: ctx });
    }
    list() {
      return decode(native.key_list(this._ctx._h));
    }
    revoke(keyId) {
      return decode(native.key_revoke(this._ctx._h, id(keyId, 'keyId')));
    }
  }
  return { TenantsMethods, UsersMethods, PostsMethods, VersionsMethods, AuditMethods, PermissionsMethods, KeysMethods };
}

module.exports = { FIELDS, engines };
