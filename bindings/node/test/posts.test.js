'use strict';
// Posts and versions.
const test = require('node:test');
const assert = require('node:assert/strict');
const { world, quireError } = require('./helpers');

test('posts: create, get, getBySlug, update with expectedVersion, workflow', () => {
  const { db, admin, ctx, users } = world({ ann: 'admin', bob: 'author', vic: 'viewer' });
  admin.tenants.update('acme', { settings: { base_url: 'https://acme.test' } });
  const ann = ctx.ann;
  let post = ann.posts.create({
    title: 'Hello, world',
    body: '# Hi\n\nThe first post.\n',
    tags: ['intro', 'news'],
    category: 'news',
    seo: { meta_title: 'Hello', noIndex: false },
    fields: { hero_image: 'a.png' },
  });
  assert.equal(post.slug, 'hello-world');
  assert.equal(post.version, 1);
  assert.equal(post.status, 'draft');
  assert.equal(post.authorId, users.ann.id);
  assert.deepEqual(post.tags, ['intro', 'news']);
  assert.deepEqual(post.seo, { meta_title: 'Hello', noIndex: false });
  assert.deepEqual(post.fields, { hero_image: 'a.png' });
  assert.ok(post.createdAt instanceof Date);
  assert.equal(post.publishedAt, null);
  assert.equal(typeof post.readingTime, 'number');
  assert.deepEqual(ann.posts.get(post.id), post);

  post = ann.posts.update(post.id, { expectedVersion: post.version, body: '# Hi again\n', title: 'Hello again' });
  assert.equal(post.version, 2);
  assert.equal(post.slug, 'hello-world');
  assert.throws(() => ann.posts.update(post.id, { expectedVersion: 1, body: 'stale' }), quireError('QUIRE_ECONFLICT', /2/));
  assert.throws(() => ann.posts.update(post.id, { body: 'x' }), TypeError);
  assert.throws(() => ann.posts.update(post.id, { expectedVersion: '2', body: 'x' }), TypeError);
  post = ann.posts.update(post.id, { expectedVersion: 2, slug: 'hello-again', category: null });
  assert.equal(post.category, null);
  assert.equal(ann.posts.getBySlug('hello-world').id, post.id); // old slugs keep resolving
  assert.equal(ann.posts.getBySlug('hello-again', { type: 'post' }).id, post.id);
  assert.throws(() => ann.posts.getBySlug('hello-again', 'page'), quireError('QUIRE_ENOTFOUND'));

  assert.equal(ann.posts.submit(post.id).status, 'in_review');
  post = ann.posts.publish(post.id);
  assert.equal(post.status, 'published');
  assert.ok(post.publishedAt instanceof Date);
  assert.equal(ann.posts.archive(post.id).status, 'archived');
  assert.throws(() => ann.posts.submit(post.id), quireError('QUIRE_EINVAL'));
  assert.equal(ann.posts.publish(post.id).status, 'published');

  // viewers see published posts, not drafts
  const draft = ann.posts.create({ title: 'Secret draft' });
  assert.equal(ctx.vic.posts.get(post.id).id, post.id);
  assert.throws(() => ctx.vic.posts.get(draft.id), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ctx.vic.posts.create({ title: 'Nope' }), quireError('QUIRE_EPERM'));
  // authors edit their own posts only
  assert.throws(
    () => ctx.bob.posts.update(draft.id, { expectedVersion: 1, title: 'Mine' }),
    (e) => ['QUIRE_EPERM', 'QUIRE_ENOTFOUND'].includes(e.code),
  );
  const own = ctx.bob.posts.create({ title: 'Bob writes', body: 'words' });
  assert.equal(ctx.bob.posts.update(own.id, { expectedVersion: 1, title: 'Bob rewrites' }).version, 2);

  // schedule and publishDue
  const later = ann.posts.create({ title: 'Later' });
  const at = new Date(Date.now() + 3600 * 1000);
  const scheduled = ann.posts.schedule(later.id, at);
  assert.equal(scheduled.status, 'scheduled');
  assert.equal(scheduled.scheduledAt.getTime(), Math.floor(at.getTime()));
  assert.deepEqual(ann.posts.publishDue(), []);
  const due = ann.posts.publishDue(new Date(Date.now() + 7200 * 1000));
  assert.deepEqual(due.map((p) => p.id), [later.id]);
  assert.deepEqual(ann.posts.publishDue({ now: new Date(Date.now() + 7200 * 1000).toISOString() }), []);
  assert.throws(() => ann.posts.schedule(later.id, 'tomorrow'), quireError('QUIRE_EINVAL'));
  assert.throws(() => ann.posts.schedule(later.id, new Date('x')), TypeError);
  assert.throws(() => ann.posts.schedule(later.id, 5), TypeError);

  // trash, restore, purge
  assert.ok(ann.posts.delete(draft.id).deletedAt instanceof Date);
  assert.throws(() => ann.posts.get(draft.id), quireError('QUIRE_ENOTFOUND'));
  assert.equal(ann.posts.list({ deleted: true }).items.length, 1);
  assert.equal(ann.posts.restore(draft.id).deletedAt, null);
  ann.posts.purge(draft.id);
  assert.throws(() => ann.posts.get(draft.id), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ann.posts.purge(draft.id), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ann.posts.create({ title: 'Bob writes' , slug: 'bob-writes' }), quireError('QUIRE_EEXISTS'));
  assert.throws(() => ann.posts.create({ title: '' }), quireError('QUIRE_EINVAL', /title/));
  assert.throws(() => ann.posts.create({ title: 'x', tags: 'one' }), TypeError);
  assert.throws(() => ann.posts.create({ title: 'x', tags: [1] }), TypeError);
  assert.throws(() => ann.posts.create({ title: 'x', parentId: 999 }), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ann.posts.get('1'), TypeError);
  db.close();
});

test('posts: list with pagination, search, categories, tags, feed, sitemap', () => {
  const { db, admin, ctx } = world({ ann: 'editor' });
  admin.tenants.update('acme', { settings: { base_url: 'https://acme.test' } });
  const ann = ctx.ann;
  const parent = ann.posts.create({ title: 'Guide', type: 'doc' });
  for (let i = 0; i < 5; i++) {
    const p = ann.posts.create({
      title: `Story number ${i}`,
      body: `A tale about ${i % 2 ? 'dragons' : 'unicorns'}.`,
      tags: [`t${i % 2}`],
      category: i < 3 ? 'news' : 'blog',
    });
    ann.posts.publish(p.id);
  }
  ann.posts.create({ title: 'Child page', type: 'doc', parentId: parent.id });
  const first = ann.posts.list({ status: 'published', limit: 2 });
  assert.equal(first.items.length, 2);
  assert.equal(first.items[0].body, '');
  assert.ok(first.nextCursor);
  const second = ann.posts.list({ status: 'published', limit: 2, cursor: first.nextCursor });
  const third = ann.posts.list({ status: 'published', limit: 2, cursor: second.nextCursor });
  assert.equal(third.items.length, 1);
  assert.equal(third.nextCursor, null);
  assert.equal(ann.posts.list({ type: 'doc', parentId: parent.id }).items.length, 1);
  assert.equal(ann.posts.list({ category: 'blog', order: 'title' }).items.length, 2);
  assert.equal(ann.posts.list({ tag: 't1' }).items.length, 2);
  assert.equal(ann.posts.list({ since: new Date(0), order: '-created_at' }).items.length, 7);
  assert.equal(ann.posts.list({ type: 'post', since: '1970-01-01T00:00:00.000Z', order: '-created_at' }).items.length, 5);
  assert.throws(() => ann.posts.list({ limit: 0 }), quireError('QUIRE_EINVAL'));
  assert.throws(() => ann.posts.list({ order: 'sideways' }), quireError('QUIRE_EINVAL'));
  assert.throws(() => ann.posts.list({ limit: 'ten' }), TypeError);

  const hits = ann.posts.search('dragons');
  assert.equal(hits.length, 2);
  assert.equal(typeof hits[0].postId, 'number');
  assert.equal(typeof hits[0].score, 'number');
  assert.match(hits[0].snippet, /dragons/);
  assert.equal(ann.posts.search('unicorns', { limit: 1 }).length, 1);
  assert.throws(() => ann.posts.search(''), quireError('QUIRE_EINVAL'));
  assert.throws(() => ann.posts.search('x', { limit: 0 }), quireError('QUIRE_EINVAL'));

  assert.deepEqual(ann.posts.categories().find((c) => c.name === 'news'), { name: 'news', count: 3 });
  assert.deepEqual(ann.posts.tags().map((t) => t.name).sort(), ['t0', 't1']);
  assert.match(ann.posts.feed(), /<rss/);
  assert.match(ann.posts.feed({ format: 'atom', limit: 2 }), /<feed/);
  assert.match(ann.posts.sitemap(), /<urlset/);
  assert.throws(() => ann.posts.feed({ format: 'json' }), quireError('QUIRE_EINVAL'));
  db.close();
});

test('versions: list, get, snapshot, diff, restore, autosaves', () => {
  const { db, ctx } = world({ ann: 'editor', vic: 'viewer' });
  const ann = ctx.ann;
  let post = ann.posts.create({ title: 'Draft one', body: 'line one\nline two\n' });
  post = ann.posts.update(post.id, { expectedVersion: 1, body: 'line one\nline 2\n' });
  const snap = ann.versions.snapshot(post.id, 'before the big edit');
  assert.equal(snap.number, 3);
  assert.equal(snap.kind, 'manual');
  assert.equal(snap.summary, 'before the big edit');
  assert.ok(snap.createdAt instanceof Date);
  const list = ann.versions.list(post.id);
  assert.deepEqual(list.map((v) => v.number), [3, 2, 1]);
  assert.equal(list[2].kind, 'create');
  const v1 = ann.versions.get(post.id, 1);
  assert.equal(v1.body, 'line one\nline two\n');
  assert.equal(v1.title, 'Draft one');
  const diff = ann.versions.diff(post.id, 1, 2);
  assert.equal(diff.from, 1);
  assert.ok(diff.changedFields.includes('body'));
  assert.ok(!diff.changedFields.includes('title'));
  assert.match(diff.text, /^-line two$/m);
  assert.match(diff.text, /^\+line 2$/m);
  assert.equal(diff.bodyHunks[0].lines.some((l) => l.kind === 'added' && l.text === 'line 2'), true);
  assert.equal(typeof diff.bodyHunks[0].oldStart, 'number');
  const restored = ann.versions.restore(post.id, 1);
  assert.equal(restored.version, 4);
  assert.equal(restored.body, 'line one\nline two\n');
  assert.equal(ann.versions.list(post.id)[0].kind, 'restore');
  assert.throws(() => ann.versions.get(post.id, 99), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ann.versions.diff(post.id, 1, 99), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ann.versions.get(post.id, 'one'), TypeError);

  assert.equal(ann.versions.autosaveGet(post.id), null);
  const auto = ann.versions.autosave(post.id, 'Unsaved title', 'unsaved body\n');
  assert.equal(auto.baseVersion, 4);
  assert.ok(auto.savedAt instanceof Date);
  assert.equal(ann.versions.autosaveGet(post.id).title, 'Unsaved title');
  ann.versions.discard(post.id);
  assert.equal(ann.versions.autosaveGet(post.id), null);
  ann.versions.autosave(post.id, { title: 'Saved at last', body: 'final\n' });
  assert.throws(() => ann.versions.promote(post.id, 3), quireError('QUIRE_ECONFLICT'));
  const promoted = ann.versions.promote(post.id, { expectedVersion: 4 });
  assert.equal(promoted.title, 'Saved at last');
  assert.equal(promoted.version, 5);
  assert.throws(() => ann.versions.promote(post.id, 5), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ann.versions.autosave(post.id, 'title only'), TypeError);
  assert.throws(() => ctx.vic.versions.restore(post.id, 1), (e) => ['QUIRE_EPERM', 'QUIRE_ENOTFOUND'].includes(e.code));
  db.close();
});

test('posts: recordView counts views without a version or an audit entry', () => {
  const { ctx } = world({ ann: 'admin', bob: 'author' });
  const post = ctx.ann.posts.publish(ctx.ann.posts.create({ title: 'Read me', body: 'text' }).id);
  const viewed = ctx.bob.posts.recordView(post.id);
  assert.equal(viewed.viewCount, 1);
  assert.equal(ctx.bob.posts.recordView(BigInt(post.id)).viewCount, 2);
  assert.equal(viewed.version, post.version);
  assert.deepEqual(viewed.updatedAt, post.updatedAt);
  assert.equal(ctx.ann.posts.get(post.id).viewCount, 2);
  assert.equal(ctx.ann.versions.list(post.id).length, 1);
  assert.equal(ctx.ann.audit.query({ resourceType: 'post', resourceId: post.id }).items.length, 2);
  const draft = ctx.ann.posts.create({ title: 'Not yours' });
  assert.throws(() => ctx.bob.posts.recordView(draft.id), quireError('QUIRE_ENOTFOUND'));
  assert.throws(() => ctx.ann.posts.recordView('1'), TypeError);
});
