#!/usr/bin/env node
// Workload W1 (shared/bench/W1-editorial.md) through the Node binding: the create and get phases,
// to measure what the binding costs over the C++ harness (benchmarks/w1/w1.cpp). The data is the
// C++ harness's own, drawn by the same generator (benchmarks/common/workload.hpp ported: splitmix64
// seed 42, the 2,000-word vocabulary, Zipf-drawn titles and 1–4 KiB Markdown bodies, 3 tags of 50,
// 1 category of 10), so the create phase writes exactly what w1 writes.
//
// Between the two phases, 5,000 × scale random drafts are published (untimed) as W1's publish
// phase does, so that gets see the same mix of visible and invisible posts; the update phase is
// not run (its random draws are not made), so the get phase picks other posts than w1 does —
// the same distribution, not the same sequence.
//
//   node benchmarks/node/w1.js [--scale N] [--backend sqlite:path.db] [--json] [--synchronous normal|full]
//                              [--compare w1-report.json]   (adds each phase's ratio to w1's)
//
// Build the addon first (bindings/node/README.md); QUIRE_NODE_ADDON picks another build of it.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const quire = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

// ---- arguments ---------------------------------------------------------------------------------

const args = { scale: 1, backend: null, json: false, synchronous: 'normal', compare: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const value = () => {
    if (i + 1 >= process.argv.length) throw new Error(`${a} needs a value`);
    return process.argv[++i];
  };
  if (a === '--scale') args.scale = Number(value());
  else if (a === '--backend') args.backend = value();
  else if (a === '--json') args.json = true;
  else if (a === '--synchronous') args.synchronous = value();
  else if (a === '--compare') args.compare = value();
  else {
    console.error('usage: w1.js [--scale N] [--backend sqlite:path.db] [--json] [--synchronous normal|full] [--compare w1.json]');
    process.exit(2);
  }
}
if (!(args.scale > 0)) throw new Error('--scale must be positive');
const backend = args.backend || `sqlite:${path.join(os.tmpdir(), `quire-node-w1-${process.pid}.db`)}`;
const dbPath = backend.startsWith('sqlite:') ? backend.slice('sqlite:'.length) : null;

// ---- the generator of benchmarks/common/workload.hpp -------------------------------------------

const MASK = (1n << 64n) - 1n;
class Rng {
  constructor(seed) {
    this.state = BigInt(seed);
  }
  next() {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  }
  below(n) {
    return n === 0 ? 0 : Number(this.next() % BigInt(n));
  }
  between(lo, hi) {
    return lo + this.below(hi - lo + 1);
  }
  unit() {
    return Number(this.next() >> 11n) * 2 ** -53;
  }
}

const TENANTS = 20;
const USERS_PER_TENANT = 5;
const USER_ROLES = ['admin', 'editor', 'editor', 'author', 'author'];
const USER_NAMES = ['admin', 'editor1', 'editor2', 'author1', 'author2'];
const tenantSlug = (t) => (t < 10 ? 't0' : 't') + t;

class Vocabulary {
  constructor(rng) {
    const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cr', 'st', 'tr', 'ch', 'th'];
    const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'io', 'y'];
    const codas = ['', '', '', 'n', 'r', 's', 'l', 't'];
    this.words = [];
    const seen = new Set();
    while (this.words.length < 2000) {
      let word = '';
      const syllables = rng.between(1, 4);
      for (let s = 0; s < syllables; s++) {
        word += onsets[rng.below(onsets.length)];
        word += vowels[rng.below(vowels.length)];
      }
      word += codas[rng.below(codas.length)];
      if (word.length >= 3 && !seen.has(word)) {
        seen.add(word);
        this.words.push(word);
      }
    }
    let total = 0;
    this.cdf = [];
    for (let r = 1; r <= 2000; r++) {
      total += 1 / r;
      this.cdf.push(total);
    }
    for (let i = 0; i < this.cdf.length; i++) this.cdf[i] /= total;
  }
  zipf(rng) {
    const u = rng.unit();
    let lo = 0;
    let hi = this.cdf.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return this.words[Math.min(lo, 1999)];
  }
  at(i) {
    return this.words[i % 2000];
  }
}

const capitalise = (s) => (s.length > 0 && s[0] >= 'a' && s[0] <= 'z' ? s[0].toUpperCase() + s.slice(1) : s);

function words(vocab, rng, lo, hi) {
  const n = rng.between(lo, hi);
  const out = [];
  for (let w = 0; w < n; w++) out.push(vocab.zipf(rng));
  return capitalise(out.join(' '));
}
const makeTitle = (vocab, rng) => words(vocab, rng, 4, 9);
const makeSentence = (vocab, rng, lo, hi) => words(vocab, rng, lo, hi);
function makeParagraph(vocab, rng, lo, hi) {
  const n = rng.between(lo, hi);
  let text = '';
  for (let s = 0; s < n; s++) {
    if (s > 0) text += ' ';
    text += makeSentence(vocab, rng, 6, 16) + '.';
  }
  return text;
}
// Sizes are in bytes in C++; the vocabulary is ASCII, so string length is the byte count.
function makeBody(vocab, rng) {
  const target = rng.between(1024, 4096);
  let body = makeParagraph(vocab, rng, 1, 2);
  body += '\n\n## ' + makeSentence(vocab, rng, 2, 5) + '\n\n';
  body += makeParagraph(vocab, rng, 1, 2) + '\n\n';
  const items = rng.between(3, 5);
  for (let i = 0; i < items; i++) body += '- ' + makeSentence(vocab, rng, 2, 6) + '\n';
  let fresh = true;
  for (;;) {
    const sentence = makeSentence(vocab, rng, 6, 16) + '.';
    const gap = 1;
    if (body.length + gap + sentence.length > target) {
      const tail = makeSentence(vocab, rng, 6, 16);
      let keep = 0;
      for (let space = tail.indexOf(' '); space !== -1; space = tail.indexOf(' ', space + 1)) {
        if (body.length + gap + space + 1 > target) break;
        keep = space;
      }
      if (keep > 0) body += (fresh ? '\n' : ' ') + tail.slice(0, keep) + '.';
      break;
    }
    body += (fresh ? '\n' : ' ') + sentence;
    fresh = rng.below(5) === 0;
    if (fresh) body += '\n';
  }
  if (!body.endsWith('\n')) body += '\n';
  return body;
}

function makeCreate(vocab, rng, i) {
  const op = { tenant: i % TENANTS, actor: 1 + rng.below(4) };
  op.title = makeTitle(vocab, rng);
  op.body = makeBody(vocab, rng);
  const picked = [];
  op.tags = [];
  for (let t = 0; t < 3; t++) {
    let tag;
    do tag = rng.below(50);
    while (picked.includes(tag));
    picked.push(tag);
    op.tags.push(vocab.at(1000 + tag));
  }
  op.category = capitalise(vocab.at(1500 + rng.below(10)));
  return op;
}

// ---- measuring ---------------------------------------------------------------------------------

class Phase {
  constructor(name) {
    this.name = name;
    this.times = [];
    this.errors = 0;
    this.check = 0;
    this.firstError = '';
  }
  time(fn) {
    const t0 = process.hrtime.bigint();
    let result;
    try {
      result = fn();
    } catch (err) {
      const t1 = process.hrtime.bigint();
      this.times.push(Number(t1 - t0) / 1000);
      throw err;
    }
    this.times.push(Number(process.hrtime.bigint() - t0) / 1000);
    return result;
  }
  fail(err) {
    this.errors++;
    if (!this.firstError) this.firstError = `${err.code || err.name}: ${err.message}`;
  }
  report() {
    const sorted = Float64Array.from(this.times).sort();
    const sum = this.times.reduce((a, b) => a + b, 0);
    const q = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
    return {
      name: this.name,
      ops: this.times.length,
      errors: this.errors,
      seconds: sum / 1e6,
      ops_per_s: sum > 0 ? this.times.length / (sum / 1e6) : 0,
      mean_us: this.times.length ? sum / this.times.length : 0,
      p50_us: q(0.5),
      p99_us: q(0.99),
      max_us: sorted.length ? sorted[sorted.length - 1] : 0,
      check: this.check,
      first_error: this.firstError,
    };
  }
}

function removeDatabase(file) {
  if (!file) return;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}

// ---- the run ----------------------------------------------------------------------------------

function main() {
  const counts = { create: Math.round(20000 * args.scale), publish: Math.round(5000 * args.scale), get: Math.round(50000 * args.scale) };
  const begin = Date.now();
  removeDatabase(dbPath);
  const rng = new Rng(42);
  const vocab = new Vocabulary(rng);
  const db = quire.open(backend, {
    synchronous: args.synchronous,
    passwords: { opslimit: 2, memlimit: 19 * 1024 * 1024, maxConcurrent: 1 },
  });
  const system = db.system();
  const contexts = [];
  for (let t = 0; t < TENANTS; t++) {
    const slug = tenantSlug(t);
    system.tenants.create({ slug, name: `Tenant ${slug}`, plan: 'enterprise' });
    for (let u = 0; u < USERS_PER_TENANT; u++) {
      const name = `${slug}-${USER_NAMES[u]}`;
      const user = system.users.create({ username: name, email: `${name}@w1.test`, password: 'w1 benchmark password', displayName: name });
      system.tenants.addMember(slug, user.id, USER_ROLES[u]);
      contexts.push(db.context({ tenant: slug, user: user.id, ip: `198.51.100.${u + 1}`, userAgent: 'w1-bench/1' }));
    }
  }
  const ctx = (tenant, user) => contexts[tenant * USERS_PER_TENANT + user];
  const setupSeconds = (Date.now() - begin) / 1000;

  const phases = [];
  const posts = [];
  const create = new Phase('create');
  for (let i = 0; i < counts.create; i++) {
    const op = makeCreate(vocab, rng, i);
    const posts_ = ctx(op.tenant, op.actor).posts;
    try {
      const post = create.time(() => posts_.create({ title: op.title, body: op.body, tags: op.tags, category: op.category }));
      posts.push({ tenant: op.tenant, author: op.actor, id: post.id, slug: post.slug, published: false });
      create.check += post.slug.length;
    } catch (err) {
      create.fail(err);
    }
  }
  phases.push(create.report());
  if (posts.length === 0) throw new Error(`no post was created: ${create.firstError}`);
  const randomPost = () => posts[rng.below(posts.length)];

  // untimed: publish random drafts, as W1's publish phase does
  let drafts = posts.length;
  for (let i = 0; i < counts.publish && drafts > 0; i++) {
    let post;
    do post = randomPost();
    while (post.published);
    const actor = rng.below(2) === 0 ? post.author : 1 + rng.below(2);
    ctx(post.tenant, actor).posts.publish(post.id);
    post.published = true;
    drafts--;
  }

  const get = new Phase('get');
  for (let i = 0; i < counts.get; i++) {
    const post = randomPost();
    const engine = ctx(post.tenant, rng.below(USERS_PER_TENANT)).posts;
    try {
      get.time(() => engine.getBySlug(post.slug));
      get.check++;
    } catch (err) {
      if (err.code !== 'QUIRE_ENOTFOUND') get.fail(err);
    }
  }
  phases.push(get.report());
  const wallSeconds = (Date.now() - begin) / 1000 - setupSeconds;

  for (const c of contexts) c.free();
  db.close();
  removeDatabase(dbPath);

  if (args.compare) {
    const cpp = JSON.parse(fs.readFileSync(args.compare, 'utf8'));
    for (const p of phases) {
      const other = cpp.phases.find((x) => x.name === p.name);
      if (other && other.ops_per_s > 0) {
        p.cpp_ops_per_s = other.ops_per_s;
        p.cpp_mean_us = other.mean_us;
        p.cpp_p50_us = other.p50_us;
        // time per operation through Node ÷ through C++ (1.0 = no overhead)
        p.ratio_mean = p.mean_us / other.mean_us;
        p.ratio_p50 = p.p50_us / other.p50_us;
      }
    }
  }

  const report = {
    program: 'w1-node',
    library: `quire ${quire.version} via Node ${process.version}`,
    scale: args.scale,
    backend,
    synchronous: args.synchronous,
    setup_seconds: setupSeconds,
    wall_seconds: wallSeconds,
    peak_rss_kib: Math.round(process.resourceUsage().maxRSS),
    phases,
  };
  if (args.json) {
    console.log(JSON.stringify(report, null, 1));
  } else {
    console.log(`${report.program} on ${backend} (${report.library}), scale ${args.scale}, synchronous=${args.synchronous}`);
    for (const p of phases) {
      let line = `${p.name.padEnd(8)} ${String(p.ops).padStart(8)} ops ${String(p.errors).padStart(4)} errors ${p.ops_per_s.toFixed(0).padStart(8)} ops/s  mean ${p.mean_us.toFixed(1)} us  p50 ${p.p50_us.toFixed(1)} us  p99 ${p.p99_us.toFixed(1)} us`;
      if (p.ratio_mean !== undefined) line += `  (Node/C++: mean ${p.ratio_mean.toFixed(2)}, p50 ${p.ratio_p50.toFixed(2)})`;
      console.log(line);
      if (p.errors) console.log(`  first error: ${p.first_error}`);
    }
    console.log(`setup ${setupSeconds.toFixed(1)} s, phases ${wallSeconds.toFixed(1)} s`);
  }
  return phases.every((p) => p.errors === 0) ? 0 : 1;
}

process.exitCode = main();
