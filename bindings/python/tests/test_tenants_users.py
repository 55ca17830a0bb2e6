"""Tenants, memberships and users through the binding."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import quire
from conftest import PASSWORD, World


def test_tenant_record(world: World) -> None:
    t = world.tenant
    assert isinstance(t, quire.Tenant)
    assert (t.slug, t.name, t.plan, t.domain) == ("acme", "Acme Corp", "pro", "acme.test")
    assert t.settings == {"base_url": "https://acme.test"}
    assert t.is_active and t.deleted_at is None
    assert isinstance(t.created_at, datetime) and t.created_at.tzinfo is not None
    assert t.created_at.utcoffset() == timezone.utc.utcoffset(None)
    assert abs((datetime.now(timezone.utc) - t.created_at).total_seconds()) < 60


def test_tenant_get_by_slug_id_domain(world: World) -> None:
    admin = world.admin
    assert admin.tenants.get("acme").id == world.tenant.id
    assert admin.tenants.get(world.tenant.id).slug == "acme"
    assert admin.tenants.get_by_domain("ACME.test").slug == "acme"
    with pytest.raises(quire.NotFound):
        admin.tenants.get("nope")


def test_tenant_update_lifecycle(world: World) -> None:
    admin = world.admin
    t = admin.tenants.update("acme", name="Acme Inc", settings={"base_url": "https://a.test", "x": [1]})
    assert t.name == "Acme Inc" and t.settings == {"base_url": "https://a.test", "x": [1]}
    assert admin.tenants.update("acme", domain=None).domain is None
    assert not admin.tenants.deactivate("acme").is_active
    with pytest.raises(quire.PermissionDenied):
        world.db.context("acme", user=world.alice.id)
    assert admin.tenants.activate("acme").is_active
    assert admin.tenants.delete("acme").deleted_at is not None
    assert admin.tenants.restore("acme").deleted_at is None
    with pytest.raises(quire.InvalidArgument, match="unknown field"):
        admin.tenants.update("acme", nmae="typo")


def test_tenant_list_pages(world: World) -> None:
    admin = world.admin
    for i in range(5):
        admin.tenants.create(slug=f"t{i}x", name=f"T{i}")
    page = admin.tenants.list(limit=2)
    assert isinstance(page, quire.Page) and len(page.items) == 2 and page.next_cursor
    assert [t.slug for t in page.all()] == ["acme", "t0x", "t1x", "t2x", "t3x", "t4x"]
    assert len(list(page.pages())) == 3
    assert [t.slug for t in admin.tenants.list_all(limit=4)][-1] == "t4x"
    second = admin.tenants.list(limit=2, cursor=page.next_cursor)
    assert [t.slug for t in second] == ["t1x", "t2x"]
    # a user context sees its own tenant only
    assert [t.slug for t in world.ctx.tenants.list_all()] == ["acme"]


def test_members(world: World) -> None:
    admin = world.admin
    members = admin.tenants.members("acme")
    assert [(m.user_id, m.role) for m in members] == [(world.alice.id, "admin"), (world.bob.id, "author")]
    assert isinstance(members[0], quire.Member) and members[0].joined_at is not None
    assert admin.tenants.set_role("acme", world.bob.id, "editor").role == "editor"
    # alice (admin) manages roles up to her own
    assert world.ctx.tenants.set_role("acme", world.bob.id, "author").role == "author"
    admin.tenants.remove_member("acme", world.bob.id)
    assert [m.user_id for m in admin.tenants.members("acme")] == [world.alice.id]
    with pytest.raises(quire.NotFound):
        admin.tenants.remove_member("acme", world.bob.id)
    with pytest.raises(quire.AlreadyExists):
        admin.tenants.add_member("acme", world.alice.id, role="viewer")


def test_invitations(world: World) -> None:
    """An admin invites; the invitee accepts from their own, tenant-less context."""
    carol = world.admin.users.create(username="carol", email="carol@acme.test", password=PASSWORD)
    with pytest.raises(quire.PermissionDenied, match="invite"):
        world.ctx.tenants.add_member("acme", carol.id, role="viewer")
    issued = world.ctx.tenants.invite("acme", "Carol@Acme.test", "editor")
    assert isinstance(issued, quire.IssuedInvitation)
    assert issued.token.startswith("qi_") and len(issued.token) == 46
    invitation = issued.invitation
    assert isinstance(invitation, quire.Invitation)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "carol@acme.test", "editor", world.alice.id)
    assert invitation.accepted_at is None and invitation.expires_at > invitation.created_at
    page = world.ctx.tenants.list_invitations("acme", limit=10)
    assert [i.id for i in page.items] == [invitation.id] and page.next_cursor is None
    with pytest.raises(quire.Unauthenticated, match="invitation is not valid"):
        world.db.user_context(world.bob).tenants.accept_invitation(issued.token)
    me = world.db.user_context(carol.id)
    member = me.tenants.accept_invitation(issued.token)
    assert (member.user_id, member.role) == (carol.id, "editor")
    with pytest.raises(quire.Unauthenticated):
        me.tenants.accept_invitation(issued.token)  # used up
    other = world.ctx.tenants.invite("acme", "dan@acme.test", "viewer")
    assert world.ctx.tenants.revoke_invitation("acme", other.invitation.id).revoked_at is not None
    assert world.ctx.tenants.list_invitations("acme").items == []
    with pytest.raises(quire.NotFound):
        world.db.user_context(424242)


def test_users(world: World) -> None:
    admin = world.admin
    alice = admin.users.get(world.alice.id)
    assert isinstance(alice, quire.User)
    assert (alice.username, alice.email, alice.display_name) == ("alice", "alice@acme.test", "Alice")
    assert admin.users.get("bob").id == world.bob.id
    assert not hasattr(alice, "password")
    page = admin.users.list(limit=1)
    assert len(page.items) == 1 and [u.username for u in page.all()] == ["alice", "bob"]
    assert [u.username for u in admin.users.list_all()] == ["alice", "bob"]
    assert admin.users.update(world.bob.id, display_name="Bobby").display_name == "Bobby"
    # a user updates their own account
    assert world.bob_ctx.users.update(world.bob.id, display_name="Bob").display_name == "Bob"
    with pytest.raises(quire.PermissionDenied):
        world.bob_ctx.users.update(world.alice.id, display_name="Mallory")
    admin.users.set_password(world.bob.id, "another long password")
    assert not admin.users.deactivate(world.bob.id).is_active
    with pytest.raises(quire.PermissionDenied):
        world.db.context("acme", user=world.bob.id)
    assert admin.users.activate(world.bob.id).is_active
    with pytest.raises(quire.AlreadyExists):
        admin.users.create(username="alice", email="other@acme.test", password=PASSWORD)
    with pytest.raises(quire.InvalidArgument, match="password"):
        admin.users.create(username="carol", email="carol@acme.test", password="short")


def test_context_objects(world: World) -> None:
    if not quire._lib.lib().has("quire_ctx_info"):
        pytest.skip("libquire has no quire_ctx_info yet")
    info = world.ctx.info()
    assert (info.tenant_id, info.actor_type, info.actor_id) == (world.tenant.id, "user", world.alice.id)
    assert world.admin.info().tenant_id is None and world.admin.info().actor_type == "system"
    derived = world.ctx.with_request(ip="203.0.113.9", request_id="r-1")
    assert derived.info().ip == "203.0.113.9" and derived.info().request_id == "r-1"
    inside = world.db.system("acme")
    assert inside.info().tenant_id == world.tenant.id


def test_system_context_in_a_tenant(world: World) -> None:
    inside = world.db.system("acme")
    assert inside.tenants.get("acme").slug == "acme"
    with pytest.raises(quire.NotFound):
        world.db.system("nope")


def test_plan_quota(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import CHEAP

    db = quire.open(f"sqlite:{tmp_path / 'q.db'}", plans=[{"name": "tiny", "max_members": 1, "max_posts": 1}],
                    default_plan="tiny", **CHEAP)
    admin = db.system()
    admin.tenants.create(slug="small", name="Small")
    a = admin.users.create(username="a1", email="a1@x.test", password=PASSWORD)
    b = admin.users.create(username="b1", email="b1@x.test", password=PASSWORD)
    admin.tenants.add_member("small", a.id, role="owner")
    with pytest.raises(quire.QuotaExceeded) as raised:
        admin.tenants.add_member("small", b.id, role="viewer")
    assert raised.value.code == -7 and raised.value.code_name == "QUIRE_EQUOTA"
    assert raised.value.message
    db.close()
