#!/usr/bin/env node
'use strict';
// Builds the addon with CMake: `npm run build` (or node scripts/build.js).
// QUIRE_BUILD_DIR: the root project's build tree holding libquire.so (default: <repo>/build).
// QUIRE_NODE_BUILD_DIR: where the addon is built (default: bindings/node/build).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const here = path.resolve(__dirname, '..');
const quireBuild = path.resolve(process.env.QUIRE_BUILD_DIR || path.join(here, '..', '..', 'build'));
const out = path.resolve(process.env.QUIRE_NODE_BUILD_DIR || path.join(here, 'build'));
const run = (args) => execFileSync('cmake', args, { stdio: 'inherit' });
run(['-S', here, '-B', out, `-DQUIRE_BUILD_DIR=${quireBuild}`, '-DCMAKE_BUILD_TYPE=Release']);
run(['--build', out, '-j2']);
