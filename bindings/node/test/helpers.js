'use strict';
// Shared set-up for the tests: a fresh database with the cheapest password cost quire accepts
// (argon2id is deliberately slow; the tests create few users), a tenant and its members.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const quire = require('..');

const CHEAP = { passwords: { opslimit: 2, memlimit: 19 * 1024 * 1024, maxConcurrent: 1 } };

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-node-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openDb(options = {}) {
  const dir = tempDir();
  return quire.open(`sqlite:${path.join(dir, 'test.db')}`, { synchronous: 'normal', ...CHEAP, ...options });
}

// A database with tenant "acme" and the users named in roles ({name: role}); each user's
// password is "<name> password".
function world(roles = { ann: 'admin' }, options = {}) {
  const db = openDb(options);
  const admin = db.system();
  const tenant = admin.tenants.create({ slug: 'acme', name: 'Acme Corp', plan: 'pro', domain: 'acme.test' });
  const users = {};
  const ctx = {};
  for (const [name, role] of Object.entries(roles)) {
    const user = admin.users.create({
      username: name,
      email: `${name}@acme.test`,
      password: `${name} password`,
      displayName: name.toUpperCase(),
    });
    admin.tenants.addMember('acme', user.id, role);
    users[name] = user;
    ctx[name] = db.context({ tenant: 'acme', user: user.id });
  }
  return { db, admin, tenant, users, ctx };
}

// assert.throws matcher for a quire error with the given code.
function quireError(code, message) {
  return (err) => {
    if (!(err instanceof quire.QuireError)) throw new Error(`expected a QuireError, got ${err && err.stack}`);
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
    if (err.status !== quire.codes[code]) throw new Error(`status ${err.status} does not match ${code}`);
    if (message !== undefined && !message.test(err.message)) {
      throw new Error(`message ${JSON.stringify(err.message)} does not match ${message}`);
    }
    return true;
  };
}

module.exports = { quire, CHEAP, tempDir, openDb, world, quireError };
