'use strict';
// No leak across the binding: 100,000 calls (post creates and gets, see below) must not grow the
// resident set by 10 MB or more once the garbage collector has run.
//
// A create is a durable write transaction (post row, version, audit entry, search index), about
// 0.3–1 ms each, so 100,000 creates would take minutes; the test makes 100,000 calls in all:
// CREATES creates and the rest gets (by id and by slug, alternating), each returning a full record
// through JSON — the same paths through the addon (strings in, JSON out, errors).
const test = require('node:test');
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const { world, quireError } = require('./helpers');

const TOTAL = 100_000;
const CREATES = Number(process.env.QUIRE_LEAK_CREATES || 20_000);
const LIMIT_MB = 10;

function collector() {
  if (typeof global.gc === 'function') return global.gc;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}

test(`leak: ${TOTAL.toLocaleString('en')} calls (${CREATES.toLocaleString('en')} creates) grow RSS by < ${LIMIT_MB} MB`, { timeout: 180_000 }, (t) => {
  const gc = collector();
  const { db, admin, ctx } = world({ ann: 'editor' }, { synchronous: 'normal' });
  admin.tenants.update('acme', { plan: 'enterprise' }); // pro stops at 10,000 posts
  const posts = ctx.ann.posts;
  const body = 'A body of some length, written once per post. '.repeat(20);
  const ids = [];
  const slugs = [];
  const create = (i) => {
    const p = posts.create({ title: `Leak test post ${i}`, body, tags: ['leak', `t${i % 7}`], category: 'tests', seo: { n: i } });
    ids.push(p.id);
    slugs.push(p.slug);
  };
  const settle = () => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().rss;
  };

  // Warm up: caches, statement pools, the JIT, a database of some size.
  for (let i = 0; i < 2000; i++) create(-i - 1);
  for (let i = 0; i < 5000; i++) posts.get(ids[i % ids.length]);
  for (let i = 0; i < 200; i++) assert.throws(() => posts.get(-5), quireError('QUIRE_ENOTFOUND'));
  const before = settle();
  const started = Date.now();

  const createsLeft = CREATES;
  const gets = TOTAL - CREATES;
  const ratio = Math.max(1, Math.floor(gets / createsLeft));
  let made = 0;
  let got = 0;
  while (made + got < TOTAL) {
    if (made < createsLeft) {
      create(made);
      made++;
    }
    for (let k = 0; k < ratio && got < gets; k++, got++) {
      const j = (got * 7919) % ids.length;
      const p = got % 2 ? posts.get(ids[j]) : posts.getBySlug(slugs[j]);
      if (p.id !== ids[j]) throw new Error('wrong post');
    }
  }
  const after = settle();
  const grown = (after - before) / (1024 * 1024);
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(`RSS ${(before / 1048576).toFixed(1)} MB → ${(after / 1048576).toFixed(1)} MB (+${grown.toFixed(2)} MB) over ${made} creates + ${got} gets in ${seconds.toFixed(1)} s`);
  console.log(`# leak: RSS ${(before / 1048576).toFixed(1)} MB -> ${(after / 1048576).toFixed(1)} MB (+${grown.toFixed(2)} MB), ${made} creates + ${got} gets, ${seconds.toFixed(1)} s`);
  assert.equal(made + got, TOTAL);
  assert.ok(grown < LIMIT_MB, `RSS grew by ${grown.toFixed(2)} MB`);
  db.close();
});

// Contexts are freed by their finalizer, which Node runs once the event loop turns (finalizers
// are deferred from the GC pass); a synchronous loop that makes many should free() them.
test('leak: 50,000 contexts made and dropped (freed or not) grow RSS by < 10 MB', async () => {
  const gc = collector();
  const { db } = world({});
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage().rss;
  };
  const round = async (n) => {
    for (let i = 0; i < n; i++) {
      const c = db.system('acme');
      if (i % 2) c.free();
      if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await round(10_000); // warm up
  const before = await settle();
  await round(50_000);
  const after = await settle();
  const grown = (after - before) / (1024 * 1024);
  console.log(`# leak (contexts): +${grown.toFixed(2)} MB over 50,000 contexts`);
  assert.ok(grown < LIMIT_MB, `RSS grew by ${grown.toFixed(2)} MB`);
  db.close();
});
