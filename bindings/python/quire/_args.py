"""Argument checks shared by the hand-written (_core) and the generated (_generated) methods.

Wrong types are TypeError before any C call; values the C ABI could not carry (out of range, a NUL
character, text that is not UTF-8) are InvalidArgument.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from ._errors import InvalidArgument
from ._record_types import Post, Tenant, User
from ._records import format_time

TimeLike = Union[datetime, str]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_INT32_MAX = 2**31 - 1


# ---- argument checks: wrong types are TypeError before any C call ------------------------------


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise InvalidArgument(f"{name} must fit in 64 bits, got {value}")
    return value


def _int32(value: Any, name: str) -> int:
    _int(value, name)
    if not -(2**31) <= value <= _INT32_MAX:
        raise InvalidArgument(f"{name} must fit in 32 bits, got {value}")
    return int(value)


def _text(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidArgument(f"{name} must not contain a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidArgument(f"{name} is not valid UTF-8 text: {error.reason}") from None


def _opt_text(value: Any, name: str) -> Optional[bytes]:
    return None if value is None else _text(value, name)


def _tenant(value: Any, name: str = "tenant") -> bytes:
    """A tenant by slug (str) or id (int)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(_int(value, name)).encode("ascii")
    if isinstance(value, Tenant):
        return str(value.id).encode("ascii")
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a slug (str) or an id (int), not {type(value).__name__}")
    return _text(value, name)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value, "a time")
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"a {type(value).__name__} cannot be sent to quire as JSON")


def _json(value: Any, name: str) -> bytes:
    try:
        text = json.dumps(value, ensure_ascii=False, default=_json_default, allow_nan=False)
    except ValueError as error:
        raise InvalidArgument(f"{name}: {error}") from None
    except TypeError as error:
        raise TypeError(f"{name}: {error}") from None
    return _text(text, name)


def _dict_or_none(value: Any, name: str) -> Optional[Dict[str, Any]]:
    if value is not None and not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict, not {type(value).__name__}")
    return value


def _str_list(value: Any, name: str) -> List[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of str, not {type(value).__name__}")
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must be a list of str, found a {type(item).__name__}")
    return items


def _resource(value: Any, name: str = "resource") -> Tuple[bytes, bytes]:
    if isinstance(value, Post):
        return b"post", str(value.id).encode("ascii")
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f"{name} must be a (type, id) tuple such as ('post', 42)")
    kind, ident = value
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(_int(ident, f"{name} id"))
    return _text(kind, f"{name} type"), _text(ident, f"{name} id")


def _request(ip: Any, user_agent: Any, request_id: Any) -> Optional[bytes]:
    request: Dict[str, str] = {}
    for key, value in (("ip", ip), ("user_agent", user_agent), ("request_id", request_id)):
        if value is not None:
            if not isinstance(value, str):
                raise TypeError(f"{key} must be a str, not {type(value).__name__}")
            request[key] = value
    return _json(request, "request") if request else None


def _user_id(value: Any, name: str = "user_id") -> int:
    if isinstance(value, User):
        return value.id
    return _int(value, name)


def _post_id(value: Any, name: str = "post_id") -> int:
    if isinstance(value, Post):
        return value.id
    return _int(value, name)


def _limit(limit: Any, name: str = "limit") -> int:
    return _int32(limit, name)


# Checks that give the value to put into a JSON input object.


def _str(value: Any, name: str) -> str:
    _text(value, name)
    return value  # type: ignore[no-any-return]


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool")
    return value


def _time(value: Any, name: str) -> str:
    return _str(format_time(value, name), name)


def _time_arg(value: Any, name: str) -> bytes:
    return _text(format_time(value, name), name)


def _opt_time_arg(value: Any, name: str) -> Optional[bytes]:
    return None if value is None else _time_arg(value, name)


class _Engine:
    __slots__ = ("_ctx",)

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx


def _tenant_value(value: Any, name: str = "tenant") -> Union[str, int]:
    """A tenant for a JSON input: a slug (str) or an id (int)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _int(value, name)
    _tenant(value, name)
    return value.id if isinstance(value, Tenant) else value  # type: ignore[no-any-return]
