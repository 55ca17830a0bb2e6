#!/usr/bin/env node
// quire quick start, from Node.js: the walk-through of examples/01_quickstart.cpp through the
// Node binding (bindings/node). Open a database file, create a tenant and a user, make the user a
// member, and act as that user.
//
//   node examples/node/quickstart.js [path/to/file.db]
//
// Build the addon first (bindings/node/README.md): scripts/quire test does it, or
//   cmake --build build --target quire && (cd bindings/node && npm ci && npm run build)
'use strict';

const path = require('node:path');
const quire = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

const file = process.argv[2] || 'quickstart.db';
console.log(`quire ${quire.version} — quick start (Node.js)\n`);

// 1. Open (or create) a database. Migrations run on open; WAL and synchronous=FULL by default.
const db = quire.open(`sqlite:${file}`);
console.log(`1. Opened sqlite:${file}`);

// 2. The system context administers tenants and users; it is the only one that skips checks.
const admin = db.system();
const acme = admin.tenants.create({ slug: 'acme', name: 'Acme Corp', plan: 'pro' });
console.log(
  `2. Created tenant #${acme.id} "${acme.name}" (slug ${acme.slug}, plan ${acme.plan}) at ` +
    acme.createdAt.toISOString(),
);

// 3. Users are global; their password is hashed with argon2id and never stored in clear.
const alice = admin.users.create({
  username: 'alice',
  email: 'Alice@Acme.test',
  password: 'correct horse battery staple',
  displayName: 'Alice Liddell',
});
console.log(`3. Created user #${alice.id} ${alice.username} <${alice.email}> (email normalised)`);

// 4. Membership gives a user a role in a tenant.
const member = admin.tenants.addMember('acme', alice.id, 'admin');
console.log(`4. Made ${alice.username} a member of ${acme.slug} with role ${member.role}`);

// 5. Alice acts through her own context: she sees her tenant, and the rules apply to her.
const ctx = db.context({ tenant: 'acme', user: alice.id, ip: '127.0.0.1', requestId: 'req-1' });
const seen = ctx.tenants.get('acme');
console.log(
  `5. As ${alice.username}: tenant ${seen.name} has ${ctx.tenants.members('acme').length} member(s)`,
);

// 6. Bad input is refused with a message that names the field and the rule, and changes nothing.
try {
  admin.tenants.create({ slug: 'Not A Slug', name: 'x' });
} catch (err) {
  console.log(`6. A bad slug is refused: [${err.code}] ${err.message}`);
}

// 7. An admin cannot do what only the system may: tenants are created by the host.
try {
  ctx.tenants.create({ slug: 'other', name: 'Other' });
} catch (err) {
  console.log(`7. Alice may not create tenants: [${err.code}] ${err.message}`);
}

db.close();
console.log(`\nDone. The data is in ${file}; run again on a new file to start over.`);
