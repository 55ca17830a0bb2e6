'use strict';
// worker.terminate() while a worker is inside a quire callback (a transaction body, an export's
// writer) ends that worker only: the main thread carries on and the transaction is rolled back.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { quire, CHEAP } = require('./helpers');

// The worker opens the database, signals 'inside' from within the callback, then spins until it
// is terminated.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const quire = require(workerData.module);
const db = quire.open(workerData.url, workerData.options);
const admin = db.system();
const spin = () => { parentPort.postMessage('inside'); for (;;) {} };
if (workerData.where === 'transaction') {
  db.transaction(admin, (tx) => {
    tx.tenants.create({ slug: 'from-worker', name: 'From the worker' });
    spin();
  });
} else {
  admin.tenants.create({ slug: 'exported', name: 'Exported' });
  admin.audit.exportTo('csv', () => spin()); // the header, at least
}
`;

async function terminateInside(where) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-node-worker-'));
  try {
    const url = `sqlite:${path.join(dir, 'test.db')}`;
    const options = { synchronous: 'normal', ...CHEAP };
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { module: path.join(__dirname, '..'), url, options, where },
    });
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
    // Still here: the process survived. The database has nothing of the body.
    const db = quire.open(url, options);
    const admin = db.system();
    const slugs = admin.tenants.list({ includeDeleted: true }).items.map((t) => t.slug);
    db.close();
    return slugs;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('worker: terminate() inside a transaction body ends the worker and rolls back', async () => {
  assert.deepEqual(await terminateInside('transaction'), []);
});

test('worker: terminate() inside an export writer ends the worker only', async () => {
  assert.deepEqual(await terminateInside('export'), ['exported']);
});
