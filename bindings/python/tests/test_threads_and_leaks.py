"""One Database shared by threads; no memory growth over 100,000 calls."""

from __future__ import annotations

import gc
import threading
import time
from typing import List

import pytest

import quire
from conftest import CHEAP, PASSWORD, World, requires

THREADS = 4


def run_threads(target, count: int = THREADS) -> List[BaseException]:  # type: ignore[no-untyped-def]
    errors: List[BaseException] = []
    barrier = threading.Barrier(count)

    def guarded(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as error:  # noqa: B902 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_four_threads_share_one_database_for_tenants(world: World) -> None:
    db = world.db

    def work(i: int) -> None:
        ctx = db.system()  # a context per thread, as a host keeps per request
        for n in range(50):
            ctx.tenants.create(slug=f"th{i}-{n}", name=f"Thread {i} #{n}")
            world.admin.tenants.get(f"th{i}-{n}")  # and one context shared by all threads

    assert run_threads(work) == []
    assert len(list(world.admin.tenants.list_all(limit=1000))) == 1 + THREADS * 50


@requires("quire_post_create")
def test_four_threads_write_posts(world: World) -> None:
    db = world.db
    per_thread = 250

    def work(i: int) -> None:
        ctx = db.context("acme", user=world.alice.id, request_id=f"thread-{i}")
        for n in range(per_thread):
            post = ctx.posts.create(title=f"Thread {i} post {n}", body="Some text " * 20, tags=[f"t{i}"])
            post = world.ctx.posts.update(post.id, expected_version=post.version, body="changed")
            assert post.version == 2

    started = time.perf_counter()
    assert run_threads(work) == []
    elapsed = time.perf_counter() - started
    total = sum(1 for _ in world.ctx.posts.list_all(order="created_at", limit=1000))
    assert total == THREADS * per_thread
    assert {t.name: t.count for t in world.ctx.posts.tags()} == {f"t{i}": per_thread for i in range(THREADS)}
    assert world.ctx.audit.verify().ok
    print(f"\n{THREADS} threads: {2 * THREADS * per_thread} writes in {elapsed:.2f} s "
          f"({2 * THREADS * per_thread / elapsed:.0f} writes/s)")


def test_four_threads_with_transactions(world: World) -> None:
    db = world.db

    def work(i: int) -> None:
        ctx = db.system()
        for n in range(20):
            if n % 2:
                db.transaction(ctx, lambda tx: tx.tenants.create(slug=f"tx{i}-{n}", name="T"))
            else:
                with db.transaction(ctx) as tx:
                    tx.tenants.create(slug=f"tx{i}-{n}", name="T")

    assert run_threads(work) == []
    assert len(list(world.admin.tenants.list_all(limit=1000))) == 1 + THREADS * 20


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


@requires("quire_post_create")
def test_no_leak_over_100k_calls(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """100,000 calls after a warm-up — 1,000 creates and 99,000 gets of the posts made so far —
    grow RSS by less than 10 MiB. Creates are the minority: each is a write transaction, and the
    point is the binding's per-call memory (strings handed over, records, handles), which a get
    exercises as well. synchronous=normal keeps the writes from waiting on the disk."""
    db = quire.open(f"sqlite:{tmp_path / 'leak.db'}", synchronous="normal", **CHEAP)
    admin = db.system()
    admin.tenants.create(slug="leak", name="Leak", plan="enterprise")
    user = admin.users.create(username="leaker", email="leaker@x.test", password=PASSWORD)
    admin.tenants.add_member("leak", user.id, role="editor")
    ctx = db.context("leak", user=user.id)
    body = "A short body with a few words.\n" * 4

    def burst(creates: int, gets: int, ids: List[int]) -> None:
        per_create = gets // creates
        for n in range(creates):
            post = ctx.posts.create(title=f"Leak {len(ids)}", body=body, tags=["leak"])
            ids.append(post.id)
            for k in range(per_create):
                assert ctx.posts.get(ids[(n * 7 + k) % len(ids)]).id

    ids: List[int] = []
    burst(200, 10_000, ids)  # warm-up: caches, statements, the allocator's arenas
    gc.collect()
    before = rss_kib()
    started = time.perf_counter()
    burst(1_000, 99_000, ids)
    elapsed = time.perf_counter() - started
    gc.collect()
    grown = rss_kib() - before
    db.close()
    print(f"\n100,000 calls in {elapsed:.1f} s; RSS {before} KiB -> {before + grown} KiB "
          f"(+{grown / 1024:.1f} MiB)")
    assert grown < 10 * 1024, f"RSS grew by {grown} KiB over 100,000 calls"


def test_no_leak_on_failing_calls(world: World) -> None:
    """Failing calls (an error message each) and refused handles do not leak either."""
    ctx = world.admin
    for _ in range(2_000):
        with pytest.raises(quire.NotFound):
            ctx.tenants.get("missing")
    gc.collect()
    before = rss_kib()
    for _ in range(20_000):
        with pytest.raises(quire.NotFound):
            ctx.tenants.get("missing")
        system = world.db.system()
        system.close()
    gc.collect()
    assert rss_kib() - before < 4 * 1024
