"""The regular methods of the engines and the JSON inputs' field lists.

quire._core's engine classes derive from these and add the hand-written
methods (those the definition marks "manual").

Generated from capi/quire.abi.json by scripts/gen_abi.py: do not edit, run scripts/quire gen.
"""

# fmt: off
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Union

from ._args import (
    TimeLike,
    _bool,
    _dict_or_none,
    _Engine,
    _int,
    _int32,
    _json,
    _limit,
    _opt_text,
    _opt_time_arg,
    _post_id,
    _str,
    _str_list,
    _tenant,
    _tenant_value,
    _text,
    _time,
    _time_arg,
    _user_id,
)
from ._record_types import (  # noqa: F401
    Autosave,
    ContextInfo,
    Decision,
    Diff,
    DiffLine,
    Entry,
    Grant,
    Hit,
    Hunk,
    Invitation,
    IssuedInvitation,
    Key,
    Member,
    Post,
    Role,
    Session,
    Snapshot,
    Tenant,
    Term,
    User,
    Verification,
    Version,
)

#: The fields of each JSON input of the C ABI (capi/quire.abi.json).
FIELDS = {
    "options_json": ("synchronous", "reader_connections", "busy_timeout_ms", "wal_autocheckpoint_pages", "default_plan", "plans", "passwords",),
    "options_plan": ("name", "max_members", "max_posts",),
    "options_passwords": ("opslimit", "memlimit", "max_concurrent",),
    "context_json": ("tenant", "user", "ip", "user_agent", "request_id",),
    "request_json": ("ip", "user_agent", "request_id",),
    "tenant_json": ("slug", "name", "plan", "domain", "settings",),
    "tenant_patch": ("name", "plan", "domain", "settings",),
    "tenant_query": ("include_inactive", "include_deleted", "limit", "cursor",),
    "invitation_query": ("limit", "cursor",),
    "user_json": ("username", "email", "password", "display_name",),
    "user_patch": ("username", "email", "display_name",),
    "user_query": ("limit", "cursor",),
    "post_json": ("title", "body", "type", "slug", "status", "tags", "category", "excerpt", "seo", "fields", "parent_id",),
    "post_patch": ("title", "body", "slug", "tags", "category", "excerpt", "seo", "fields", "parent_id",),
    "post_query": ("type", "status", "author_id", "category", "tag", "parent_id", "since", "until", "deleted", "order", "limit", "cursor",),
    "audit_query": ("actor_type", "actor_id", "action", "resource_type", "resource_id", "outcome", "since", "until", "limit", "cursor",),
    "head_json": ("seq", "hash",),
    "key_json": ("name", "scopes", "expires_at",),
}


class TenantsMethods(_Engine):
    """The generated methods of ctx.tenants."""

    __slots__ = ()

    def create(
        self,
        slug: str,
        name: str,
        plan: Optional[str] = None,
        domain: Optional[str] = None,
        settings: Optional[Dict[str, Any]] = None,
    ) -> Tenant:
        record: Dict[str, Any] = {}
        record["slug"] = _str(slug, "slug")
        record["name"] = _str(name, "name")
        if plan is not None:
            record["plan"] = _str(plan, "plan")
        if domain is not None:
            record["domain"] = _str(domain, "domain")
        if settings is not None:
            record["settings"] = _dict_or_none(settings, "settings")
        data = self._ctx._json("quire_tenant_create", _json(record, "tenant"))
        return Tenant.from_json(data)

    def get(self, slug_or_id: Union[str, int]) -> Tenant:
        data = self._ctx._json("quire_tenant_get", _tenant(slug_or_id))
        return Tenant.from_json(data)

    def get_by_domain(self, domain: str) -> Tenant:
        data = self._ctx._json("quire_tenant_get_by_domain", _text(domain, "domain"))
        return Tenant.from_json(data)

    def update(self, slug_or_id: Union[str, int], **fields: Any) -> Tenant:
        """Changes some of name, plan, domain (None clears it), settings (replaces the object)."""
        data = self._ctx._json(
            "quire_tenant_update",
            _tenant(slug_or_id),
            _json(fields, "fields"),
        )
        return Tenant.from_json(data)

    def deactivate(self, slug_or_id: Union[str, int]) -> Tenant:
        data = self._ctx._json("quire_tenant_deactivate", _tenant(slug_or_id))
        return Tenant.from_json(data)

    def activate(self, slug_or_id: Union[str, int]) -> Tenant:
        data = self._ctx._json("quire_tenant_activate", _tenant(slug_or_id))
        return Tenant.from_json(data)

    def delete(self, slug_or_id: Union[str, int]) -> Tenant:
        data = self._ctx._json("quire_tenant_delete", _tenant(slug_or_id))
        return Tenant.from_json(data)

    def restore(self, slug_or_id: Union[str, int]) -> Tenant:
        data = self._ctx._json("quire_tenant_restore", _tenant(slug_or_id))
        return Tenant.from_json(data)

    def add_member(self, tenant: Union[str, int], user_id: int, role: str) -> Member:
        data = self._ctx._json(
            "quire_member_add",
            _tenant(tenant),
            _user_id(user_id, "user_id"),
            _text(role, "role"),
        )
        return Member.from_json(data)

    def set_role(self, tenant: Union[str, int], user_id: int, role: str) -> Member:
        data = self._ctx._json(
            "quire_member_set_role",
            _tenant(tenant),
            _user_id(user_id, "user_id"),
            _text(role, "role"),
        )
        return Member.from_json(data)

    def remove_member(self, tenant: Union[str, int], user_id: int) -> None:
        self._ctx._void(
            "quire_member_remove",
            _tenant(tenant),
            _user_id(user_id, "user_id"),
        )

    def members(self, tenant: Union[str, int]) -> List[Member]:
        data = self._ctx._json("quire_member_list", _tenant(tenant))
        return [Member.from_json(item) for item in data]

    def invite(self, tenant: Union[str, int], email: str, role: str) -> IssuedInvitation:
        data = self._ctx._json(
            "quire_invitation_create",
            _tenant(tenant),
            _text(email, "email"),
            _text(role, "role"),
        )
        return IssuedInvitation.from_json(data)

    def revoke_invitation(self, tenant: Union[str, int], id: int) -> Invitation:
        data = self._ctx._json("quire_invitation_revoke", _tenant(tenant), _int(id, "id"))
        return Invitation.from_json(data)

    def accept_invitation(self, token: str) -> Member:
        data = self._ctx._json("quire_invitation_accept", _text(token, "token"))
        return Member.from_json(data)


class UsersMethods(_Engine):
    """The generated methods of ctx.users."""

    __slots__ = ()

    def create(
        self,
        username: str,
        email: str,
        password: str,
        display_name: Optional[str] = None,
    ) -> User:
        record: Dict[str, Any] = {}
        record["username"] = _str(username, "username")
        record["email"] = _str(email, "email")
        record["password"] = _str(password, "password")
        if display_name is not None:
            record["display_name"] = _str(display_name, "display_name")
        data = self._ctx._json("quire_user_create", _json(record, "user"))
        return User.from_json(data)

    def update(self, id: int, **fields: Any) -> User:
        """Changes some of username, email, display_name."""
        data = self._ctx._json(
            "quire_user_update",
            _user_id(id, "id"),
            _json(fields, "fields"),
        )
        return User.from_json(data)

    def set_password(self, id: int, password: str) -> None:
        self._ctx._void(
            "quire_user_set_password",
            _user_id(id, "id"),
            _text(password, "password"),
        )

    def deactivate(self, id: int) -> User:
        data = self._ctx._json("quire_user_deactivate", _user_id(id, "id"))
        return User.from_json(data)

    def activate(self, id: int) -> User:
        data = self._ctx._json("quire_user_activate", _user_id(id, "id"))
        return User.from_json(data)


class PostsMethods(_Engine):
    """The generated methods of ctx.posts."""

    __slots__ = ()

    def create(
        self,
        title: str,
        body: str = "",
        type: str = "post",
        slug: Optional[str] = None,
        status: str = "draft",
        tags: Sequence[str] = (),
        category: Optional[str] = None,
        excerpt: Optional[str] = None,
        seo: Optional[Dict[str, Any]] = None,
        fields: Optional[Dict[str, Any]] = None,
        parent_id: Optional[int] = None,
    ) -> Post:
        record: Dict[str, Any] = {}
        record["title"] = _str(title, "title")
        record["body"] = _str(body, "body")
        record["type"] = _str(type, "type")
        if slug is not None:
            record["slug"] = _str(slug, "slug")
        record["status"] = _str(status, "status")
        record["tags"] = _str_list(tags, "tags")
        if category is not None:
            record["category"] = _str(category, "category")
        if excerpt is not None:
            record["excerpt"] = _str(excerpt, "excerpt")
        if seo is not None:
            record["seo"] = _dict_or_none(seo, "seo")
        if fields is not None:
            record["fields"] = _dict_or_none(fields, "fields")
        if parent_id is not None:
            record["parent_id"] = _post_id(parent_id, "parent_id")
        data = self._ctx._json("quire_post_create", _json(record, "post"))
        return Post.from_json(data)

    def get(self, id: int) -> Post:
        data = self._ctx._json("quire_post_get", _post_id(id, "id"))
        return Post.from_json(data)

    def get_by_slug(self, slug: str, type: str = "post") -> Post:
        data = self._ctx._json(
            "quire_post_get_by_slug",
            _text(slug, "slug"),
            _text(type, "type"),
        )
        return Post.from_json(data)

    def record_view(self, id: int) -> Post:
        data = self._ctx._json("quire_post_record_view", _post_id(id, "id"))
        return Post.from_json(data)

    def submit(self, id: int) -> Post:
        data = self._ctx._json("quire_post_submit", _post_id(id, "id"))
        return Post.from_json(data)

    def publish(self, id: int) -> Post:
        data = self._ctx._json("quire_post_publish", _post_id(id, "id"))
        return Post.from_json(data)

    def unpublish(self, id: int) -> Post:
        data = self._ctx._json("quire_post_unpublish", _post_id(id, "id"))
        return Post.from_json(data)

    def archive(self, id: int) -> Post:
        data = self._ctx._json("quire_post_archive", _post_id(id, "id"))
        return Post.from_json(data)

    def schedule(self, id: int, at: TimeLike) -> Post:
        data = self._ctx._json(
            "quire_post_schedule",
            _post_id(id, "id"),
            _time_arg(at, "at"),
        )
        return Post.from_json(data)

    def publish_due(self, now: Optional[TimeLike] = None) -> List[Post]:
        data = self._ctx._json("quire_post_publish_due", _opt_time_arg(now, "now"))
        return [Post.from_json(item) for item in data]

    def delete(self, id: int) -> Post:
        data = self._ctx._json("quire_post_delete", _post_id(id, "id"))
        return Post.from_json(data)

    def restore(self, id: int) -> Post:
        data = self._ctx._json("quire_post_restore", _post_id(id, "id"))
        return Post.from_json(data)

    def purge(self, id: int) -> None:
        self._ctx._void("quire_post_purge", _post_id(id, "id"))

    def search(self, query: str, limit: int = 20) -> List[Hit]:
        """Full-text search over title and body, best first."""
        data = self._ctx._json(
            "quire_post_search",
            _text(query, "query"),
            _limit(limit, "limit"),
        )
        return [Hit.from_json(item) for item in data]

    def categories(self) -> List[Term]:
        data = self._ctx._json("quire_post_categories")
        return [Term.from_json(item) for item in data]

    def tags(self) -> List[Term]:
        data = self._ctx._json("quire_post_tags")
        return [Term.from_json(item) for item in data]

    def feed(self, format: str = "rss", limit: int = 20) -> str:
        """The newest published posts as RSS 2.0 ("rss") or Atom ("atom") XML."""
        return self._ctx._string(
            "quire_post_feed",
            _text(format, "format"),
            _limit(limit, "limit"),
        )

    def sitemap(self) -> str:
        return self._ctx._string("quire_post_sitemap")


class VersionsMethods(_Engine):
    """The generated methods of ctx.versions."""

    __slots__ = ()

    def list(self, post_id: int) -> List[Version]:
        data = self._ctx._json("quire_version_list", _post_id(post_id, "post_id"))
        return [Version.from_json(item) for item in data]

    def get(self, post_id: int, number: int) -> Snapshot:
        data = self._ctx._json(
            "quire_version_get",
            _post_id(post_id, "post_id"),
            _int(number, "number"),
        )
        return Snapshot.from_json(data)

    def diff(self, post_id: int, a: int, b: int) -> Diff:
        data = self._ctx._json(
            "quire_version_diff",
            _post_id(post_id, "post_id"),
            _int(a, "a"),
            _int(b, "b"),
        )
        return Diff.from_json(data)

    def snapshot(self, post_id: int, summary: Optional[str] = None) -> Version:
        data = self._ctx._json(
            "quire_version_snapshot",
            _post_id(post_id, "post_id"),
            _opt_text(summary, "summary"),
        )
        return Version.from_json(data)

    def restore(self, post_id: int, number: int) -> Post:
        data = self._ctx._json(
            "quire_version_restore",
            _post_id(post_id, "post_id"),
            _int(number, "number"),
        )
        return Post.from_json(data)

    def autosave(self, post_id: int, title: str, body: str) -> Autosave:
        data = self._ctx._json(
            "quire_version_autosave",
            _post_id(post_id, "post_id"),
            _text(title, "title"),
            _text(body, "body"),
        )
        return Autosave.from_json(data)

    def autosave_get(self, post_id: int) -> Optional[Autosave]:
        data = self._ctx._json("quire_version_autosave_get", _post_id(post_id, "post_id"))
        return None if data is None else Autosave.from_json(data)

    def discard(self, post_id: int) -> None:
        self._ctx._void("quire_version_discard", _post_id(post_id, "post_id"))

    def promote(self, post_id: int, expected_version: int) -> Post:
        data = self._ctx._json(
            "quire_version_promote",
            _post_id(post_id, "post_id"),
            _int(expected_version, "expected_version"),
        )
        return Post.from_json(data)


class AuditMethods(_Engine):
    """The generated methods of ctx.audit."""

    __slots__ = ()

    def export(self, format: str = "jsonl") -> str:
        """The whole chain, oldest first, as JSON Lines ("jsonl") or CSV ("csv")."""
        return self._ctx._string("quire_audit_export", _text(format, "format"))


class PermissionsMethods(_Engine):
    """The generated methods of ctx.permissions."""

    __slots__ = ()

    def roles(self) -> List[Role]:
        data = self._ctx._json("quire_permission_roles")
        return [Role.from_json(item) for item in data]

    def delete_role(self, name: str) -> None:
        self._ctx._void("quire_permission_delete_role", _text(name, "name"))


class KeysMethods(_Engine):
    """The generated methods of ctx.keys."""

    __slots__ = ()

    def list(self) -> List[Key]:
        data = self._ctx._json("quire_key_list")
        return [Key.from_json(item) for item in data]

    def revoke(self, id: int) -> Key:
        data = self._ctx._json("quire_key_revoke", _int(id, "id"))
        return Key.from_json(data)
