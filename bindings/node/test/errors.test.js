'use strict';
// Every status code the library can be made to return, and misuse that must throw (a TypeError or
// a QuireError), never crash.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { quire, openDb, world, quireError, tempDir, CHEAP } = require('./helpers');

function hasPython() {
  try {
    execFileSync('python3', ['-c', 'import sqlite3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('QUIRE_EQUOTA: the plan limits posts and members', () => {
  const db = openDb({ plans: [{ name: 'tiny', maxMembers: 1, maxPosts: 1 }], defaultPlan: 'tiny' });
  const admin = db.system();
  admin.tenants.create({ slug: 'tiny', name: 'Tiny' });
  const sys = db.system('tiny');
  sys.posts.create({ title: 'The only one' });
  assert.throws(() => sys.posts.create({ title: 'One too many' }), quireError('QUIRE_EQUOTA'));
  const a = admin.users.create({ username: 'qa', email: 'qa@t.test', password: 'qa password' });
  const b = admin.users.create({ username: 'qb', email: 'qb@t.test', password: 'qb password' });
  admin.tenants.addMember('tiny', a.id, 'owner');
  assert.throws(() => admin.tenants.addMember('tiny', b.id, 'viewer'), quireError('QUIRE_EQUOTA'));
  db.close();
});

test('QUIRE_EBUSY: a write from another context while a transaction holds the lock', () => {
  const { db, admin } = world({}, { busyTimeoutMs: 50 });
  const other = db.system();
  // db.transaction runs on a transaction handle, which may be ended from any thread: a write
  // through another context waits for its lock, and is busy after the busy timeout.
  assert.throws(
    () =>
      db.transaction(admin, (tx) => {
        tx.tenants.create({ slug: 'inside', name: 'Inside' });
        other.tenants.create({ slug: 'outside', name: 'Outside' });
      }),
    quireError('QUIRE_EBUSY'),
  );
  // two database handles on one file
  const dir = tempDir();
  const url = `sqlite:${path.join(dir, 'busy.db')}`;
  const one = quire.open(url, { busyTimeoutMs: 50, ...CHEAP });
  const two = quire.open(url, { busyTimeoutMs: 50, ...CHEAP });
  const s1 = one.system();
  const s2 = two.system();
  assert.throws(
    () =>
      one.transaction(s1, (tx) => {
        tx.tenants.create({ slug: 'first', name: 'First' });
        s2.tenants.create({ slug: 'second', name: 'Second' });
      }),
    quireError('QUIRE_EBUSY'),
  );
  s2.tenants.create({ slug: 'second', name: 'Second' });
  one.close();
  two.close();
  db.close();
});

test('QUIRE_ESTORAGE: a database that cannot be opened', () => {
  assert.throws(() => quire.open('sqlite:/nonexistent-dir/sub/x.db'), quireError('QUIRE_ESTORAGE'));
});

test('QUIRE_ECORRUPT: a database file with damaged pages', () => {
  const file = path.join(tempDir(), 'damaged.db');
  const db = quire.open(`sqlite:${file}`, CHEAP);
  db.system().tenants.create({ slug: 'acme', name: 'Acme' });
  const sys = db.system('acme');
  for (let i = 0; i < 50; i++) sys.posts.create({ title: `Post ${i}`, body: 'x'.repeat(3000) });
  db.close();
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  const junk = Buffer.alloc(4096, 0xa5);
  for (let at = 4096 * 3; at < size; at += 4096 * 2) fs.writeSync(fd, junk, 0, 4096, at);
  fs.closeSync(fd);
  assert.throws(() => {
    const again = quire.open(`sqlite:${file}`, CHEAP);
    const s = again.system('acme');
    s.posts.list();
    for (let id = 1; id <= 50; id++) s.posts.get(id);
  }, quireError('QUIRE_ECORRUPT'));
});

test('QUIRE_ECORRUPT / QUIRE_ENOTSUP: damaged files and newer schemas', { skip: !hasPython() && 'python3 sqlite3 missing' }, () => {
  const dir = tempDir();
  // not a database at all
  const junk = path.join(dir, 'junk.db');
  fs.writeFileSync(junk, Buffer.alloc(8192, 0x5a));
  assert.throws(() => quire.open(`sqlite:${junk}`, CHEAP), (e) => ['QUIRE_ECORRUPT', 'QUIRE_ESTORAGE'].includes(e.code));
  // a file written by a newer quire
  const newer = path.join(dir, 'newer.db');
  quire.open(`sqlite:${newer}`, CHEAP).close();
  execFileSync('python3', [
    '-c',
    'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("insert into schema_version values (999, 0)"); c.commit()',
    newer,
  ]);
  assert.throws(() => quire.open(`sqlite:${newer}`, CHEAP), quireError('QUIRE_ENOTSUP'));
  // a stored JSON column edited behind quire's back: the C ABI embeds it as it is, so its output
  // is not JSON; the binding reports that as QUIRE_ECORRUPT
  const edited = path.join(dir, 'edited.db');
  const db = quire.open(`sqlite:${edited}`, CHEAP);
  db.system().tenants.create({ slug: 'acme', name: 'Acme' });
  db.close();
  execFileSync('python3', [
    '-c',
    'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update tenants set settings = \'{not json\'"); c.commit()',
    edited,
  ]);
  const again = quire.open(`sqlite:${edited}`, CHEAP);
  assert.throws(() => again.system().tenants.get('acme'), quireError('QUIRE_ECORRUPT'));
  again.close();
});

test('QUIRE_EINTERNAL and QUIRE_ENOTSUP have names (EINTERNAL is a bug: not reachable on purpose)', () => {
  assert.equal(quire.statusName(quire.codes.QUIRE_EINTERNAL), 'QUIRE_EINTERNAL');
  assert.equal(quire.statusName(quire.codes.QUIRE_ENOTSUP), 'QUIRE_ENOTSUP');
});

test('misuse: closed databases', () => {
  const { db, admin, ctx } = world({ ann: 'admin' });
  db.close();
  assert.throws(() => db.system(), quireError('QUIRE_EINVAL', /closed/));
  assert.throws(() => db.context({ tenant: 'acme', user: 1 }), quireError('QUIRE_EINVAL', /closed/));
  assert.throws(() => db.login('acme', 'ann', 'ann password'), quireError('QUIRE_EINVAL'));
  assert.throws(() => db.transaction(admin, () => {}), quireError('QUIRE_EINVAL'));
  assert.throws(() => admin.tenants.get('acme'), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.ann.posts.create({ title: 'Late' }), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.ann.posts.list(), quireError('QUIRE_EINVAL'));
  assert.throws(() => ctx.ann.audit.verify(), quireError('QUIRE_EINVAL'));
  ctx.ann.free();
  admin.free();
  db.close();
});

test('misuse: handles that are not handles, wrong types, NUL bytes', () => {
  const db = openDb();
  const admin = db.system();
  // a Context around something that is not a context handle
  for (const bogus of [{}, 1, null, 'ctx']) {
    const fake = new quire.Context(bogus, db);
    assert.throws(() => fake.info(), TypeError);
    assert.throws(() => fake.tenants.list(), TypeError);
    assert.throws(() => fake.free(), TypeError);
  }
  assert.throws(() => new quire.Database({}).system(), TypeError);
  assert.throws(() => admin.tenants.get('ac\0me'), TypeError);
  assert.throws(() => admin.tenants.create(null), quireError('QUIRE_EINVAL'));
  assert.throws(() => admin.tenants.create('acme'), TypeError);
  assert.throws(() => admin.tenants.create({ slug: 'x'.repeat(70), name: 'Long' }), quireError('QUIRE_EINVAL'));
  assert.throws(() => admin.users.get(2 ** 60), TypeError);
  assert.throws(() => admin.users.get(Infinity), TypeError);
  assert.throws(() => admin.users.get(1n << 70n), RangeError);
  assert.throws(() => admin.users.get(-1), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => admin.posts.get(1), (e) => e instanceof quire.QuireError);
  assert.throws(() => admin.tenants.list({ limit: 1.5 }), TypeError);
  assert.throws(() => admin.tenants.list([]), TypeError);
  assert.throws(() => admin.tenants.create({ slug: 'deep', name: 'Deep', settings: JSON.parse('['.repeat(150) + ']'.repeat(150)) }), TypeError);
  let nested = {};
  const root = nested;
  for (let i = 0; i < 150; i++) nested = nested.a = {};
  assert.throws(() => admin.tenants.create({ slug: 'deep', name: 'Deep', settings: root }), quireError('QUIRE_EINVAL'));
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => admin.tenants.create({ slug: 'cyc', name: 'Cyc', settings: cyclic }), TypeError);
  db.close();
});

test('error facts: read from quire_last_error_json, camelCase, null when absent', () => {
  const { db, admin, ctx } = world({ ann: 'admin', vic: 'viewer' });
  const facts = (e) => ({
    currentVersion: e.currentVersion,
    permission: e.permission,
    role: e.role,
    quota: e.quota,
    limit: e.limit,
    plan: e.plan,
    field: e.field,
    retryable: e.retryable,
  });
  const none = { currentVersion: null, permission: null, role: null, quota: null, limit: null, plan: null, field: null, retryable: null };
  const caught = (fn) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof quire.QuireError, String(err));
      return err;
    }
    throw new Error('expected a throw');
  };

  const post = ctx.ann.posts.create({ title: 'Draft' });
  ctx.ann.posts.update(post.id, { expectedVersion: post.version, title: 'Second' });
  const conflict = caught(() => ctx.ann.posts.update(post.id, { expectedVersion: post.version, title: 'Stale' }));
  assert.equal(conflict.code, 'QUIRE_ECONFLICT');
  assert.deepEqual(facts(conflict), { ...none, currentVersion: post.version + 1 });

  const denied = caught(() => ctx.vic.posts.create({ title: 'Not allowed' }));
  assert.equal(denied.code, 'QUIRE_EPERM');
  assert.deepEqual(facts(denied), { ...none, permission: 'post.create', role: 'viewer' });

  const invalid = caught(() => admin.tenants.create({ slug: 'Bad Slug', name: 'Bad' }));
  assert.equal(invalid.code, 'QUIRE_EINVAL');
  assert.deepEqual(facts(invalid), { ...none, field: 'slug' });

  const missing = caught(() => admin.tenants.get('missing'));
  assert.deepEqual(facts(missing), none);
  // an error the binding makes has the attributes too
  const closedTx = db.begin(admin);
  closedTx.commit();
  assert.deepEqual(facts(caught(() => closedTx.commit())), none);
  db.close();

  const tiny = openDb({ plans: [{ name: 'tiny', maxMembers: 1, maxPosts: 1 }], defaultPlan: 'tiny' });
  tiny.system().tenants.create({ slug: 'tiny', name: 'Tiny' });
  const sys = tiny.system('tiny');
  sys.posts.create({ title: 'The only one' });
  const quota = caught(() => sys.posts.create({ title: 'One too many' }));
  assert.equal(quota.code, 'QUIRE_EQUOTA');
  assert.deepEqual(facts(quota), { ...none, quota: 'posts', limit: 1, plan: 'tiny' });
  tiny.close();
});

test('error facts: a denial inside a transaction, and a busy writer', () => {
  const { db, ctx } = world({ vic: 'viewer' }, { busyTimeoutMs: 50 });
  const tx = db.begin(ctx.vic);
  assert.throws(() => tx.context.posts.create({ title: 'No' }), (e) => e.permission === 'post.create' && e.role === 'viewer');
  const other = db.system();
  assert.throws(() => other.tenants.create({ slug: 'blocked', name: 'B' }), (e) => e.code === 'QUIRE_EBUSY' && e.retryable === null);
  tx.rollback();
  db.close();
});
