"""The Audit engine: query, head, verify, export, retention."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

import quire
from conftest import World, requires

pytestmark = requires("quire_audit_query")


def test_query(world: World) -> None:
    ctx = world.ctx
    post = ctx.posts.create(title="Audited", body="x")
    ctx.posts.update(post.id, expected_version=1, body="y")
    page = ctx.audit.query(resource_type="post", limit=50)
    assert [e.action for e in page.items] == ["post.update", "post.create"]
    entry = page.items[0]
    assert isinstance(entry, quire.Entry)
    assert (entry.actor_type, entry.actor_id, entry.resource_id, entry.outcome) == (
        "user", world.alice.id, str(post.id), "ok")
    assert entry.at.tzinfo is not None and len(entry.hash) == 64 and len(entry.prev_hash) == 64
    assert isinstance(entry.new, dict) and entry.new is entry.new_values
    assert entry.seq > page.items[1].seq
    assert [e.action for e in ctx.audit.query(action="post.create")] == ["post.create"]
    assert [e.action for e in ctx.audit.query(resource_type="post", resource_id=post.id)] == ["post.update", "post.create"]
    assert ctx.audit.query(actor_id=world.bob.id).items == []
    small = ctx.audit.query(limit=1)
    assert len(small.items) == 1 and small.next_cursor
    assert len(list(ctx.audit.query_all(limit=1))) == len(list(ctx.audit.query(limit=1000)))
    since = datetime.now(timezone.utc) + timedelta(minutes=5)
    assert ctx.audit.query(since=since).items == []


def test_denials_are_audited(world: World) -> None:
    post = world.ctx.posts.create(title="Guarded", body="x")
    with pytest.raises(quire.PermissionDenied):
        world.bob_ctx.posts.update(post.id, expected_version=1, body="no")
    denied = world.ctx.audit.query(outcome="denied")
    assert denied.items and denied.items[0].actor_id == world.bob.id


def test_head_verify_export(world: World) -> None:
    ctx = world.ctx
    for i in range(3):
        ctx.posts.create(title=f"Chain {i}", body="x")
    head = ctx.audit.head()
    assert isinstance(head, quire.Head) and head.seq >= 3 and len(head.hash) == 64
    seq, digest = head  # unpacks as (seq, hash)
    verification = ctx.audit.verify()
    assert verification.ok and bool(verification) and verification.first_bad_seq is None
    assert verification.checked == seq
    assert ctx.audit.verify(head=head).ok
    assert ctx.audit.verify((seq, digest)).ok
    lines = ctx.audit.export().splitlines()
    assert len(lines) == seq and json.loads(lines[-1])["hash"] == digest
    rows = list(csv.reader(io.StringIO(ctx.audit.export(format="csv"))))
    assert len(rows) == seq + 1  # a header line
    chunks: list = []
    ctx.audit.export_to(chunks.append)
    assert b"".join(chunks).decode().splitlines() == lines
    buffer = io.BytesIO()
    ctx.audit.export_to(buffer.write, format="csv")
    assert buffer.getvalue().decode().count("\n") >= seq + 1
    with pytest.raises(quire.InvalidArgument):
        ctx.audit.export(format="xml")
    with pytest.raises(ValueError):
        ctx.audit.export_to(lambda chunk: (_ for _ in ()).throw(ValueError("disk full")))


def test_verify_finds_tampering(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = world.ctx
    for i in range(3):
        ctx.posts.create(title=f"Tamper {i}", body="x")
    head = ctx.audit.head()
    path = world.db.url[len("sqlite:"):]
    raw = sqlite3.connect(path)
    tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    for trigger in tables:
        raw.execute(f'DROP TRIGGER "{trigger}"')
    raw.execute("UPDATE audit_log SET action = 'post.forged' WHERE seq = 2 AND tenant_id = ?",
                (world.tenant.id,))
    raw.commit()
    raw.close()
    result = ctx.audit.verify(head)
    assert not result.ok and not result and result.first_bad_seq == 2


def test_purge_before(world: World) -> None:
    system = world.db.system("acme")
    world.ctx.posts.create(title="Old news", body="x")
    removed = system.audit.purge_before(datetime.now(timezone.utc) + timedelta(seconds=1))
    assert removed >= 1
    assert system.audit.verify().ok
    with pytest.raises(quire.PermissionDenied):
        world.ctx.audit.purge_before(datetime.now(timezone.utc))


def test_audit_needs_permission(world: World) -> None:
    with pytest.raises(quire.PermissionDenied):
        world.bob_ctx.audit.query()
