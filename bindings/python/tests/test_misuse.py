"""Misuse raises a clear Python exception, never a crash."""

from __future__ import annotations

import gc

import pytest

import quire
from conftest import CHEAP, World, requires


def test_wrong_argument_types_are_type_errors(world: World) -> None:
    with pytest.raises(TypeError, match="url must be a str"):
        quire.open(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="id_or_username must be an int"):
        world.admin.users.get(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="slug must be a str"):
        world.admin.tenants.create(slug=7, name="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tenant must be a slug"):
        world.admin.tenants.get(["acme"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="user_id must be an int"):
        world.admin.tenants.add_member("acme", "7", role="viewer")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="user_id must be an int"):
        world.admin.tenants.add_member("acme", True, role="viewer")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="settings must be a dict"):
        world.admin.tenants.create(slug="x1", name="x", settings=[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        world.db.context("acme")  # neither user nor api_key
    with pytest.raises(TypeError, match="cannot be sent to quire as JSON"):
        world.admin.tenants.update("acme", settings={"x": object()})


@requires("quire_post_create")
def test_wrong_post_argument_types(world: World) -> None:
    with pytest.raises(TypeError, match="id must be an int"):
        world.ctx.posts.get("5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tags must be a list of str"):
        world.ctx.posts.create(title="x", tags="news")
    with pytest.raises(TypeError, match="unexpected field"):
        world.ctx.posts.update(1, expected_version=1, titel="typo")
    with pytest.raises(TypeError, match="resource must be a"):
        world.ctx.permissions.check("post.update", resource="post:1")  # type: ignore[arg-type]


def test_values_c_cannot_carry_are_invalid_arguments(world: World) -> None:
    with pytest.raises(quire.InvalidArgument, match="NUL"):
        world.admin.tenants.get("ac\0me")
    with pytest.raises(quire.InvalidArgument, match="64 bits"):
        world.admin.users.get(2**64)
    with pytest.raises(quire.InvalidArgument, match="UTF-8"):
        world.admin.tenants.get("\udc80")


def test_closed_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = quire.open(f"sqlite:{tmp_path / 'c.db'}", **CHEAP)
    admin = db.system()
    admin.tenants.create(slug="acme", name="Acme")
    db.close()
    db.close()  # idempotent
    assert db.closed
    with pytest.raises(quire.InvalidArgument, match="database is closed"):
        db.system()
    with pytest.raises(quire.InvalidArgument, match="database of this context is closed"):
        admin.tenants.get("acme")
    with pytest.raises(quire.InvalidArgument):
        db.transaction(admin, lambda tx: None)
    with pytest.raises(quire.InvalidArgument):
        with db.transaction(admin):
            pass


def test_database_as_context_manager(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with quire.open(f"sqlite:{tmp_path / 'w.db'}", **CHEAP) as db:
        db.system().tenants.create(slug="acme", name="Acme")
    assert db.closed
    with quire.open(f"sqlite:{tmp_path / 'w.db'}", **CHEAP) as again:
        assert again.system().tenants.get("acme").name == "Acme"


def test_closed_context(world: World) -> None:
    ctx = world.db.context("acme", user=world.alice.id)
    ctx.close()
    ctx.close()
    assert ctx.closed
    with pytest.raises(quire.InvalidArgument, match="context is closed"):
        ctx.tenants.get("acme")
    with world.db.system() as scoped:
        scoped.tenants.get("acme")
    with pytest.raises(quire.InvalidArgument):
        scoped.tenants.get("acme")


def test_a_context_keeps_its_database_alive(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = quire.open(f"sqlite:{tmp_path / 'k.db'}", **CHEAP)
    admin = db.system()
    del db
    gc.collect()
    assert admin.tenants.create(slug="acme", name="Acme").slug == "acme"
    admin.db.close()


def test_garbage_collected_handles_are_freed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        db = quire.open("sqlite::memory:", **CHEAP)
        ctx = db.system()
        ctx.tenants.list()
        del ctx, db
    gc.collect()


def test_options_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(quire.InvalidArgument, match="OWASP"):
        quire.open(f"sqlite:{tmp_path / 'o.db'}", passwords={"opslimit": 1, "memlimit": 8192})
    with pytest.raises(quire.InvalidArgument):
        quire.open(f"sqlite:{tmp_path / 'o.db'}", synchronous="sometimes")
    with pytest.raises(quire.InvalidArgument):
        quire.open("mysql://nope")


def test_error_attributes(world: World) -> None:
    with pytest.raises(quire.NotFound) as raised:
        world.admin.tenants.get("missing")
    error = raised.value
    assert isinstance(error, quire.Error) and isinstance(error, Exception)
    assert error.code == -2 and error.code_name == "QUIRE_ENOTFOUND"
    assert "missing" in error.message and str(error).startswith("[QUIRE_ENOTFOUND]")
    assert isinstance(error.detail, str)
