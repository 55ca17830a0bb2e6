"""The exceptions of the quire binding: one class per status code of quire.h."""

from __future__ import annotations

import re
from typing import Dict, Optional, Type

QUIRE_OK = 0
QUIRE_EINVAL = -1
QUIRE_ENOTFOUND = -2
QUIRE_EEXISTS = -3
QUIRE_ECONFLICT = -4
QUIRE_EPERM = -5
QUIRE_EAUTH = -6
QUIRE_EQUOTA = -7
QUIRE_EBUSY = -8
QUIRE_ESTORAGE = -9
QUIRE_ECORRUPT = -10
QUIRE_EINTERNAL = -11
QUIRE_ENOTSUP = -12

_CODE_NAMES: Dict[int, str] = {
    QUIRE_OK: "QUIRE_OK",
    QUIRE_EINVAL: "QUIRE_EINVAL",
    QUIRE_ENOTFOUND: "QUIRE_ENOTFOUND",
    QUIRE_EEXISTS: "QUIRE_EEXISTS",
    QUIRE_ECONFLICT: "QUIRE_ECONFLICT",
    QUIRE_EPERM: "QUIRE_EPERM",
    QUIRE_EAUTH: "QUIRE_EAUTH",
    QUIRE_EQUOTA: "QUIRE_EQUOTA",
    QUIRE_EBUSY: "QUIRE_EBUSY",
    QUIRE_ESTORAGE: "QUIRE_ESTORAGE",
    QUIRE_ECORRUPT: "QUIRE_ECORRUPT",
    QUIRE_EINTERNAL: "QUIRE_EINTERNAL",
    QUIRE_ENOTSUP: "QUIRE_ENOTSUP",
}


class Error(Exception):
    """Base of every error quire raises.

    Attributes:
        message: the library's one-line message (names the field and the rule).
        code: the C status code (a negative int, e.g. -1 for QUIRE_EINVAL).
        code_name: the status's name, e.g. "QUIRE_EINVAL".
        detail: the backend's native code behind the error ("SQLITE_BUSY"), or "".
    """

    default_code: int = QUIRE_EINTERNAL

    def __init__(self, message: str, code: Optional[int] = None, detail: str = "") -> None:
        super().__init__(message)
        self.message: str = message
        self.code: int = self.default_code if code is None else code
        self.code_name: str = _CODE_NAMES.get(self.code, "QUIRE_UNKNOWN")
        self.detail: str = detail

    def __str__(self) -> str:
        return f"[{self.code_name}] {self.message}"


class InvalidArgument(Error):
    """QUIRE_EINVAL: a bad handle, string, JSON, field or value (also: a closed database)."""

    default_code = QUIRE_EINVAL


class NotFound(Error):
    """QUIRE_ENOTFOUND: no such tenant, user, member, post, version, key, ..."""

    default_code = QUIRE_ENOTFOUND


class AlreadyExists(Error):
    """QUIRE_EEXISTS: a unique slug, domain, username, email or membership is taken."""

    default_code = QUIRE_EEXISTS


class Conflict(Error):
    """QUIRE_ECONFLICT: the operation does not fit the current state.

    For a stale expected_version, ``current_version`` holds the version the message names
    (None when the message names none).
    """

    default_code = QUIRE_ECONFLICT

    def __init__(self, message: str, code: Optional[int] = None, detail: str = "") -> None:
        super().__init__(message, code, detail)
        found = re.search(r"current version (?:is )?(\d+)", message) or re.search(
            r"(?:is at|now at) version (\d+)", message
        )
        self.current_version: Optional[int] = int(found.group(1)) if found else None


class PermissionDenied(Error):
    """QUIRE_EPERM: the context's actor may not do this."""

    default_code = QUIRE_EPERM


class Unauthenticated(Error):
    """QUIRE_EAUTH: bad credentials, token or API key."""

    default_code = QUIRE_EAUTH


class QuotaExceeded(Error):
    """QUIRE_EQUOTA: the tenant's plan does not allow more."""

    default_code = QUIRE_EQUOTA


class Busy(Error):
    """QUIRE_EBUSY: the database stayed locked for busy_timeout_ms."""

    default_code = QUIRE_EBUSY


class StorageError(Error):
    """QUIRE_ESTORAGE: the storage backend failed."""

    default_code = QUIRE_ESTORAGE


class Corrupt(Error):
    """QUIRE_ECORRUPT: stored data failed an integrity check."""

    default_code = QUIRE_ECORRUPT


class InternalError(Error):
    """QUIRE_EINTERNAL: a bug in quire, or out of memory."""

    default_code = QUIRE_EINTERNAL


class NotSupported(Error):
    """QUIRE_ENOTSUP: the backend, the database file or the loaded library lacks this."""

    default_code = QUIRE_ENOTSUP


class LibraryNotFound(ImportError):
    """libquire could not be found or loaded; the message lists every place that was tried."""


_CLASSES: Dict[int, Type[Error]] = {
    QUIRE_EINVAL: InvalidArgument,
    QUIRE_ENOTFOUND: NotFound,
    QUIRE_EEXISTS: AlreadyExists,
    QUIRE_ECONFLICT: Conflict,
    QUIRE_EPERM: PermissionDenied,
    QUIRE_EAUTH: Unauthenticated,
    QUIRE_EQUOTA: QuotaExceeded,
    QUIRE_EBUSY: Busy,
    QUIRE_ESTORAGE: StorageError,
    QUIRE_ECORRUPT: Corrupt,
    QUIRE_EINTERNAL: InternalError,
    QUIRE_ENOTSUP: NotSupported,
}


def error_for(code: int, message: str, detail: str = "") -> Error:
    """The exception for a status code (InternalError for a code this binding does not know)."""
    cls = _CLASSES.get(code, InternalError)
    return cls(message, code, detail)
