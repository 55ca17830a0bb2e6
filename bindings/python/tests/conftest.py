"""Shared fixtures: a fresh database file per test, and a small world in it."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Iterator

import pytest

# The tests run against the package in this tree, whether or not it is installed.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import quire  # noqa: E402

#: The cheapest argon2id cost quire accepts (OWASP's line: t=2, m=19 MiB).
CHEAP = {"passwords": {"opslimit": 2, "memlimit": 19 * 1024 * 1024, "max_concurrent": 4}}
PASSWORD = "correct horse battery"


def has(symbol: str) -> bool:
    return quire._lib.lib().has(symbol)


def requires(symbol: str):  # type: ignore[no-untyped-def]
    """Skips a test while the loaded libquire lacks an entry point (the C ABI is landing)."""
    return pytest.mark.skipif(not has(symbol), reason=f"libquire has no {symbol} yet")


@pytest.fixture
def db(tmp_path) -> Iterator[quire.Database]:  # type: ignore[no-untyped-def]
    database = quire.open(f"sqlite:{tmp_path / 'test.db'}", **CHEAP)
    yield database
    database.close()


@dataclass
class World:
    db: quire.Database
    admin: quire.Context  # the tenant-less system context
    tenant: quire.Tenant  # "acme", plan pro
    alice: quire.User  # admin of acme
    bob: quire.User  # author of acme
    ctx: quire.Context  # alice in acme
    bob_ctx: quire.Context  # bob in acme


@pytest.fixture
def world(db: quire.Database) -> World:
    admin = db.system()
    tenant = admin.tenants.create(slug="acme", name="Acme Corp", plan="pro", domain="acme.test",
                                  settings={"base_url": "https://acme.test"})
    alice = admin.users.create(username="alice", email="alice@acme.test", password=PASSWORD,
                               display_name="Alice")
    bob = admin.users.create(username="bob", email="bob@acme.test", password=PASSWORD)
    admin.tenants.add_member("acme", alice.id, role="admin")
    admin.tenants.add_member("acme", bob.id, role="author")
    return World(db, admin, tenant, alice, bob, db.context("acme", user=alice.id),
                 db.context("acme", user=bob.id))
