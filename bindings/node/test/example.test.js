'use strict';
// examples/node/quickstart.js runs and says what the C++ quick start says.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { tempDir } = require('./helpers');

test('examples/node/quickstart.js walks through the quick start', () => {
  const script = path.join(__dirname, '..', '..', '..', 'examples', 'node', 'quickstart.js');
  const out = execFileSync(process.execPath, [script, path.join(tempDir(), 'quickstart.db')], {
    encoding: 'utf8',
  });
  assert.match(out, /^1\. Opened sqlite:/m);
  assert.match(out, /^2\. Created tenant #1 "Acme Corp" \(slug acme, plan pro\) at \d{4}-/m);
  assert.match(out, /^3\. Created user #1 alice <alice@acme\.test> \(email normalised\)$/m);
  assert.match(out, /^4\. Made alice a member of acme with role admin$/m);
  assert.match(out, /^5\. As alice: tenant Acme Corp has 1 member\(s\)$/m);
  assert.match(out, /^6\. A bad slug is refused: \[QUIRE_EINVAL\] /m);
  assert.match(out, /^7\. Alice may not create tenants: \[QUIRE_EPERM\] /m);
});
