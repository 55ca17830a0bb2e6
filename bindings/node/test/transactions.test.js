'use strict';
// Explicit transactions as handles: db.begin(ctx) → {context, commit(), rollback()}, and
// db.transaction(ctx, fn) built on it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { quire, openDb, world, quireError } = require('./helpers');

test('begin: commit keeps everything, rollback nothing', () => {
  const { db, admin } = world({});
  const tx = db.begin(admin);
  assert.ok(tx instanceof quire.Transaction);
  assert.ok(tx.context instanceof quire.Context);
  tx.context.tenants.create({ slug: 'one', name: 'One' });
  tx.context.tenants.update('acme', { name: 'Renamed' });
  assert.equal(tx.context.tenants.get('one').name, 'One'); // seen inside before the commit
  tx.commit();
  assert.equal(admin.tenants.get('one').name, 'One');
  assert.equal(admin.tenants.get('acme').name, 'Renamed');

  const undone = db.begin(admin);
  undone.context.tenants.create({ slug: 'two', name: 'Two' });
  undone.context.posts; // every engine hangs off the transaction's context
  undone.rollback();
  assert.throws(() => admin.tenants.get('two'), quireError('QUIRE_ENOTFOUND'));
  db.close();
});

test('begin: the context works with every engine, and withRequest joins the transaction', () => {
  const { db, ctx } = world({ ann: 'admin' });
  const tx = db.begin(ctx.ann);
  const post = tx.context.posts.create({ title: 'Inside', body: 'text' });
  tx.context.versions.snapshot(post.id, 'first');
  tx.context.withRequest({ requestId: 'in-tx' }).posts.create({ title: 'Derived' });
  assert.equal(tx.context.audit.verify().ok, true);
  assert.equal(tx.context.permissions.check('post.create').allowed, true);
  tx.rollback();
  assert.equal(ctx.ann.posts.list().items.length, 0);
  db.close();
});

test('begin: after the end, the transaction and its context refuse', () => {
  const { db, admin } = world({});
  const tx = db.begin(admin);
  const derived = tx.context.withRequest({ requestId: 'r' });
  tx.commit();
  assert.throws(() => tx.commit(), quireError('QUIRE_EINVAL', /the transaction has ended/));
  assert.throws(() => tx.rollback(), quireError('QUIRE_EINVAL', /the transaction has ended/));
  assert.throws(() => tx.context.tenants.get('acme'), quireError('QUIRE_EINVAL', /the transaction has ended/));
  assert.throws(() => derived.tenants.get('acme'), quireError('QUIRE_EINVAL', /the transaction has ended/));
  assert.throws(() => db.begin(tx.context), quireError('QUIRE_EINVAL', /the transaction has ended/));
  tx.context.free(); // the transaction's: does nothing
  assert.equal(tx.context.live, true);
  db.close();
});

test('begin: nested on a transaction context is a savepoint', () => {
  const { db, admin } = world({});
  const tx = db.begin(admin);
  tx.context.tenants.create({ slug: 'outer', name: 'Outer' });
  const inner = db.begin(tx.context);
  inner.context.tenants.create({ slug: 'undone', name: 'Undone' });
  assert.equal(tx.context.tenants.get('undone').name, 'Undone');
  inner.rollback();
  assert.throws(() => tx.context.tenants.get('undone'), quireError('QUIRE_ENOTFOUND'));
  const kept = db.begin(tx.context);
  kept.context.tenants.create({ slug: 'kept', name: 'Kept' });
  kept.commit();
  tx.commit();
  assert.equal(admin.tenants.get('outer').name, 'Outer');
  assert.equal(admin.tenants.get('kept').name, 'Kept');
  assert.throws(() => admin.tenants.get('undone'), quireError('QUIRE_ENOTFOUND'));
  db.close();
});

test('begin: a failed operation inside undoes only itself; the rest commits', () => {
  const { db, admin } = world({});
  const tx = db.begin(admin);
  tx.context.tenants.create({ slug: 'before', name: 'Before' });
  assert.throws(() => tx.context.tenants.create({ slug: 'acme', name: 'Dup' }), quireError('QUIRE_EEXISTS'));
  tx.context.tenants.create({ slug: 'after', name: 'After' });
  tx.commit();
  assert.equal(admin.tenants.get('before').name, 'Before');
  assert.equal(admin.tenants.get('after').name, 'After');
  assert.equal(admin.tenants.get('acme').name, 'Acme Corp');
  db.close();
});

test('begin: another writer waits for an open transaction; a context of another database is refused', () => {
  const { db, admin } = world({}, { busyTimeoutMs: 50 });
  const other = db.system();
  const elsewhere = openDb();
  const tx = db.begin(admin);
  tx.context.tenants.create({ slug: 'locked', name: 'Locked' });
  assert.throws(() => other.tenants.create({ slug: 'blocked', name: 'Blocked' }), quireError('QUIRE_EBUSY'));
  elsewhere.system().tenants.create({ slug: 'free', name: 'Free' }); // another database: no wait
  tx.commit();
  other.tenants.create({ slug: 'unblocked', name: 'Unblocked' });

  assert.throws(() => db.begin(elsewhere.system()), quireError('QUIRE_EINVAL', /another database/));
  assert.throws(() => db.transaction(elsewhere.system(), () => {}), quireError('QUIRE_EINVAL', /another database/));
  assert.throws(() => db.begin({}), TypeError);
  elsewhere.close();
  db.close();
});

test('begin: closing the database rolls an open transaction back', () => {
  const { db, admin } = world({});
  const tx = db.begin(admin);
  tx.context.tenants.create({ slug: 'lost', name: 'Lost' });
  db.close();
  assert.throws(() => tx.commit(), quireError('QUIRE_EINVAL', /the transaction has ended/));
  const again = quire.open(db.url, require('./helpers').CHEAP);
  assert.throws(() => again.system().tenants.get('lost'), quireError('QUIRE_ENOTFOUND'));
  again.close();
});

test('begin: an unreachable open transaction is rolled back by the garbage collector', { skip: !global.gc && 'needs --expose-gc' }, () => {
  const { db, admin } = world({}, { busyTimeoutMs: 2000 });
  (() => {
    const tx = db.begin(admin);
    tx.context.tenants.create({ slug: 'forgotten', name: 'Forgotten' });
  })();
  global.gc();
  // The finalizers run after this turn; writing waits for the lock until they have.
  return new Promise((resolve) => setImmediate(resolve)).then(() => {
    global.gc();
    admin.tenants.create({ slug: 'later', name: 'Later' });
    assert.throws(() => admin.tenants.get('forgotten'), quireError('QUIRE_ENOTFOUND'));
    db.close();
  });
});
