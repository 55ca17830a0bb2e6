"""The snippet of DESIGN.md ("Python binding") runs as written, on a file in a temporary dir."""

from __future__ import annotations

import os

from conftest import requires


@requires("quire_post_create")
def test_design_snippet_runs_as_written(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    # ---- verbatim from DESIGN.md ----
    import quire
    db = quire.open("sqlite:blog.db")
    admin = db.system()
    acme = admin.tenants.create(slug="acme", name="Acme Corp", plan="pro")
    alice = admin.users.create(username="alice", email="alice@acme.test", password="correct horse")
    admin.tenants.add_member("acme", alice.id, role="admin")

    ctx = db.context(tenant="acme", user=alice.id)          # or db.login("acme", "alice", pw)
    post = ctx.posts.create(title="Hello, world", body="# Hi", tags=["intro"], category="news")
    post = ctx.posts.update(post.id, expected_version=post.version, body="# Hi again")
    ctx.posts.publish(post.id)
    assert ctx.posts.get_by_slug("hello-world").version == 2
    page = ctx.posts.list(status="published", limit=20)     # page.items, page.next_cursor
    hits = ctx.posts.search("again")
    ctx.versions.list(post.id); ctx.versions.diff(post.id, 1, 2); ctx.versions.restore(post.id, 1)
    ctx.audit.query(resource_type="post", limit=50); ctx.audit.verify()
    ctx.permissions.check("post.publish", resource=("post", post.id))   # .allowed, .reason
    db.close()
    # ---- end of the snippet ----
    assert os.path.exists(tmp_path / "blog.db")
    assert acme.slug == "acme"
    assert [p.id for p in page.items] == [post.id] and page.next_cursor is None
    assert [h.post_id for h in hits] == [post.id]
