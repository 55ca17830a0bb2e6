"""The records quire returns, as dataclasses (decoding: quire._records._Record).

Generated from capi/quire.abi.json by scripts/gen_abi.py: do not edit, run scripts/quire gen.
"""

# fmt: off
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional

from ._records import _Record, _EntryMethods, _TruthyAllowed, _TruthyOk


@dataclass
class Tenant(_Record):
    id: int = 0
    slug: str = ""
    name: str = ""
    plan: str = ""
    domain: Optional[str] = None
    settings: Dict[str, Any] = field(default_factory=dict)
    is_active: bool = True
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    deleted_at: Optional[datetime] = None
    _times = ("created_at", "updated_at", "deleted_at")


@dataclass
class User(_Record):
    id: int = 0
    username: str = ""
    email: str = ""
    display_name: str = ""
    is_active: bool = True
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    _times = ("created_at", "updated_at")


@dataclass
class Member(_Record):
    tenant_id: int = 0
    user_id: int = 0
    role: str = ""
    joined_at: Optional[datetime] = None
    _times = ("joined_at",)


@dataclass
class Invitation(_Record):
    id: int = 0
    tenant_id: int = 0
    email: str = ""
    role: str = ""
    invited_by: int = 0
    created_at: Optional[datetime] = None
    expires_at: Optional[datetime] = None
    accepted_at: Optional[datetime] = None
    accepted_by: Optional[int] = None
    revoked_at: Optional[datetime] = None
    _times = ("created_at", "expires_at", "accepted_at", "revoked_at")


@dataclass
class IssuedInvitation(_Record):
    """What invite returns: the token, shown once, and the invitation."""

    token: str = ""
    invitation: Invitation = None
    _nested = {"invitation": Invitation}


@dataclass
class Post(_Record):
    id: int = 0
    tenant_id: int = 0
    type: str = "post"
    parent_id: Optional[int] = None
    slug: str = ""
    title: str = ""
    body: str = ""
    excerpt: str = ""
    status: str = "draft"
    author_id: int = 0
    category: Optional[str] = None
    tags: List[str] = field(default_factory=list)
    seo: Dict[str, Any] = field(default_factory=dict)
    fields: Dict[str, Any] = field(default_factory=dict)
    version: int = 0
    published_version: Optional[int] = None
    reading_time: int = 0
    view_count: int = 0
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    published_at: Optional[datetime] = None
    scheduled_at: Optional[datetime] = None
    deleted_at: Optional[datetime] = None
    _times = ("created_at", "updated_at", "published_at", "scheduled_at", "deleted_at")


@dataclass
class Version(_Record):
    """A version's metadata (ctx.versions.list); Snapshot adds the content."""

    post_id: int = 0
    number: int = 0
    kind: str = ""
    author_id: int = 0
    summary: str = ""
    created_at: Optional[datetime] = None
    size: int = 0
    _times = ("created_at",)


@dataclass
class Snapshot(Version):
    """A version with the content it kept (ctx.versions.get)."""

    title: str = ""
    body: str = ""
    slug: str = ""
    status: str = ""
    category: Optional[str] = None
    tags: List[str] = field(default_factory=list)
    excerpt: str = ""
    seo: Dict[str, Any] = field(default_factory=dict)
    fields: Dict[str, Any] = field(default_factory=dict)


@dataclass
class DiffLine(_Record):
    kind: str = "context"
    text: str = ""
    no_newline: bool = False


@dataclass
class Hunk(_Record):
    old_start: int = 0
    old_count: int = 0
    new_start: int = 0
    new_count: int = 0
    lines: List[DiffLine] = field(default_factory=list)
    _nested = {"lines": DiffLine}


@dataclass
class Diff(_Record):
    """Two versions compared: `text` is a unified diff (GNU diff -u) of title and body."""

    from_version: int = 0
    to_version: int = 0
    text: str = ""
    changed_fields: List[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    title_hunks: List[Hunk] = field(default_factory=list)
    body_hunks: List[Hunk] = field(default_factory=list)
    truncated: bool = False
    _renames = {"from_version": "from", "to_version": "to"}
    _nested = {"title_hunks": Hunk, "body_hunks": Hunk}


@dataclass
class Autosave(_Record):
    post_id: int = 0
    user_id: int = 0
    title: str = ""
    body: str = ""
    base_version: int = 0
    saved_at: Optional[datetime] = None
    _times = ("saved_at",)


@dataclass
class Entry(_EntryMethods, _Record):
    """An audit entry. `old` and `new` are the old_values and new_values (dicts or None)."""

    tenant_id: int = 0
    seq: int = 0
    at: Optional[datetime] = None
    actor_type: str = ""
    actor_id: int = 0
    action: str = ""
    resource_type: str = ""
    resource_id: str = ""
    outcome: str = ""
    old_values: Optional[Dict[str, Any]] = None
    new_values: Optional[Dict[str, Any]] = None
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    prev_hash: str = ""
    hash: str = ""
    _times = ("at",)


@dataclass
class Verification(_TruthyOk, _Record):
    """The result of ctx.audit.verify(): truthy when the chain is intact."""

    ok: bool = False
    checked: int = 0
    first_bad_seq: Optional[int] = None
    problem: str = ""


@dataclass
class Hit(_Record):
    """A search result; `snippet` marks the matches in [brackets]."""

    post_id: int = 0
    type: str = "post"
    slug: str = ""
    title: str = ""
    snippet: str = ""
    score: float = 0.0


@dataclass
class Term(_Record):
    """A category or a tag in use, with how many posts carry it."""

    name: str = ""
    count: int = 0


@dataclass
class Decision(_TruthyAllowed, _Record):
    """A permission check: truthy when allowed; `reason` explains it."""

    allowed: bool = False
    reason: str = ""


@dataclass
class Grant(_Record):
    tenant_id: int = 0
    resource_type: str = ""
    resource_id: str = ""
    user_id: int = 0
    level: str = ""


@dataclass
class Role(_Record):
    name: str = ""
    permissions: List[str] = field(default_factory=list)
    builtin: bool = False


@dataclass
class Key(_Record):
    """An API key's record (never its secret: that is the text create/rotate return once)."""

    id: int = 0
    tenant_id: int = 0
    public_id: str = ""
    name: str = ""
    scopes: List[str] = field(default_factory=list)
    created_by: int = 0
    created_at: Optional[datetime] = None
    expires_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None
    last_used_at: Optional[datetime] = None
    use_count: int = 0
    _times = ("created_at", "expires_at", "revoked_at", "last_used_at")


@dataclass
class Session(_Record):
    """What db.login returns besides the context: the token to present later, and its expiry."""

    token: str = ""
    expires_at: Optional[datetime] = None
    tenant_id: int = 0
    user_id: int = 0
    _times = ("expires_at",)


@dataclass
class ContextInfo(_Record):
    """Who a context acts as, and where (ctx.info())."""

    tenant_id: Optional[int] = None
    actor_type: str = ""
    actor_id: int = 0
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""


RECORDS = {
    "tenant": Tenant,
    "user": User,
    "member": Member,
    "invitation": Invitation,
    "issued_invitation": IssuedInvitation,
    "post": Post,
    "version": Version,
    "snapshot": Snapshot,
    "diff_line": DiffLine,
    "hunk": Hunk,
    "diff": Diff,
    "autosave": Autosave,
    "audit_entry": Entry,
    "verification": Verification,
    "hit": Hit,
    "term": Term,
    "decision": Decision,
    "grant": Grant,
    "role": Role,
    "api_key": Key,
    "session": Session,
    "context_info": ContextInfo,
}
