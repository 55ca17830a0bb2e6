"""Decoding the records quire returns from the JSON of quire.h: the base of the dataclasses.

The dataclasses themselves are generated from capi/quire.abi.json into quire._record_types;
this module holds what they share: time parsing, _Record.from_json, the behaviour some mix in,
Head (a NamedTuple) and Page.

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
    # Fields holding a record or a list of records: the record class decoding it or each item.
    _nested: Dict[str, Any] = {}

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
        for name, record in cls._nested.items():
            key = cls._renames.get(name, name)
            value = data.get(key)
            if isinstance(value, list):
                kwargs[name] = [record.from_json(item) for item in value]
            elif value is not None:
                kwargs[name] = record.from_json(value)
        if len(kwargs) == len(plain) + len(times):
            # Every field is there (the usual case): skip the generated __init__'s defaults.
            record = object.__new__(cls)
            record.__dict__.update(kwargs)
            return record
        return cls(**kwargs)  # type: ignore[call-arg]


# Behaviour the generated records (quire._record_types, from capi/quire.abi.json) mix in.


class _EntryMethods:
    """Audit entries: `old` and `new` name the old_values and new_values."""

    old_values: Optional[Dict[str, Any]]
    new_values: Optional[Dict[str, Any]]

    @property
    def old(self) -> Optional[Dict[str, Any]]:
        return self.old_values

    @property
    def new(self) -> Optional[Dict[str, Any]]:
        return self.new_values


class _TruthyOk:
    """Truthy when `ok` (a verification that found the chain intact)."""

    ok: bool

    def __bool__(self) -> bool:
        return self.ok


class _TruthyAllowed:
    """Truthy when `allowed` (a permission check that allows)."""

    allowed: bool

    def __bool__(self) -> bool:
        return self.allowed


class Head(NamedTuple):
    """The newest entry of an audit chain: unpacks as (seq, hash)."""

    seq: int
    hash: str


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
