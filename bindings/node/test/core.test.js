'use strict';
// The module, databases, contexts, tenants, memberships, users and transactions.
const test = require('node:test');
const assert = require('node:assert/strict');
const { quire, openDb, world, quireError, CHEAP } = require('./helpers');

test('module: version, ABI, codes and status names', () => {
  assert.match(quire.version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof quire.abiVersion, 'number');
  for (const [name, status] of Object.entries(quire.codes)) assert.equal(quire.statusName(status), name);
  assert.equal(quire.statusName(-99), 'QUIRE_UNKNOWN');
  assert.ok(new quire.QuireError('x') instanceof Error);
});

test('open: options in camelCase, memory databases, close is idempotent', () => {
  const db = quire.open('sqlite::memory:', {
    synchronous: 'normal',
    readerConnections: 2,
    busyTimeoutMs: 1000,
    defaultPlan: 'small',
    plans: [{ name: 'small', maxMembers: 3, maxPosts: 10 }],
    ...CHEAP,
  });
  assert.equal(db.open, true);
  assert.equal(db.url, 'sqlite::memory:');
  const t = db.system().tenants.create({ slug: 'mem', name: 'Memory' });
  assert.equal(t.plan, 'small');
  db.close();
  db.close();
  assert.equal(db.open, false);
  assert.throws(() => quire.open('sqlite::memory:', { readerConnections: 'x' }), quireError('QUIRE_EINVAL'));
  assert.throws(() => quire.open('sqlite::memory:', { nope: 1 }), quireError('QUIRE_EINVAL', /nope/));
  assert.throws(() => quire.open('mysql://x'), quireError('QUIRE_EINVAL'));
  assert.throws(() => quire.open(42), TypeError);
  assert.throws(() => quire.open('sqlite::memory:', 'fast'), TypeError);
});

test('tenants: create, get, getByDomain, list, update, lifecycle', () => {
  const db = openDb();
  const admin = db.system();
  const acme = admin.tenants.create({
    slug: 'acme',
    name: 'Acme Corp',
    plan: 'pro',
    domain: 'acme.test',
    settings: { base_url: 'https://acme.test', themeColor: 'red', nested: { a_b: [1, 2] } },
  });
  assert.equal(acme.slug, 'acme');
  assert.equal(acme.isActive, true);
  assert.ok(acme.createdAt instanceof Date);
  assert.equal(acme.deletedAt, null);
  // settings is the caller's object: its keys are not renamed
  assert.deepEqual(acme.settings, { base_url: 'https://acme.test', themeColor: 'red', nested: { a_b: [1, 2] } });
  assert.deepEqual(admin.tenants.get('acme'), acme);
  assert.deepEqual(admin.tenants.get(acme.id), acme);
  assert.equal(admin.tenants.getByDomain('ACME.test').id, acme.id);
  admin.tenants.create({ slug: 'beta', name: 'Beta' });
  const page = admin.tenants.list({ limit: 1 });
  assert.equal(page.items.length, 1);
  assert.equal(typeof page.nextCursor, 'string');
  const rest = admin.tenants.list({ limit: 1, cursor: page.nextCursor });
  assert.equal(rest.items[0].slug, 'beta');
  assert.equal(admin.tenants.list().items.length, 2);
  const renamed = admin.tenants.update('acme', { name: 'Acme Inc', domain: null });
  assert.equal(renamed.name, 'Acme Inc');
  assert.equal(renamed.domain, null);
  assert.equal(admin.tenants.deactivate('beta').isActive, false);
  assert.equal(admin.tenants.activate('beta').isActive, true);
  assert.ok(admin.tenants.delete('beta').deletedAt instanceof Date);
  assert.equal(admin.tenants.list().items.length, 1);
  assert.equal(admin.tenants.list({ includeDeleted: true }).items.length, 2);
  assert.equal(admin.tenants.restore('beta').deletedAt, null);
  assert.throws(() => admin.tenants.get('nope'), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => admin.tenants.create({ slug: 'acme', name: 'Again' }), quireError('QUIRE_EEXISTS'));
  assert.throws(() => admin.tenants.create({ slug: 'Not A Slug', name: 'x' }), quireError('QUIRE_EINVAL', /slug/));
  assert.throws(() => admin.tenants.create({ slug: 'x1', name: 'x', slugg: 1 }), quireError('QUIRE_EINVAL', /slugg/));
  assert.throws(() => admin.tenants.create({ slug: 5, name: 'x' }), TypeError);
  assert.throws(() => admin.tenants.create({ slug: 'x2', name: 'x', settings: [] }), TypeError);
  assert.throws(() => admin.tenants.get({}), TypeError);
  assert.throws(() => admin.tenants.get(1.5), TypeError);
  db.close();
});

test('users and memberships', () => {
  const { db, admin, users, ctx } = world({ ann: 'admin', bob: 'author' });
  const ann = users.ann;
  assert.equal(ann.displayName, 'ANN');
  assert.equal(ann.password, undefined);
  assert.ok(ann.updatedAt instanceof Date);
  assert.deepEqual(admin.users.get(ann.id), ann);
  assert.deepEqual(admin.users.get('ann'), ann);
  assert.equal(admin.users.list().items.length, 2);
  assert.equal(admin.users.list({ limit: 1 }).items.length, 1);
  assert.equal(admin.users.update(ann.id, { displayName: 'Ann A.' }).displayName, 'Ann A.');
  admin.users.setPassword(ann.id, 'a new password');
  assert.equal(ctx.bob.users.update(users.bob.id, { displayName: 'Bobby' }).displayName, 'Bobby');
  assert.throws(() => ctx.bob.users.update(ann.id, { displayName: 'x' }), quireError('QUIRE_EPERM'));
  assert.throws(() => admin.users.get(9999), quireError('QUIRE_ENOTFOUND'));
  assert.throws(
    () => admin.users.create({ username: 'ann', email: 'other@acme.test', password: 'long enough' }),
    quireError('QUIRE_EEXISTS'),
  );
  assert.throws(() => admin.users.create({ username: 'x', email: 'x@acme.test', password: 'short' }), quireError('QUIRE_EINVAL', /password/));
  assert.throws(() => admin.users.setPassword(ann.id, 5), TypeError);
  assert.throws(() => admin.users.get(null), TypeError);

  const members = admin.tenants.members('acme');
  assert.deepEqual(members.map((m) => m.role), ['admin', 'author']);
  assert.ok(members[0].joinedAt instanceof Date);
  assert.equal(admin.tenants.setRole('acme', users.bob.id, 'editor').role, 'editor');
  assert.throws(() => admin.tenants.addMember('acme', users.bob.id, 'viewer'), quireError('QUIRE_EEXISTS'));
  assert.throws(() => admin.tenants.addMember('acme', users.bob.id, 'emperor'), quireError('QUIRE_EINVAL'));
  assert.throws(() => admin.tenants.addMember('acme', 'bob', 'viewer'), TypeError);
  admin.tenants.removeMember('acme', users.bob.id);
  assert.throws(() => admin.tenants.removeMember('acme', users.bob.id), quireError('QUIRE_ENOTFOUND'));
  // the removed user's context is refused from then on
  assert.throws(() => db.context({ tenant: 'acme', user: users.bob.id }), quireError('QUIRE_EPERM'));
  assert.equal(admin.users.deactivate(users.bob.id).isActive, false);
  assert.equal(admin.users.activate(users.bob.id).isActive, true);
  db.close();
});

test('invitations: an admin invites, the invitee accepts from their own context', () => {
  const { db, admin, users, ctx } = world({ ann: 'admin', bob: 'author' });
  const carol = admin.users.create({ username: 'carol', email: 'carol@acme.test', password: 'carol password' });
  assert.throws(() => ctx.ann.tenants.addMember('acme', carol.id, 'viewer'), quireError('QUIRE_EPERM', /invite/));
  const issued = ctx.ann.tenants.invite('acme', 'Carol@Acme.test', 'editor');
  assert.match(issued.token, /^qi_[A-Za-z0-9_-]{43}$/);
  assert.equal(issued.invitation.email, 'carol@acme.test');
  assert.equal(issued.invitation.invitedBy, users.ann.id);
  assert.ok(issued.invitation.expiresAt instanceof Date);
  assert.equal(issued.invitation.acceptedAt, null);
  const page = ctx.ann.tenants.listInvitations('acme', { limit: 10 });
  assert.deepEqual(page.items.map((i) => i.id), [issued.invitation.id]);
  assert.throws(() => db.userContext(users.bob.id).tenants.acceptInvitation(issued.token), quireError('QUIRE_EAUTH', /invitation is not valid/));
  const me = db.userContext(carol.id);
  const member = me.tenants.acceptInvitation(issued.token);
  assert.equal(member.userId, carol.id);
  assert.equal(member.role, 'editor');
  assert.throws(() => me.tenants.acceptInvitation(issued.token), quireError('QUIRE_EAUTH'));
  const other = ctx.ann.tenants.invite('acme', 'dan@acme.test', 'viewer');
  assert.ok(ctx.ann.tenants.revokeInvitation('acme', other.invitation.id).revokedAt instanceof Date);
  assert.equal(ctx.ann.tenants.listInvitations('acme').items.length, 0);
  assert.throws(() => db.userContext(424242), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => db.userContext('carol'), TypeError);
  db.close();
});

test('contexts: info, withRequest, free, system in a tenant', () => {
  const { db, admin, users, ctx } = world({ ann: 'admin' });
  const c = db.context({ tenant: 'acme', user: users.ann.id, ip: '10.0.0.1', userAgent: 'test/1', requestId: 'r-1' });
  assert.deepEqual(c.info(), {
    tenantId: 1,
    actorType: 'user',
    actorId: users.ann.id,
    ip: '10.0.0.1',
    userAgent: 'test/1',
    requestId: 'r-1',
  });
  const c2 = c.withRequest({ requestId: 'r-2' });
  assert.equal(c2.info().requestId, 'r-2');
  assert.equal(admin.info().tenantId, null);
  assert.equal(admin.info().actorType, 'system');
  const inTenant = db.system('acme');
  assert.equal(inTenant.info().tenantId, 1);
  assert.equal(db.system(1).info().tenantId, 1);
  assert.throws(() => db.system('nope'), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => db.context({ tenant: 'acme' }), TypeError);
  assert.throws(() => db.context({ tenant: 'acme', user: 'ann' }), TypeError);
  assert.throws(() => db.context({ tenant: 'acme', user: 999 }), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => db.context('acme'), TypeError);
  // a user context sees only its own tenant
  assert.equal(ctx.ann.tenants.list().items.length, 1);
  assert.throws(() => ctx.ann.tenants.create({ slug: 'other', name: 'Other' }), quireError('QUIRE_EPERM'));
  c.free();
  c.free();
  assert.equal(c.live, false);
  assert.throws(() => c.info(), quireError('QUIRE_EINVAL', /freed/));
  assert.throws(() => c.tenants.get('acme'), quireError('QUIRE_EINVAL'));
  // contexts made from it live on
  assert.equal(c2.info().requestId, 'r-2');
  db.close();
});

test('transactions: commit, rollback on throw, return value, nesting', () => {
  const { db, admin } = world({});
  const result = db.transaction(admin, (tx) => {
    tx.tenants.create({ slug: 'one', name: 'One' });
    tx.tenants.create({ slug: 'two', name: 'Two' });
    return 42;
  });
  assert.equal(result, 42);
  assert.equal(admin.tenants.get('two').name, 'Two');

  const boom = new Error('boom');
  assert.throws(
    () =>
      db.transaction(admin, (tx) => {
        tx.tenants.create({ slug: 'three', name: 'Three' });
        throw boom;
      }),
    (err) => err === boom,
  );
  assert.throws(() => admin.tenants.get('three'), quireError('QUIRE_ENOTFOUND'));
  // whatever is thrown comes back as is, primitives too
  assert.throws(
    () =>
      db.transaction(admin, (tx) => {
        tx.tenants.create({ slug: 'three', name: 'Three' });
        throw 'a plain string';
      }),
    (err) => err === 'a plain string',
  );
  assert.throws(() => admin.tenants.get('three'), quireError('QUIRE_ENOTFOUND'));
  assert.equal(db.transaction(admin, () => undefined), undefined);
  assert.equal(db.transaction(admin, () => 'text'), 'text');

  // a quire error inside the body is rethrown as is, and rolls back
  assert.throws(
    () =>
      admin.transaction((tx) => {
        tx.tenants.create({ slug: 'four', name: 'Four' });
        tx.tenants.create({ slug: 'one', name: 'Dup' });
      }),
    quireError('QUIRE_EEXISTS'),
  );
  assert.throws(() => admin.tenants.get('four'), quireError('QUIRE_ENOTFOUND'));

  // nested: the inner failure undoes only the inner work when the outer body catches it
  db.transaction(admin, (tx) => {
    tx.tenants.create({ slug: 'five', name: 'Five' });
    assert.throws(() =>
      tx.transaction((inner) => {
        inner.tenants.create({ slug: 'six', name: 'Six' });
        throw new Error('inner');
      }),
    );
  });
  assert.equal(admin.tenants.get('five').name, 'Five');
  assert.throws(() => admin.tenants.get('six'), quireError('QUIRE_ENOTFOUND'));

  // the tx context dies with the body
  let kept;
  db.transaction(admin, (tx) => {
    kept = tx;
  });
  assert.throws(() => kept.tenants.get('one'), quireError('QUIRE_EINVAL', /transaction/));
  kept.free(); // does nothing
  // an async body is refused and rolled back
  assert.throws(
    () =>
      db.transaction(admin, async (tx) => {
        tx.tenants.create({ slug: 'seven', name: 'Seven' });
      }),
    TypeError,
  );
  assert.throws(() => admin.tenants.get('seven'), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => db.transaction(admin, 'nope'), TypeError);
  assert.throws(() => db.transaction({}, () => {}), TypeError);
  // closing inside a body rolls the transaction back instead of waiting for it: the commit says so
  assert.throws(
    () =>
      db.transaction(admin, (tx) => {
        tx.tenants.create({ slug: 'eight', name: 'Eight' });
        db.close();
      }),
    quireError('QUIRE_EINVAL', /the transaction has ended/),
  );
  assert.equal(db.open, false);
  const again = quire.open(db.url, CHEAP);
  assert.throws(() => again.system().tenants.get('eight'), quireError('QUIRE_ENOTFOUND'));
  again.close();
});

test('close: from inside an export writer it fails at once, and the database stays open', () => {
  const db = openDb();
  const admin = db.system();
  admin.tenants.create({ slug: 'kept', name: 'Kept' });
  const errors = [];
  admin.audit.exportTo('csv', () => { // the header, at least
    try {
      db.close();
    } catch (err) {
      errors.push(err);
    }
  });
  assert.ok(errors.length > 0);
  for (const err of errors) {
    assert.equal(err.code, 'QUIRE_EINVAL');
    assert.match(err.message, /inside an operation of this database/);
  }
  assert.equal(db.open, true);
  assert.equal(admin.tenants.get('kept').slug, 'kept');
  db.close();
});
