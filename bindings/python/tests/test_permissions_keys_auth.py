"""Permissions (check, grant, roles), API keys and sign-in (login, tokens, logout, keys)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import quire
from conftest import PASSWORD, World, requires


@requires("quire_permission_check")
def test_check_explains(world: World) -> None:
    post = world.ctx.posts.create(title="Checked", body="x")
    yes = world.ctx.permissions.check("post.publish", resource=("post", post.id))
    assert isinstance(yes, quire.Decision) and yes.allowed and bool(yes) and yes.reason
    no = world.bob_ctx.permissions.check("post.update", resource=("post", str(post.id)))
    assert not no.allowed and not no and "post.update" in no.reason
    assert world.bob_ctx.permissions.check("post.create").allowed
    assert world.bob_ctx.permissions.check("post.update", resource=post).allowed is False
    with pytest.raises(quire.InvalidArgument):
        world.ctx.permissions.check("post.fly")


@requires("quire_permission_grant")
def test_grants(world: World) -> None:
    post = world.ctx.posts.create(title="Shared", body="x")
    grant = world.ctx.permissions.grant(world.bob.id, ("post", post.id), "write")
    assert isinstance(grant, quire.Grant)
    assert (grant.user_id, grant.resource_type, grant.resource_id, grant.level) == (
        world.bob.id, "post", str(post.id), "write")
    assert world.bob_ctx.permissions.check("post.update", resource=("post", post.id)).allowed
    assert world.bob_ctx.posts.update(post.id, expected_version=1, body="shared edit").version == 2
    world.ctx.permissions.revoke(world.bob.id, ("post", post.id))
    assert not world.bob_ctx.permissions.check("post.update", resource=("post", post.id)).allowed
    with pytest.raises(quire.NotFound):
        world.ctx.permissions.revoke(world.bob.id, ("post", post.id))
    with pytest.raises(quire.PermissionDenied):
        world.bob_ctx.permissions.grant(world.bob.id, ("post", post.id), "admin")


@requires("quire_permission_roles")
def test_roles(world: World) -> None:
    perms = quire.all_permissions()
    assert "post.create" in perms and world.ctx.permissions.all() == perms
    roles = {r.name: r for r in world.ctx.permissions.roles()}
    assert {"owner", "admin", "editor", "author", "contributor", "viewer"} <= set(roles)
    assert roles["editor"].builtin and "post.update" in roles["editor"].permissions
    role = world.ctx.permissions.define_role("reviewer", ["post.read", "version.read"])
    assert isinstance(role, quire.Role) and not role.builtin
    assert role.permissions == ["post.read", "version.read"]
    world.admin.tenants.set_role("acme", world.bob.id, "reviewer")
    with pytest.raises(quire.Conflict):
        world.ctx.permissions.delete_role("reviewer")  # bob still has it
    world.admin.tenants.set_role("acme", world.bob.id, "author")
    world.ctx.permissions.delete_role("reviewer")
    assert "reviewer" not in {r.name for r in world.ctx.permissions.roles()}
    with pytest.raises(quire.InvalidArgument):
        world.ctx.permissions.define_role("editor", ["post.read"])
    with pytest.raises(quire.NotFound):
        world.ctx.permissions.delete_role("reviewer")


@requires("quire_key_create")
def test_keys(world: World) -> None:
    keys = world.ctx.keys
    text, key = keys.create("ci", ["post.read", "post.create"])
    assert text.startswith("qk_") and isinstance(key, quire.Key)
    assert (key.name, sorted(key.scopes), key.created_by, key.use_count) == (
        "ci", ["post.create", "post.read"], world.alice.id, 0)
    assert key.revoked_at is None and key.expires_at is None and key.public_id in text
    expiring_text, expiring = keys.create("temp", ["post.read"],
                                          expires_at=datetime.now(timezone.utc) + timedelta(days=1))
    assert expiring.expires_at is not None
    assert {k.name for k in keys.list()} == {"ci", "temp"}

    key_ctx = world.db.context_from_key(text, request_id="ci-1")
    made = key_ctx.posts.create(title="By a key", body="x")
    assert made.title == "By a key"
    with pytest.raises(quire.PermissionDenied):
        key_ctx.posts.publish(made.id)  # not in its scopes
    world.ctx.posts.publish(made.id)
    same = world.db.context("acme", api_key=text)
    assert same.posts.get(made.id).id == made.id  # post.read: published posts

    new_text, rotated = keys.rotate(key.id)
    assert new_text != text and rotated.id == key.id
    with pytest.raises(quire.Unauthenticated):
        world.db.context_from_key(text)
    assert keys.revoke(key.id).revoked_at is not None
    with pytest.raises(quire.Unauthenticated):
        world.db.context_from_key(new_text)
    with pytest.raises(quire.Conflict):
        keys.rotate(key.id)
    with pytest.raises(quire.PermissionDenied):
        world.bob_ctx.keys.create("nope", ["post.read"])
    with pytest.raises(quire.InvalidArgument):
        keys.create("bad", ["post.fly"])


@requires("quire_db_login")
def test_login_token_logout(world: World) -> None:
    db = world.db
    token, ctx = db.login("acme", "alice", PASSWORD, ip="192.0.2.1")
    assert isinstance(token, str) and token.count(".") == 2
    assert isinstance(ctx, quire.Context) and ctx.session is not None
    assert ctx.session.token == token and ctx.session.user_id == world.alice.id
    assert ctx.session.expires_at > datetime.now(timezone.utc)
    assert ctx.tenants.get("acme").slug == "acme"
    _, by_email = db.login(world.tenant.id, "alice@acme.test", PASSWORD)
    again = db.context_from_token(token, expected_tenant="acme")
    assert again.posts.create(title="Via token", body="x").author_id == world.alice.id
    with pytest.raises(quire.Unauthenticated):
        db.context_from_token(token, expected_tenant="other")
    db.logout(token)
    with pytest.raises(quire.Unauthenticated):
        db.context_from_token(token)
    with pytest.raises(quire.Unauthenticated) as raised:
        db.login("acme", "alice", "wrong password!")
    assert raised.value.message in ("invalid credentials",) or "try again" in raised.value.message
    with pytest.raises(quire.Unauthenticated):
        db.context_from_token("not.a.token")
    failed = world.ctx.audit.query(action="auth.login_failed")
    assert failed.items


@requires("quire_db_rotate_token_secret")
def test_rotate_token_secret(world: World) -> None:
    token, _ = world.db.login("acme", "bob", PASSWORD)
    world.db.rotate_token_secret()
    with pytest.raises(quire.Unauthenticated):
        world.db.context_from_token(token)


@requires("quire_key_create")
def test_a_key_of_another_tenant_is_refused(world: World) -> None:
    world.admin.tenants.create(slug="other", name="Other")
    text, _ = world.ctx.keys.create("ci", ["post.read"])
    with pytest.raises(quire.Unauthenticated):
        world.db.context("other", api_key=text)
    assert world.db.context(world.tenant.id, api_key=text).info().actor_type == "api_key"
