'use strict';
// Conversions between JavaScript values and the JSON text of quire's C ABI: snake_case ↔
// camelCase keys, RFC 3339 text ↔ Date, and the argument checks that make a value of the wrong
// JavaScript type a TypeError before anything reaches the library.

// Fields whose value is the caller's own JSON object: passed and returned as is, keys untouched.
const OPAQUE = new Set(['seo', 'fields', 'settings', 'old_values', 'new_values']);

const camelCache = new Map();
function camel(key) {
  let c = camelCache.get(key);
  if (c === undefined) {
    c = key.replace(/_([a-z0-9])/g, (_, ch) => ch.toUpperCase());
    camelCache.set(key, c);
  }
  return c;
}

const snakeCache = new Map();
function snake(key) {
  let s = snakeCache.get(key);
  if (s === undefined) {
    s = key.replace(/[A-Z]/g, (ch) => '_' + ch.toLowerCase());
    snakeCache.set(key, s);
  }
  return s;
}

function isTimeKey(key) {
  return key === 'at' || key.endsWith('_at');
}

// A decoded output value → the JavaScript shape: camelCase keys, Dates for times.
function toJs(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toJs(value[i]);
    return out;
  }
  const out = {};
  for (const key in value) {
    const v = value[key];
    if (v !== null && typeof v === 'object') {
      out[camel(key)] = OPAQUE.has(key) ? v : toJs(v);
    } else if (typeof v === 'string' && isTimeKey(key)) {
      out[camel(key)] = new Date(v);
    } else {
      out[camel(key)] = v;
    }
  }
  return out;
}

// Output that is not JSON (the library embeds stored JSON columns as they are): raised as
// the error that `badOutput` makes (index.js: a QuireError with code QUIRE_ECORRUPT).
const hooks = { badOutput: (err) => err };

function decode(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw hooks.badOutput(err, text);
  }
  return toJs(value);
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value).slice(0, 40)}`;
}

function fail(name, rule, value) {
  return new TypeError(`${name} must be ${rule}, got ${describe(value)}`);
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function string(value, name) {
  if (typeof value !== 'string') throw fail(name, 'a string', value);
  return value;
}

function optString(value, name) {
  return value === undefined || value === null ? null : string(value, name);
}

function integer(value, name) {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw fail(name, 'an integer', value);
  return value;
}

// A tenant by slug or id, as the C ABI takes it: text.
function tenant(value, name = 'tenant') {
  if (typeof value === 'string') return value;
  if (Number.isSafeInteger(value) || typeof value === 'bigint') return String(value);
  throw fail(name, 'a tenant slug or id', value);
}

// A time: a Date (valid) or RFC 3339 text.
function time(value, name) {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`${name} must be a valid Date`);
    return value.toISOString();
  }
  if (typeof value === 'string') return value;
  throw fail(name, 'a Date or an RFC 3339 string', value);
}

function optTime(value, name) {
  return value === undefined || value === null ? null : time(value, name);
}

function options(value, name) {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw fail(name, 'an options object', value);
  return value;
}

// Field checkers for option objects. Each takes (value, name) and returns the JSON value.
const T = {
  string: (v, n) => string(v, n),
  nstring: (v, n) => (v === null ? null : string(v, n)),
  int: (v, n) => {
    integer(v, n);
    return typeof v === 'bigint' ? Number(v) : v;
  },
  nint: (v, n) => (v === null ? null : T.int(v, n)),
  bool: (v, n) => {
    if (typeof v !== 'boolean') throw fail(n, 'a boolean', v);
    return v;
  },
  object: (v, n) => {
    if (!isPlainObject(v)) throw fail(n, 'a plain object', v);
    return v;
  },
  strings: (v, n) => {
    if (!Array.isArray(v)) throw fail(n, 'an array of strings', v);
    for (let i = 0; i < v.length; i++) string(v[i], `${n}[${i}]`);
    return v;
  },
  time: (v, n) => time(v, n),
  ntime: (v, n) => (v === null ? null : time(v, n)),
  tenant: (v, n) => (Number.isSafeInteger(v) ? v : tenant(v, n)),
};

// An options object (camelCase) → the JSON object the C ABI takes (snake_case). Fields named in
// `schema` are checked; others are passed on under their snake_case name, so that the library
// refuses an unknown field with its own message. `undefined` means absent.
function toC(value, name, schema, skip) {
  const opts = options(value, name);
  const out = {};
  for (const key of Object.keys(opts)) {
    if (skip !== undefined && skip.has(key)) continue;
    const v = opts[key];
    if (v === undefined) continue;
    const check = schema[key];
    out[snake(key)] = check === undefined ? v : check(v, `${name}.${key}`);
  }
  return out;
}

// Deep camelCase → snake_case, for the database options (plans, passwords).
function snakeDeep(value) {
  if (Array.isArray(value)) return value.map(snakeDeep);
  if (!isPlainObject(value)) return value;
  const out = {};
  for (const key of Object.keys(value)) {
    if (value[key] !== undefined) out[snake(key)] = snakeDeep(value[key]);
  }
  return out;
}

module.exports = {
  hooks,
  camel,
  snake,
  toJs,
  decode,
  isPlainObject,
  string,
  optString,
  integer,
  tenant,
  time,
  optTime,
  options,
  T,
  toC,
  snakeDeep,
  fail,
};
