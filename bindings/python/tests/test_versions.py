"""The Version engine: list, get, snapshot, diff, restore, autosaves."""

from __future__ import annotations

import pytest

import quire
from conftest import World, requires

pytestmark = requires("quire_version_list")


def test_history(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="History", body="line one\nline two\n", tags=["a"])
    post = ctx.posts.update(post.id, expected_version=1, body="line one\nline 2\n")
    versions = ctx.versions.list(post.id)
    assert [(v.number, v.kind) for v in versions] == [(2, "update"), (1, "create")]
    assert isinstance(versions[0], quire.Version) and versions[0].author_id == world.alice.id
    assert versions[0].created_at.tzinfo is not None and versions[0].size > 0
    first = ctx.versions.get(post.id, 1)
    assert isinstance(first, quire.Snapshot)
    assert (first.title, first.body, first.tags, first.number) == ("History", "line one\nline two\n", ["a"], 1)
    with pytest.raises(quire.NotFound):
        ctx.versions.get(post.id, 99)


def test_diff(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Diffed", body="alpha\nbeta\ngamma\n")
    ctx.posts.update(post.id, expected_version=1, body="alpha\nBETA\ngamma\n")
    diff = ctx.versions.diff(post.id, 1, 2)
    assert isinstance(diff, quire.Diff)
    assert (diff.from_version, diff.to_version) == (1, 2)
    assert "body" in diff.changed_fields and "title" not in diff.changed_fields
    assert "-beta" in diff.text and "+BETA" in diff.text
    assert (diff.added, diff.removed) == (1, 1)
    assert diff.title_hunks == [] and len(diff.body_hunks) == 1
    hunk = diff.body_hunks[0]
    assert isinstance(hunk, quire.Hunk)
    assert [(line.kind, line.text) for line in hunk.lines] == [
        ("context", "alpha"), ("removed", "beta"), ("added", "BETA"), ("context", "gamma")]


def test_snapshot_and_restore(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Restorable", body="first")
    ctx.posts.update(post.id, expected_version=1, body="second", title="Restorable 2")
    manual = ctx.versions.snapshot(post.id, summary="before the big edit")
    assert (manual.number, manual.kind, manual.summary) == (3, "manual", "before the big edit")
    restored = ctx.versions.restore(post.id, 1)
    assert isinstance(restored, quire.Post)
    assert (restored.body, restored.title, restored.version) == ("first", "Restorable", 4)
    assert ctx.versions.list(post.id)[0].kind == "restore"
    # bob (author) may not restore alice's post
    with pytest.raises((quire.PermissionDenied, quire.NotFound)):
        world.bob_ctx.versions.restore(post.id, 2)


def test_autosave(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Autosaved", body="saved")
    assert ctx.versions.autosave_get(post.id) is None
    auto = ctx.versions.autosave(post.id, "Autosaved (draft)", "unsaved words")
    assert isinstance(auto, quire.Autosave)
    assert (auto.base_version, auto.user_id, auto.body) == (1, world.alice.id, "unsaved words")
    assert auto.saved_at.tzinfo is not None
    assert ctx.versions.autosave_get(post.id) == auto
    ctx.versions.discard(post.id)
    assert ctx.versions.autosave_get(post.id) is None
    ctx.versions.autosave(post.id, "Autosaved", "promoted words")
    promoted = ctx.versions.promote(post.id, expected_version=1)
    assert (promoted.body, promoted.version) == ("promoted words", 2)
    assert ctx.versions.autosave_get(post.id) is None
    with pytest.raises(quire.NotFound):
        ctx.versions.promote(post.id, expected_version=2)  # no autosave any more
