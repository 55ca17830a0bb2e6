"""db.transaction in its two forms, callable and context manager, over quire_tx_* handles."""

from __future__ import annotations

import os
import threading

import pytest

import quire
from conftest import CHEAP, World


def names(world: World) -> str:
    return world.admin.tenants.get("acme").name


def test_callable_form_commits_and_returns(world: World) -> None:
    def body(tx: quire.Context) -> int:
        tx.tenants.update("acme", name="One")
        tx.tenants.create(slug="beta", name="Beta")
        return 42

    assert world.db.transaction(world.admin, body) == 42
    assert names(world) == "One" and world.admin.tenants.get("beta").name == "Beta"


def test_callable_form_rolls_back_on_any_exception(world: World) -> None:
    def body(tx: quire.Context) -> None:
        tx.tenants.update("acme", name="Two")
        tx.tenants.create(slug="gamma", name="Gamma")
        raise ValueError("changed my mind")

    with pytest.raises(ValueError, match="changed my mind"):
        world.db.transaction(world.admin, body)
    assert names(world) == "Acme Corp"
    with pytest.raises(quire.NotFound):
        world.admin.tenants.get("gamma")


def test_callable_form_rolls_back_on_a_quire_error(world: World) -> None:
    def body(tx: quire.Context) -> None:
        tx.tenants.update("acme", name="Three")
        tx.tenants.create(slug="acme", name="Duplicate")  # AlreadyExists

    with pytest.raises(quire.AlreadyExists):
        world.db.transaction(world.admin, body)
    assert names(world) == "Acme Corp"


def test_with_form_commits(world: World) -> None:
    with world.db.transaction(world.admin) as tx:
        tx.tenants.update("acme", name="Four")
        assert tx.tenants.get("acme").name == "Four"
    assert names(world) == "Four"


def test_with_form_rolls_back(world: World) -> None:
    with pytest.raises(KeyError):
        with world.db.transaction(world.admin) as tx:
            tx.tenants.update("acme", name="Five")
            raise KeyError("no")
    assert names(world) == "Acme Corp"


def test_with_form_quire_error_inside_rolls_back(world: World) -> None:
    with pytest.raises(quire.NotFound):
        with world.db.transaction(world.admin) as tx:
            tx.tenants.update("acme", name="Six")
            tx.tenants.get("missing")
    assert names(world) == "Acme Corp"


def test_nested_failure_undoes_only_the_inner_part(world: World) -> None:
    def outer(tx: quire.Context) -> None:
        tx.tenants.update("acme", name="Outer")
        with pytest.raises(RuntimeError):
            world.db.transaction(tx, lambda inner: (inner.tenants.create(slug="inner", name="I"),
                                                    (_ for _ in ()).throw(RuntimeError("x"))))
        tx.tenants.create(slug="kept", name="Kept")

    world.db.transaction(world.admin, outer)
    assert names(world) == "Outer" and world.admin.tenants.get("kept")
    with pytest.raises(quire.NotFound):
        world.admin.tenants.get("inner")


def test_nested_with_forms(world: World) -> None:
    with world.db.transaction(world.admin) as tx:
        tx.tenants.update("acme", name="A")
        with pytest.raises(ZeroDivisionError):
            with world.db.transaction(tx) as inner:
                inner.tenants.create(slug="inner", name="I")
                assert tx.tenants.get("inner").name == "I"  # the outer tx sees the inner work
                1 / 0
        with world.db.transaction(tx) as inner:
            inner.tenants.create(slug="inner2", name="I2")
        # the callable form nests the same way
        world.db.transaction(tx, lambda t: t.tenants.create(slug="inner3", name="I3"))
    assert names(world) == "A"
    assert world.admin.tenants.get("inner2") and world.admin.tenants.get("inner3")
    with pytest.raises(quire.NotFound):
        world.admin.tenants.get("inner")


def test_tx_is_refused_after_the_transaction(world: World) -> None:
    kept = []
    world.db.transaction(world.admin, kept.append)
    with pytest.raises(quire.InvalidArgument, match="transaction has ended"):
        kept[0].tenants.get("acme")
    with world.db.transaction(world.admin) as tx:
        pass
    with pytest.raises(quire.InvalidArgument, match="transaction has ended"):
        tx.tenants.get("acme")


def test_with_form_tx_used_from_another_thread(world: World) -> None:
    with world.db.transaction(world.admin) as tx:
        errors: list = []
        thread = threading.Thread(target=lambda: errors.append(tx.tenants.update("acme", name="T")))
        thread.start()
        thread.join()
        assert isinstance(errors[0], quire.Tenant)
    assert names(world) == "T"


def test_close_inside_a_transaction_rolls_it_back(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Closing does not wait for an open transaction: it rolls it back, and the end says so."""
    with pytest.raises(quire.InvalidArgument, match="transaction has ended"):
        with world.db.transaction(world.admin) as tx:
            tx.tenants.create(slug="lost", name="Lost")
            world.db.close()
    assert world.db.closed
    again = quire.open(world.db.url, **CHEAP)
    with pytest.raises(quire.NotFound):
        again.system().tenants.get("lost")
    again.close()


def test_an_exception_after_close_inside_still_propagates(world: World) -> None:
    with pytest.raises(ZeroDivisionError):
        with world.db.transaction(world.admin):
            world.db.close()
            1 / 0


def test_another_context_writing_during_a_transaction_is_busy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = quire.open(f"sqlite:{tmp_path / 'b.db'}", busy_timeout_ms=100, **CHEAP)
    admin = db.system()
    other = db.system()
    admin.tenants.create(slug="acme", name="Acme")
    with pytest.raises(quire.Busy) as raised:
        with db.transaction(admin) as tx:
            tx.tenants.update("acme", name="Locked")
            other.tenants.update("acme", name="Blocked")
    assert raised.value.code_name == "QUIRE_EBUSY"
    assert admin.tenants.get("acme").name == "Acme"
    db.close()


def test_transaction_argument_checks(world: World) -> None:
    with pytest.raises(TypeError):
        world.db.transaction("acme")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        world.db.transaction(world.admin, 42)  # type: ignore[arg-type]


def test_callable_tx_may_be_used_from_another_thread(world: World) -> None:
    """The handle is not bound to a thread: any thread may use it, one call at a time."""
    seen: list = []

    def body(tx: quire.Context) -> None:
        thread = threading.Thread(target=lambda: seen.append(tx.tenants.update("acme", name="Th")))
        thread.start()
        thread.join()
        with world.db.transaction(tx) as inner:  # the with form nests in the callable form
            inner.tenants.create(slug="nested", name="N")
        tx.with_request(request_id="r").tenants.get("acme")  # derived: joins the transaction

    world.db.transaction(world.admin, body)
    assert isinstance(seen[0], quire.Tenant)
    assert names(world) == "Th" and world.admin.tenants.get("nested")


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux's /proc")
def test_no_thread_of_its_own(world: World) -> None:
    """Both forms run on the calling thread: no Python thread and no OS thread appears."""
    before = (threading.active_count(), os_threads())
    inside = []
    with world.db.transaction(world.admin) as tx:
        tx.tenants.update("acme", name="Counted")
        inside.append((threading.active_count(), os_threads()))
        with world.db.transaction(tx) as inner:
            inner.tenants.create(slug="counted", name="C")
            inside.append((threading.active_count(), os_threads()))
    world.db.transaction(
        world.admin, lambda t: inside.append((threading.active_count(), os_threads()))
    )
    assert inside == [before, before, before]
    assert names(world) == "Counted"


def test_a_failed_operation_inside_then_commit(world: World) -> None:
    """A failure inside undoes only its own part; the block that catches it commits the rest."""
    with world.db.transaction(world.admin) as tx:
        tx.tenants.create(slug="before", name="Before")
        with pytest.raises(quire.AlreadyExists):
            tx.tenants.create(slug="acme", name="Dup")
        tx.tenants.create(slug="after", name="After")
    assert world.admin.tenants.get("before") and world.admin.tenants.get("after")
    assert names(world) == "Acme Corp"


def test_a_context_of_another_database_is_refused(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = quire.open(f"sqlite:{tmp_path / 'other.db'}", **CHEAP)
    with pytest.raises(quire.InvalidArgument, match="another database"):
        world.db.transaction(other.system())
    with pytest.raises(quire.InvalidArgument, match="another database"):
        world.db.transaction(other.system(), lambda tx: None)
    other.close()


def test_closing_the_transaction_context_does_nothing(world: World) -> None:
    """The transaction owns its context (as in C): close() and `with` on it leave it open."""
    with world.db.transaction(world.admin) as tx:
        with tx:
            tx.tenants.update("acme", name="Still")
        tx.close()
        tx.tenants.create(slug="still-open", name="S")
    assert names(world) == "Still" and world.admin.tenants.get("still-open")


def test_a_with_form_is_entered_once(world: World) -> None:
    transaction = world.db.transaction(world.admin)
    with transaction:
        pass
    with pytest.raises(quire.InvalidArgument, match="already entered"):
        with transaction:
            pass


def test_commit_errors_are_raised(world: World) -> None:
    """The commit's own failure reaches the block's caller (here: the database closed under it,
    from another thread, which rolls the transaction back)."""
    with pytest.raises(quire.InvalidArgument, match="transaction has ended"):
        with world.db.transaction(world.admin) as tx:
            tx.tenants.create(slug="closed-under", name="C")
            closer = threading.Thread(target=world.db.close)
            closer.start()
            closer.join()
