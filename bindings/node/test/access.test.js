'use strict';
// Audit, permissions, API keys, sign-in.
const test = require('node:test');
const assert = require('node:assert/strict');
const { quire, world, quireError } = require('./helpers');

test('audit: query, head, verify, export', () => {
  const { db, admin, ctx, users } = world({ ann: 'admin', bob: 'author' });
  const ann = ctx.ann.withRequest({ ip: '192.0.2.1', userAgent: 'ua/1', requestId: 'req-9' });
  const post = ann.posts.create({ title: 'Audited', body: 'text' });
  ann.posts.update(post.id, { expectedVersion: 1, title: 'Audited twice' });
  assert.throws(() => ctx.bob.posts.publish(post.id), (e) => ['QUIRE_EPERM', 'QUIRE_ENOTFOUND'].includes(e.code));

  const page = ann.audit.query({ resourceType: 'post', limit: 50 });
  assert.ok(page.items.length >= 3);
  // newest first: bob's denied publish, then ann's update
  assert.equal(page.items[0].action, 'post.publish');
  assert.equal(page.items[0].outcome, 'denied');
  assert.equal(page.items[0].actorId, users.bob.id);
  assert.equal(ann.audit.query({ outcome: 'denied' }).items.length, 1);
  const e = page.items[1];
  assert.equal(e.action, 'post.update');
  assert.equal(e.outcome, 'ok');
  assert.equal(e.resourceId, String(post.id));
  assert.equal(e.actorType, 'user');
  assert.equal(e.actorId, users.ann.id);
  assert.equal(e.ip, '192.0.2.1');
  assert.equal(e.userAgent, 'ua/1');
  assert.equal(e.requestId, 'req-9');
  assert.ok(e.at instanceof Date);
  assert.match(e.hash, /^[0-9a-f]{64}$/);
  assert.equal(typeof e.seq, 'number');
  // old/new values are the record's own JSON: snake_case keys kept
  assert.ok(e.newValues === null || typeof e.newValues === 'object');
  assert.equal(ann.audit.query({ resourceType: 'post', resourceId: post.id, action: 'post.create' }).items.length, 1);
  assert.equal(ann.audit.query({ limit: 1 }).items.length, 1);
  assert.ok(ann.audit.query({ limit: 1 }).nextCursor);
  assert.equal(ann.audit.query({ since: new Date(Date.now() + 3600e3) }).items.length, 0);
  assert.throws(() => ann.audit.query({ outcome: 'maybe' }), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.bob.audit.query(), quireError('QUIRE_EPERM'));

  const head = ann.audit.head();
  assert.equal(typeof head.seq, 'number');
  assert.match(head.hash, /^[0-9a-f]{64}$/);
  const v = ann.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.checked, head.seq);
  assert.equal(v.firstBadSeq, null);
  assert.equal(ann.audit.verify(head).ok, true);
  assert.equal(ann.audit.verify({ seq: head.seq + 5, hash: head.hash }).ok, false);
  const jsonl = ann.audit.export();
  assert.equal(jsonl.trim().split('\n').length, head.seq);
  assert.equal(JSON.parse(jsonl.split('\n')[0]).seq, 1);
  assert.match(ann.audit.export('csv').split('\n')[0], /seq/);
  assert.match(ann.audit.export({ format: 'csv' }), /post\.create/);
  const chunks = [];
  ann.audit.exportTo('jsonl', (chunk) => chunks.push(chunk));
  assert.equal(chunks.join(''), jsonl);
  assert.throws(() => ann.audit.exportTo('jsonl', () => { throw new Error('disk full'); }), /disk full/);
  assert.throws(() => ann.audit.export('xml'), quireError('QUIRE_EINVAL'));
  // the system chain (tenant-less system context)
  assert.ok(admin.audit.query().items.some((x) => x.action === 'user.create' && x.tenantId === 0));
  assert.ok(db.system('acme').audit.query({ action: 'tenant.create' }).items.length === 1);
  assert.equal(admin.audit.purgeBefore(new Date(0)), 0);
  db.close();
});

test('permissions: check, grant, revoke, roles', () => {
  const { db, ctx, users } = world({ ann: 'admin', bob: 'author', cat: 'viewer' });
  assert.ok(quire.allPermissions().includes('post.create'));
  const post = ctx.ann.posts.create({ title: 'Shared' });
  const yes = ctx.ann.permissions.check('post.publish');
  assert.equal(yes.allowed, true);
  assert.match(yes.reason, /allowed/);
  const no = ctx.bob.permissions.check('post.update', ['post', post.id]);
  assert.equal(no.allowed, false);
  assert.match(no.reason, /denied/);
  const grant = ctx.ann.permissions.grant(users.bob.id, ['post', post.id], 'write');
  assert.deepEqual(
    { level: grant.level, resourceType: grant.resourceType, resourceId: grant.resourceId, userId: grant.userId },
    { level: 'write', resourceType: 'post', resourceId: String(post.id), userId: users.bob.id },
  );
  assert.equal(ctx.bob.permissions.check('post.update', { type: 'post', id: post.id }).allowed, true);
  ctx.ann.permissions.revoke(users.bob.id, { type: 'post', id: String(post.id) });
  assert.equal(ctx.bob.permissions.check('post.update', ['post', post.id]).allowed, false);
  assert.throws(() => ctx.ann.permissions.revoke(users.bob.id, ['post', post.id]), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ctx.ann.permissions.check('post.fly'), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.ann.permissions.check('post.update', 'post'), TypeError);
  assert.throws(() => ctx.ann.permissions.grant(users.bob.id, ['post', post.id], 'god'), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.bob.permissions.grant(users.cat.id, ['post', post.id], 'read'), quireError('QUIRE_EPERM'));

  const roles = ctx.ann.permissions.roles();
  assert.ok(roles.find((r) => r.name === 'editor' && r.builtin));
  const role = ctx.ann.permissions.defineRole('reviewer', ['post.read', 'post.update']);
  assert.deepEqual(role.permissions.sort(), ['post.read', 'post.update']);
  assert.equal(role.builtin, false);
  assert.throws(() => ctx.ann.permissions.defineRole('editor', ['post.read']), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.ann.permissions.defineRole('x', 'post.read'), TypeError);
  ctx.ann.permissions.deleteRole('reviewer');
  assert.throws(() => ctx.ann.permissions.deleteRole('reviewer'), quireError('QUIRE_ENOTFOUND'));
  db.close();
});

test('keys: create, contextFromKey, list, rotate, revoke', () => {
  const { db, ctx } = world({ ann: 'admin' });
  const { text, key } = ctx.ann.keys.create({ name: 'ci', scopes: ['post.read', 'post.create'] });
  assert.match(text, /^qk_/);
  assert.equal(key.name, 'ci');
  assert.equal(key.useCount, 0);
  assert.equal(key.expiresAt, null);
  assert.ok(key.createdAt instanceof Date);
  const kctx = db.contextFromKey(text, { requestId: 'k-1' });
  assert.equal(kctx.info().actorType, 'api_key');
  const p = kctx.posts.create({ title: 'By a robot' });
  assert.equal(p.title, 'By a robot');
  ctx.ann.posts.publish(p.id);
  assert.equal(kctx.posts.get(p.id).title, 'By a robot');
  assert.throws(() => kctx.posts.publish(p.id), quireError('QUIRE_EPERM'));
  const second = ctx.ann.keys.create('deploy', ['post.read'], { expiresAt: new Date(Date.now() + 86400e3) });
  assert.ok(second.key.expiresAt instanceof Date);
  assert.equal(ctx.ann.keys.list().length, 2);
  const rotated = ctx.ann.keys.rotate(key.id);
  assert.notEqual(rotated.text, text);
  assert.throws(() => db.contextFromKey(text), quireError('QUIRE_EAUTH'));
  db.contextFromKey(rotated.text);
  assert.ok(ctx.ann.keys.revoke(key.id).revokedAt instanceof Date);
  assert.throws(() => db.contextFromKey(rotated.text), quireError('QUIRE_EAUTH'));
  assert.throws(() => ctx.ann.keys.rotate(key.id), quireError('QUIRE_ECONFLICT'));
  assert.throws(() => ctx.ann.keys.revoke(999), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ctx.ann.keys.create({ name: 'bad', scopes: ['post.fly'] }), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.ann.keys.create({ name: 'bad' }), TypeError);
  assert.throws(() => db.contextFromKey('qk_nonsense'), quireError('QUIRE_EAUTH'));
  db.close();
});

test('sign-in: login, contextFromToken, logout, rotateTokenSecret', () => {
  const { db, users } = world({ ann: 'editor' });
  const session = db.login('acme', 'ann', 'ann password', { ip: '203.0.113.5' });
  assert.equal(typeof session.token, 'string');
  assert.ok(session.expiresAt instanceof Date);
  assert.ok(session.expiresAt > new Date());
  assert.equal(session.userId, users.ann.id);
  assert.equal(session.context.info().actorId, users.ann.id);
  assert.equal(session.context.info().ip, '203.0.113.5');
  const byEmail = db.login('acme', 'ann@acme.test', 'ann password');
  const again = db.contextFromToken(session.token, { requestId: 'r-5' });
  assert.equal(again.info().requestId, 'r-5');
  db.contextFromToken(session.token, { expectedTenant: 'acme' });
  assert.throws(() => db.contextFromToken(session.token, { expectedTenant: 'other' }), (e) => ['QUIRE_EAUTH', 'QUIRE_ENOTFOUND'].includes(e.code));
  db.logout(session.token);
  assert.throws(() => db.contextFromToken(session.token), quireError('QUIRE_EAUTH'));
  db.contextFromToken(byEmail.token);
  db.rotateTokenSecret();
  assert.throws(() => db.contextFromToken(byEmail.token), quireError('QUIRE_EAUTH'));
  assert.throws(() => db.login('acme', 'ann', 'wrong password'), quireError('QUIRE_EAUTH'));
  assert.throws(() => db.login('acme', 'nobody', 'whatever pw'), quireError('QUIRE_EAUTH'));
  assert.throws(() => db.contextFromToken('not.a.token'), quireError('QUIRE_EAUTH'));
  assert.throws(() => db.login('acme', 'ann', 42), TypeError);
  assert.throws(() => db.contextFromToken(null), TypeError);
  db.close();
});
