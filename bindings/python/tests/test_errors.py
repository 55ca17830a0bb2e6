"""Every exception class of the error table, raised by a real failure of the library."""

from __future__ import annotations

import sqlite3

import pytest

import quire
from conftest import CHEAP, PASSWORD, World, requires


FACTS = ("current_version", "permission", "role", "quota", "limit", "plan", "field", "retryable")


def check(error: quire.Error, cls: type, code: int, name: str, **facts: object) -> None:
    """The class, the code, and the facts: those named, and None for every other one."""
    assert type(error) is cls and isinstance(error, quire.Error)
    assert error.code == code and error.code_name == name
    assert error.message and str(error).startswith(f"[{name}] ")
    assert {fact: getattr(error, fact) for fact in FACTS} == {
        fact: facts.get(fact) for fact in FACTS
    }


def test_invalid_argument(world: World) -> None:
    with pytest.raises(quire.InvalidArgument) as raised:
        world.admin.tenants.create(slug="Not A Slug", name="x")
    check(raised.value, quire.InvalidArgument, -1, "QUIRE_EINVAL", field="slug")


def test_not_found(world: World) -> None:
    with pytest.raises(quire.NotFound) as raised:
        world.admin.users.get(999)
    check(raised.value, quire.NotFound, -2, "QUIRE_ENOTFOUND")


def test_already_exists(world: World) -> None:
    with pytest.raises(quire.AlreadyExists) as raised:
        world.admin.tenants.create(slug="acme", name="Again")
    check(raised.value, quire.AlreadyExists, -3, "QUIRE_EEXISTS")


@requires("quire_post_update")
def test_conflict(world: World) -> None:
    post = world.ctx.posts.create(title="Conflicted", body="x")
    world.ctx.posts.update(post.id, expected_version=1, body="y")
    with pytest.raises(quire.Conflict) as raised:
        world.ctx.posts.update(post.id, expected_version=1, body="z")
    check(raised.value, quire.Conflict, -4, "QUIRE_ECONFLICT", current_version=2)


def test_permission_denied(world: World) -> None:
    with pytest.raises(quire.PermissionDenied) as raised:
        world.bob_ctx.posts.publish(world.ctx.posts.create(title="Alice's").id)
    check(raised.value, quire.PermissionDenied, -5, "QUIRE_EPERM", permission="post.publish",
          role="author")


@requires("quire_db_login")
def test_unauthenticated(world: World) -> None:
    with pytest.raises(quire.Unauthenticated) as raised:
        world.db.login("acme", "alice", "not the password")
    check(raised.value, quire.Unauthenticated, -6, "QUIRE_EAUTH")


def test_quota_exceeded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = quire.open(f"sqlite:{tmp_path / 'q.db'}", plans=[{"name": "one", "max_members": 1, "max_posts": 1}],
                    default_plan="one", **CHEAP)
    admin = db.system()
    admin.tenants.create(slug="solo", name="Solo")
    users = [admin.users.create(username=f"u{i}", email=f"u{i}@x.test", password=PASSWORD) for i in range(2)]
    admin.tenants.add_member("solo", users[0].id, role="owner")
    with pytest.raises(quire.QuotaExceeded) as raised:
        admin.tenants.add_member("solo", users[1].id, role="viewer")
    check(raised.value, quire.QuotaExceeded, -7, "QUIRE_EQUOTA", quota="members", limit=1,
          plan="one")
    db.close()


def test_busy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = quire.open(f"sqlite:{tmp_path / 'b.db'}", busy_timeout_ms=50, **CHEAP)
    admin, other = db.system(), db.system()
    admin.tenants.create(slug="acme", name="Acme")
    caught = []
    with db.transaction(admin) as tx:
        tx.tenants.update("acme", name="Held")
        try:
            other.tenants.create(slug="blocked", name="Blocked")
        except quire.Busy as error:
            caught.append(error)
    check(caught[0], quire.Busy, -8, "QUIRE_EBUSY")  # SQLite's lock timeout: not retryable
    db.close()


def test_facts_are_read_once_when_raised(world: World) -> None:
    """Each error holds its own facts: a later failure on the thread does not change them."""
    with pytest.raises(quire.InvalidArgument) as first:
        world.admin.tenants.create(slug="Bad Slug", name="x")
    with pytest.raises(quire.NotFound) as second:
        world.admin.tenants.get("missing")
    assert first.value.field == "slug" and second.value.field is None


def test_errors_the_binding_makes_have_no_facts(world: World) -> None:
    ctx = world.db.context("acme", user=world.alice.id)
    ctx.close()
    with pytest.raises(quire.InvalidArgument) as raised:
        ctx.tenants.get("acme")
    check(raised.value, quire.InvalidArgument, -1, "QUIRE_EINVAL")


def test_storage_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(quire.StorageError) as raised:
        quire.open(f"sqlite:{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}")
    check(raised.value, quire.StorageError, -9, "QUIRE_ESTORAGE")


def test_corrupt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database file at all" * 200)
    with pytest.raises(quire.Corrupt) as raised:
        quire.open(f"sqlite:{path}")
    check(raised.value, quire.Corrupt, -10, "QUIRE_ECORRUPT")


@requires("quire_db_context_from_token")
def test_corrupt_token_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The token secret deleted behind quire's back while a session it signed is live: stored data
    failed an integrity check, QUIRE_ECORRUPT. (A libquire from before that rule reported it as
    QUIRE_EINTERNAL, which is accepted too; QUIRE_EINTERNAL has no failure of its own to provoke,
    being a bug: test_library checks its class.)"""
    path = tmp_path / "i.db"
    db = quire.open(f"sqlite:{path}", **CHEAP)
    admin = db.system()
    admin.tenants.create(slug="acme", name="Acme")
    user = admin.users.create(username="ann", email="ann@x.test", password=PASSWORD)
    admin.tenants.add_member("acme", user.id, role="viewer")
    token, _ = db.login("acme", "ann", PASSWORD)
    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM quire_secrets")
    raw.commit()
    raw.close()
    with pytest.raises((quire.Corrupt, quire.InternalError)) as raised:
        db.context_from_token(token)
    if type(raised.value) is quire.InternalError:
        check(raised.value, quire.InternalError, -11, "QUIRE_EINTERNAL")
    else:
        check(raised.value, quire.Corrupt, -10, "QUIRE_ECORRUPT")
    assert "secret" in raised.value.message
    db.close()


def test_not_supported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "future.db"
    quire.open(f"sqlite:{path}", **CHEAP).close()
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO schema_version (version, applied_at) VALUES (9999, 0)")
    raw.commit()
    raw.close()
    with pytest.raises(quire.NotSupported) as raised:
        quire.open(f"sqlite:{path}")
    check(raised.value, quire.NotSupported, -12, "QUIRE_ENOTSUP")
    assert "newer" in raised.value.message
