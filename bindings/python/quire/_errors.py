"""The exceptions of the quire binding: one class per status code of quire.h."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

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

    The facts a program acts on, from quire_last_error_json's "details" (read once, when the
    error is raised; never parsed from the message), each None when the failure does not set it:
        current_version: Conflict over an expected_version: the version the record is at.
        permission, role: PermissionDenied: the permission lacking (or the action attempted,
            when the actor's standing failed) and the actor's role ("editor", "api_key"; None
            when the user is not a member).
        quota, limit, plan: QuotaExceeded: "members" or "posts", the plan's limit and its name.
        field: InvalidArgument naming one field or argument: "title", "post_json.tags".
        retryable: Busy: True when the whole transaction may simply run again (a serialization
            failure or a deadlock on PostgreSQL).
    """

    default_code: int = QUIRE_EINTERNAL

    def __init__(
        self,
        message: str,
        code: Optional[int] = None,
        detail: str = "",
        facts: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(message)
        self.message: str = message
        self.code: int = self.default_code if code is None else code
        self.code_name: str = _CODE_NAMES.get(self.code, "QUIRE_UNKNOWN")
        self.detail: str = detail
        facts = facts or {}
        self.current_version: Optional[int] = facts.get("current_version")
        self.permission: Optional[str] = facts.get("permission")
        self.role: Optional[str] = facts.get("role")
        self.quota: Optional[str] = facts.get("quota")
        self.limit: Optional[int] = facts.get("limit")
        self.plan: Optional[str] = facts.get("plan")
        self.field: Optional[str] = facts.get("field")
        self.retryable: Optional[bool] = facts.get("retryable")

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
    """QUIRE_ECONFLICT: the operation does not fit the current state (for a stale
    expected_version, ``current_version`` is the version the record is at)."""

    default_code = QUIRE_ECONFLICT


class PermissionDenied(Error):
    """QUIRE_EPERM: the context's actor may not do this (``permission``, ``role``)."""

    default_code = QUIRE_EPERM


class Unauthenticated(Error):
    """QUIRE_EAUTH: bad credentials, token or API key."""

    default_code = QUIRE_EAUTH


class QuotaExceeded(Error):
    """QUIRE_EQUOTA: the tenant's plan does not allow more (``quota``, ``limit``, ``plan``)."""

    default_code = QUIRE_EQUOTA


class Busy(Error):
    """QUIRE_EBUSY: the database stayed locked for busy_timeout_ms, or (``retryable``) a
    concurrent transaction made this one fail."""

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


def error_for(
    code: int, message: str, detail: str = "", facts: Optional[Mapping[str, Any]] = None
) -> Error:
    """The exception for a status code (InternalError for a code this binding does not know)."""
    cls = _CLASSES.get(code, InternalError)
    return cls(message, code, detail, facts)
