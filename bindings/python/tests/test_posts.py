"""The Post engine: records, workflow, listing, search, taxonomy, feeds and sitemap."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import quire
from conftest import World, requires

pytestmark = requires("quire_post_create")


def test_create_and_read(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(
        title="Hello, world", body="# Hi\n\nSome words here.", tags=["intro", "news"],
        category="news", seo={"description": "A greeting"}, fields={"mood": "happy", "n": 3},
    )
    assert isinstance(post, quire.Post)
    assert (post.slug, post.status, post.version, post.type) == ("hello-world", "draft", 1, "post")
    assert post.tags == ["intro", "news"] and post.category == "news"
    assert post.seo == {"description": "A greeting"} and post.fields == {"mood": "happy", "n": 3}
    assert post.author_id == world.alice.id and post.tenant_id == world.tenant.id
    assert post.published_at is None and post.created_at.tzinfo is not None
    assert post.reading_time >= 1 and post.excerpt
    assert ctx.posts.get(post.id) == post
    assert ctx.posts.get_by_slug("hello-world").id == post.id
    page = ctx.posts.create(title="About", type="page", body="x")
    assert ctx.posts.get_by_slug("about", type="page").id == page.id
    with pytest.raises(quire.NotFound):
        ctx.posts.get_by_slug("about")  # type "post"
    child = ctx.posts.create(title="Team", type="page", parent_id=page.id)
    assert child.parent_id == page.id


def test_update_and_conflict(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Draft one", body="v1")
    post2 = ctx.posts.update(post.id, expected_version=post.version, body="v2", tags=["a"],
                             category=None, slug="draft-1")
    assert (post2.version, post2.body, post2.tags, post2.slug) == (2, "v2", ["a"], "draft-1")
    assert ctx.posts.get_by_slug("draft-one").id == post.id  # the old slug keeps resolving
    with pytest.raises(quire.Conflict) as raised:
        ctx.posts.update(post.id, expected_version=1, body="stale")
    assert raised.value.current_version == 2
    assert "version 2" in raised.value.message


def test_workflow(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Flow", body="text")
    assert ctx.posts.submit(post.id).status == "in_review"
    published = ctx.posts.publish(post.id)
    assert published.status == "published" and published.published_at is not None
    assert ctx.posts.archive(post.id).status == "archived"
    assert ctx.posts.publish(post.id).status == "published"
    assert ctx.posts.unpublish(post.id).status == "draft"
    with pytest.raises(quire.InvalidArgument):
        ctx.posts.archive(post.id)  # draft -> archived is not a transition


def test_schedule_and_publish_due(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Later", body="soon")
    at = datetime.now(timezone.utc) + timedelta(hours=1)
    scheduled = ctx.posts.schedule(post.id, at)
    assert scheduled.status == "scheduled"
    assert abs((scheduled.scheduled_at - at).total_seconds()) < 0.002
    assert ctx.posts.publish_due() == []
    due = ctx.posts.publish_due(now=at + timedelta(seconds=1))
    assert [p.id for p in due] == [post.id] and due[0].status == "published"
    with pytest.raises(TypeError):
        ctx.posts.schedule(post.id, 12345)  # type: ignore[arg-type]


def test_delete_restore_purge(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Trash me", body="x")
    assert ctx.posts.delete(post.id).deleted_at is not None
    with pytest.raises(quire.NotFound):
        ctx.posts.get(post.id)
    assert [p.id for p in ctx.posts.list(deleted=True, order="created_at")] == [post.id]
    assert ctx.posts.restore(post.id).deleted_at is None
    ctx.posts.purge(post.id)
    with pytest.raises(quire.NotFound):
        ctx.posts.get(post.id)


def test_list_filters_and_pages(world: World) -> None:
    ctx = world.ctx
    made = []
    for i in range(7):
        p = ctx.posts.create(title=f"Post number {i}", body=f"body {i}", tags=["even" if i % 2 == 0 else "odd"],
                             category="cat-a" if i < 3 else "cat-b")
        ctx.posts.publish(p.id)
        made.append(p.id)
    bob_post = world.bob_ctx.posts.create(title="Bob writes", body="hello")
    page = ctx.posts.list(status="published", limit=3)
    assert len(page.items) == 3 and page.next_cursor is not None
    assert all(p.body == "" for p in page.items)  # listed posts carry no body
    everything = [p.id for p in page.all()]
    assert sorted(everything) == sorted(made) and everything == list(reversed(made))
    assert [p.id for p in ctx.posts.list_all(status="published", order="created_at", limit=2)] == made
    assert len(ctx.posts.list(tag="even", status="published").items) == 4
    assert len(ctx.posts.list(category="cat-a", status="published").items) == 3
    assert [p.id for p in ctx.posts.list(author_id=world.bob.id, order="created_at")] == [bob_post.id]
    assert len(ctx.posts.list(top_level=True, order="title", limit=100).items) == 8
    assert [p.title for p in ctx.posts.list(order="title", limit=2)] == ["Bob writes", "Post number 0"]
    since = ctx.posts.get(made[3]).created_at
    assert len(ctx.posts.list(order="created_at", since=since, limit=100).items) >= 4


def test_search(world: World) -> None:
    ctx = world.ctx
    a = ctx.posts.create(title="Gardening notes", body="Tomatoes need sun and water.")
    ctx.posts.create(title="Cooking notes", body="Tomatoes make a fine sauce.")
    ctx.posts.publish(a.id)
    hits = ctx.posts.search("sun")
    assert [h.post_id for h in hits] == [a.id]
    hit = hits[0]
    assert isinstance(hit, quire.Hit) and hit.slug == "gardening-notes" and hit.title == "Gardening notes"
    assert "[" in hit.snippet and isinstance(hit.score, float)
    assert len(ctx.posts.search("tomatoes", limit=1)) == 1
    assert len(ctx.posts.search("tomat*")) == 2
    assert ctx.posts.search('"fine sauce"')[0].title == "Cooking notes"
    assert ctx.posts.search('weird ( " * query') == [] or True  # any text is safe
    with pytest.raises(quire.InvalidArgument):
        ctx.posts.search("")


def test_categories_and_tags(world: World) -> None:
    ctx = world.ctx
    ctx.posts.create(title="One", tags=["x", "y"], category="news")
    ctx.posts.create(title="Two", tags=["y"], category="news")
    ctx.posts.create(title="Three", tags=["z"], category="misc")
    assert {(t.name, t.count) for t in ctx.posts.categories()} == {("news", 2), ("misc", 1)}
    assert {(t.name, t.count) for t in ctx.posts.tags()} == {("x", 1), ("y", 2), ("z", 1)}
    assert all(isinstance(t, quire.Term) for t in ctx.posts.tags())


def test_feed_and_sitemap(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Feed me", body="Some *content*.")
    ctx.posts.publish(post.id)
    rss = ctx.posts.feed()
    assert rss.startswith("<?xml") and "<rss" in rss and "Feed me" in rss
    assert "https://acme.test" in rss
    atom = ctx.posts.feed(format="atom", limit=5)
    assert "<feed" in atom and "Feed me" in atom
    sitemap = ctx.posts.sitemap()
    assert "<urlset" in sitemap and "feed-me" in sitemap
    with pytest.raises(quire.InvalidArgument):
        ctx.posts.feed(format="json")


def test_permissions_apply_to_posts(world: World) -> None:
    alice_post = world.ctx.posts.create(title="Alice's", body="mine")
    with pytest.raises(quire.PermissionDenied):
        world.bob_ctx.posts.update(alice_post.id, expected_version=1, body="not yours")
    bob_post = world.bob_ctx.posts.create(title="Bob's", body="mine")
    assert world.bob_ctx.posts.update(bob_post.id, expected_version=1, body="still mine").version == 2


def test_record_view_counts_without_a_version_or_an_audit_entry(world: World) -> None:
    post = world.ctx.posts.publish(world.ctx.posts.create(title="Read me", body="text").id)
    viewed = world.bob_ctx.posts.record_view(post.id)
    assert viewed.view_count == 1
    assert world.bob_ctx.posts.record_view(post).view_count == 2  # a Post stands for its id
    assert viewed.version == post.version and viewed.updated_at == post.updated_at
    assert world.ctx.posts.get(post.id).view_count == 2
    assert len(world.ctx.versions.list(post.id)) == 1
    assert len(world.ctx.audit.query(resource_type="post", resource_id=post.id).items) == 2
    draft = world.ctx.posts.create(title="Not yours")
    with pytest.raises(quire.NotFound):
        world.bob_ctx.posts.record_view(draft.id)
    with pytest.raises(TypeError):
        world.ctx.posts.record_view("1")  # type: ignore[arg-type]
