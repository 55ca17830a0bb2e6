"""The records quire returns, decoded from the JSON of quire.h into dataclasses.

Times become aware datetimes in UTC; JSON objects (settings, seo, fields, audit values) stay dicts;
fields a newer library adds are ignored, as quire.h asks of readers.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Type,
    TypeVar,
)

T = TypeVar("T")
R = TypeVar("R", bound="_Record")


_UTC = timezone.utc
_PARSES_Z = sys.version_info >= (3, 11)  # datetime.fromisoformat reads "Z" from 3.11 on


def parse_time(text: Optional[str]) -> Optional[datetime]:
    """An RFC 3339 time of quire ("2026-11-23T14:07:08.123Z") as an aware datetime in UTC."""
    if not text:
        return None
    if _PARSES_Z and text[-1] == "Z":
        return datetime.fromisoformat(text)  # tzinfo is timezone.utc
    if text[-1] == "Z":
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC)


def format_time(value: Any, name: str) -> str:
    """A datetime (aware, or naive meaning UTC) or an RFC 3339 string, as quire's RFC 3339 text."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    raise TypeError(f"{name} must be a datetime or an RFC 3339 string, not {type(value).__name__}")


class _Record:
    """Decoding from a JSON object: known fields only, times parsed."""

    _times: Tuple[str, ...] = ()
    _renames: Dict[str, str] = {}

    @classmethod
    def _plan(cls) -> Tuple[Tuple[Tuple[str, str], ...], Tuple[Tuple[str, str], ...]]:
        plan = cls.__dict__.get("_plan_cache")
        if plan is None:
            names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
            plain = tuple((n, cls._renames.get(n, n)) for n in names if n not in cls._times)
            times = tuple((n, cls._renames.get(n, n)) for n in names if n in cls._times)
            plan = (plain, times)
            setattr(cls, "_plan_cache", plan)
        return plan  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls: Type[R], data: Dict[str, Any]) -> R:
        plain, times = cls._plan()
        kwargs = {name: data[key] for name, key in plain if key in data}
        for name, key in times:
            if key in data:
                kwargs[name] = parse_time(data[key])
        if len(kwargs) == len(plain) + len(times):
            # Every field is there (the usual case): skip the generated __init__'s defaults.
            record = object.__new__(cls)
            record.__dict__.update(kwargs)
            return record
        return cls(**kwargs)  # type: ignore[call-arg]


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
class Post(_Record):
    id: int = 0
    tenant_id: int = 0
    type: str = "post"
    parent_id: Optional[int] = None
    slug: str = ""
    title: str = ""
    body: str = ""
    excerpt: Optional[str] = None
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
    excerpt: Optional[str] = None
    seo: Dict[str, Any] = field(default_factory=dict)
    fields: Dict[str, Any] = field(default_factory=dict)


@dataclass
class DiffLine(_Record):
    kind: str = "context"  # "context" | "added" | "removed"
    text: str = ""
    no_newline: bool = False


@dataclass
class Hunk(_Record):
    old_start: int = 0
    old_count: int = 0
    new_start: int = 0
    new_count: int = 0
    lines: List[DiffLine] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Hunk":  # type: ignore[override]
        hunk = super().from_json(data)
        hunk.lines = [DiffLine.from_json(line) for line in data.get("lines", [])]
        return hunk


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
    _renames = {"from_version": "from", "to_version": "to"}

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Diff":  # type: ignore[override]
        diff = super().from_json(data)
        diff.title_hunks = [Hunk.from_json(h) for h in data.get("title_hunks", [])]
        diff.body_hunks = [Hunk.from_json(h) for h in data.get("body_hunks", [])]
        return diff


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
class Entry(_Record):
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

    @property
    def old(self) -> Optional[Dict[str, Any]]:
        return self.old_values

    @property
    def new(self) -> Optional[Dict[str, Any]]:
        return self.new_values


class Head(NamedTuple):
    """The newest entry of an audit chain: unpacks as (seq, hash)."""

    seq: int
    hash: str


@dataclass
class Verification(_Record):
    """The result of ctx.audit.verify(): truthy when the chain is intact."""

    ok: bool = False
    checked: int = 0
    first_bad_seq: Optional[int] = None
    problem: str = ""

    def __bool__(self) -> bool:
        return self.ok


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
class Decision(_Record):
    """A permission check: truthy when allowed; `reason` explains it."""

    allowed: bool = False
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


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


@dataclass
class Page(Generic[T]):
    """One page of a paginated listing.

    `items` are the records; `next_cursor` is passed as `cursor=` to get the next page (None: this
    was the last). Iterating a Page yields the items of this page only; `page.all()` yields the
    items of this page and of every page after it, fetching them lazily; `page.pages()` yields the
    pages themselves; `page.next_page()` fetches the next one (None after the last).
    """

    items: List[T] = field(default_factory=list)
    next_cursor: Optional[str] = None
    _fetch: Optional[Callable[[str], "Page[T]"]] = field(default=None, repr=False, compare=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    def next_page(self) -> Optional["Page[T]"]:
        if self.next_cursor is None or self._fetch is None:
            return None
        return self._fetch(self.next_cursor)

    def pages(self) -> Iterator["Page[T]"]:
        page: Optional[Page[T]] = self
        while page is not None:
            yield page
            page = page.next_page()

    def all(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items
