"""Finding and loading libquire, declaring its C functions, and calling them.

Only this module touches ctypes. Every `char*` the library hands over is copied into a Python
string and released with quire_free at once; every failing status becomes the exception of
quire._errors, built from the calling thread's last error right after the failing call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import threading
from ctypes import POINTER, byref, c_char_p, c_int32, c_int64, c_size_t, c_void_p
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._errors import QUIRE_OK, LibraryNotFound, NotSupported, error_for

#: The ABI this binding was written for: quire_abi_version() must return it.
ABI_VERSION = 1

_status = c_int32
_out = POINTER(c_void_p)  # char** and quire_xxx** out-parameters

# quire_transaction_fn: quire_status (*)(quire_ctx* tx, void* user_data)
TRANSACTION_FN = ctypes.CFUNCTYPE(c_int32, c_void_p, c_void_p)
# quire_write_fn: void (*)(const char* data, size_t size, void* user_data)
WRITE_FN = ctypes.CFUNCTYPE(None, c_void_p, c_size_t, c_void_p)

# name -> (restype, argtypes). Out-parameters come first, as in quire.h.
_SIGNATURES: Dict[str, Tuple[Any, Sequence[Any]]] = {
    # library and errors
    "quire_library_version": (c_char_p, ()),
    "quire_abi_version": (c_int32, ()),
    "quire_last_error_code": (_status, ()),
    "quire_last_error_message": (c_char_p, ()),
    "quire_last_error_detail": (c_char_p, ()),
    "quire_status_name": (c_char_p, (_status,)),
    "quire_free": (None, (c_void_p,)),
    # database
    "quire_db_open": (_status, (_out, c_char_p, c_char_p)),
    "quire_db_close": (_status, (c_void_p,)),
    "quire_db_free": (None, (c_void_p,)),
    "quire_db_system": (_status, (_out, c_void_p, c_char_p)),
    "quire_db_context": (_status, (_out, c_void_p, c_char_p)),
    # sign-in
    "quire_db_login": (_status, (_out, _out, c_void_p, c_char_p, c_char_p, c_char_p, c_char_p)),
    "quire_db_context_from_token": (_status, (_out, c_void_p, c_char_p, c_char_p, c_char_p)),
    "quire_db_logout": (_status, (c_void_p, c_char_p)),
    "quire_db_context_from_key": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_db_rotate_token_secret": (_status, (c_void_p,)),
    # contexts and transactions
    "quire_ctx_free": (None, (c_void_p,)),
    "quire_ctx_with_request": (_status, (_out, c_void_p, c_char_p)),
    "quire_ctx_info": (_status, (_out, c_void_p)),
    "quire_ctx_transaction": (_status, (c_void_p, TRANSACTION_FN, c_void_p)),
    # tenants
    "quire_tenant_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_get": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_get_by_domain": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_list": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_update": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_tenant_deactivate": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_activate": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_delete": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_restore": (_status, (_out, c_void_p, c_char_p)),
    # memberships
    "quire_member_add": (_status, (_out, c_void_p, c_char_p, c_int64, c_char_p)),
    "quire_member_set_role": (_status, (_out, c_void_p, c_char_p, c_int64, c_char_p)),
    "quire_member_remove": (_status, (c_void_p, c_char_p, c_int64)),
    "quire_member_list": (_status, (_out, c_void_p, c_char_p)),
    # users
    "quire_user_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_user_get": (_status, (_out, c_void_p, c_int64)),
    "quire_user_get_by_username": (_status, (_out, c_void_p, c_char_p)),
    "quire_user_list": (_status, (_out, c_void_p, c_char_p)),
    "quire_user_update": (_status, (_out, c_void_p, c_int64, c_char_p)),
    "quire_user_set_password": (_status, (c_void_p, c_int64, c_char_p)),
    "quire_user_deactivate": (_status, (_out, c_void_p, c_int64)),
    "quire_user_activate": (_status, (_out, c_void_p, c_int64)),
    # posts
    "quire_post_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_post_get": (_status, (_out, c_void_p, c_int64)),
    "quire_post_get_by_slug": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_post_update": (_status, (_out, c_void_p, c_int64, c_int64, c_char_p)),
    "quire_post_submit": (_status, (_out, c_void_p, c_int64)),
    "quire_post_publish": (_status, (_out, c_void_p, c_int64)),
    "quire_post_unpublish": (_status, (_out, c_void_p, c_int64)),
    "quire_post_archive": (_status, (_out, c_void_p, c_int64)),
    "quire_post_schedule": (_status, (_out, c_void_p, c_int64, c_char_p)),
    "quire_post_publish_due": (_status, (_out, c_void_p, c_char_p)),
    "quire_post_delete": (_status, (_out, c_void_p, c_int64)),
    "quire_post_restore": (_status, (_out, c_void_p, c_int64)),
    "quire_post_purge": (_status, (c_void_p, c_int64)),
    "quire_post_list": (_status, (_out, c_void_p, c_char_p)),
    "quire_post_search": (_status, (_out, c_void_p, c_char_p, c_int32)),
    "quire_post_categories": (_status, (_out, c_void_p)),
    "quire_post_tags": (_status, (_out, c_void_p)),
    "quire_post_feed": (_status, (_out, c_void_p, c_char_p, c_int32)),
    "quire_post_sitemap": (_status, (_out, c_void_p)),
    # versions
    "quire_version_list": (_status, (_out, c_void_p, c_int64)),
    "quire_version_get": (_status, (_out, c_void_p, c_int64, c_int64)),
    "quire_version_diff": (_status, (_out, c_void_p, c_int64, c_int64, c_int64)),
    "quire_version_snapshot": (_status, (_out, c_void_p, c_int64, c_char_p)),
    "quire_version_restore": (_status, (_out, c_void_p, c_int64, c_int64)),
    "quire_version_autosave": (_status, (_out, c_void_p, c_int64, c_char_p, c_char_p)),
    "quire_version_autosave_get": (_status, (_out, c_void_p, c_int64)),
    "quire_version_discard": (_status, (c_void_p, c_int64)),
    "quire_version_promote": (_status, (_out, c_void_p, c_int64, c_int64)),
    # audit
    "quire_audit_query": (_status, (_out, c_void_p, c_char_p)),
    "quire_audit_head": (_status, (_out, c_void_p)),
    "quire_audit_verify": (_status, (_out, c_void_p, c_char_p)),
    "quire_audit_export": (_status, (_out, c_void_p, c_char_p)),
    "quire_audit_export_to": (_status, (c_void_p, c_char_p, WRITE_FN, c_void_p)),
    "quire_audit_purge_before": (_status, (POINTER(c_int64), c_void_p, c_char_p)),
    # permissions
    "quire_permission_all": (_status, (_out,)),
    "quire_permission_check": (_status, (_out, c_void_p, c_char_p, c_char_p, c_char_p)),
    "quire_permission_grant": (_status, (_out, c_void_p, c_int64, c_char_p, c_char_p, c_char_p)),
    "quire_permission_revoke": (_status, (c_void_p, c_int64, c_char_p, c_char_p)),
    "quire_permission_roles": (_status, (_out, c_void_p)),
    "quire_permission_define_role": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_permission_delete_role": (_status, (c_void_p, c_char_p)),
    # api keys
    "quire_key_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_key_list": (_status, (_out, c_void_p)),
    "quire_key_revoke": (_status, (_out, c_void_p, c_int64)),
    "quire_key_rotate": (_status, (_out, c_void_p, c_int64)),
}

_NAMES = ("libquire.so", "libquire.dylib", "quire.dll")


def _package_dir() -> str:
    return os.path.dirname(os.path.abspath(__file__))


def _repo_root() -> Optional[str]:
    """The source tree this package sits in (the directory holding include/quire.h), if any."""
    here = _package_dir()
    for _ in range(6):
        if os.path.isfile(os.path.join(here, "include", "quire.h")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    return None


def _shared_objects(directory: str) -> List[str]:
    """libquire.so, libquire.so.1, libquire.so.1.2.3 (newest name first) in a directory."""
    found: List[str] = []
    for name in _NAMES:
        exact = os.path.join(directory, name)
        if os.path.isfile(exact):
            found.append(exact)
        found.extend(sorted(glob.glob(exact + ".*"), reverse=True))
    return found


def candidate_paths() -> Tuple[List[str], List[str]]:
    """(files to try in order, descriptions of every place looked) — for the error message."""
    tried: List[str] = []
    files: List[str] = []
    package = _package_dir()
    for directory in (package, os.path.dirname(package)):
        tried.append(f"next to the package: {directory}/libquire.so*")
        files.extend(_shared_objects(directory))
    root = _repo_root()
    if root is not None:
        # The build trees scripts/quire and the usual CMake habits make, in a sensible order.
        patterns = ["build", "build-*", "cmake-build-*", "out/build/*", "_build"]
        for pattern in patterns:
            tried.append(f"build tree: {root}/{pattern}/libquire.so*")
            for directory in sorted(glob.glob(os.path.join(root, pattern))):
                if os.path.isdir(directory):
                    files.extend(_shared_objects(directory))
    else:
        tried.append("build tree: (not inside a quire source tree)")
    return files, tried


class _Library:
    """The loaded libquire and its functions, declared on first use."""

    def __init__(self, cdll: ctypes.CDLL, path: str) -> None:
        self.cdll = cdll
        self.path = path
        self._functions: Dict[str, Any] = {}
        self._lock = threading.Lock()
        self.free = self.function("quire_free")
        self.last_error_code = self.function("quire_last_error_code")
        self.last_error_message = self.function("quire_last_error_message")
        self.last_error_detail = self.function("quire_last_error_detail")

    def function(self, name: str) -> Any:
        """The C function `name`, with its types declared. NotSupported if the library lacks it."""
        fn = self._functions.get(name)
        if fn is not None:
            return fn
        with self._lock:
            fn = self._functions.get(name)
            if fn is not None:
                return fn
            restype, argtypes = _SIGNATURES[name]
            try:
                fn = getattr(self.cdll, name)
            except AttributeError:
                raise NotSupported(
                    f"{name} is not in the loaded libquire ({self.path}): it was built before that"
                    " entry point existed; rebuild it"
                ) from None
            fn.restype = restype
            fn.argtypes = list(argtypes)
            self._functions[name] = fn
            return fn

    def has(self, name: str) -> bool:
        try:
            self.function(name)
            return True
        except NotSupported:
            return False


_library: Optional[_Library] = None
_load_lock = threading.Lock()


def _open(path: str) -> _Library:
    cdll = ctypes.CDLL(path)
    library = _Library(cdll, path)
    abi = library.function("quire_abi_version")()
    if abi != ABI_VERSION:
        raise LibraryNotFound(
            f"{path} has quire ABI version {abi}, but this binding was written for ABI version"
            f" {ABI_VERSION}: use a libquire of ABI {ABI_VERSION}, or a binding of ABI {abi}"
        )
    return library


def lib() -> _Library:
    """The loaded library (found and loaded on the first call)."""
    global _library
    if _library is not None:
        return _library
    with _load_lock:
        if _library is None:
            _library = _find_and_load()
        return _library


def _find_and_load() -> _Library:
    env = os.environ.get("QUIRE_LIBRARY")
    if env:
        # An explicit choice is used or refused, never silently passed over.
        path = env
        if os.path.isdir(env):
            found = _shared_objects(env)
            if not found:
                raise LibraryNotFound(
                    f"QUIRE_LIBRARY={env} is a directory without libquire.so* in it"
                )
            path = found[0]
        try:
            return _open(path)
        except OSError as error:
            raise LibraryNotFound(f"QUIRE_LIBRARY={env}: cannot load it: {error}") from None
    files, tried = candidate_paths()
    failures: List[str] = []
    for path in files:
        try:
            return _open(path)
        except OSError as error:
            failures.append(f"{path}: {error}")
    system = ctypes.util.find_library("quire")
    tried.append("the system's library path (ctypes.util.find_library('quire'))")
    if system:
        try:
            return _open(system)
        except OSError as error:
            failures.append(f"{system}: {error}")
    lines = ["cannot find libquire (the quire C library); looked in:"]
    lines.append("  $QUIRE_LIBRARY (not set)")
    lines.extend("  " + place for place in tried)
    if failures:
        lines.append("found but could not load:")
        lines.extend("  " + failure for failure in failures)
    lines.append(
        "Build it (cmake -S . -B build && cmake --build build --target quire) and set"
        " QUIRE_LIBRARY=/path/to/libquire.so, or copy libquire.so next to the quire package."
    )
    raise LibraryNotFound("\n".join(lines))


# ---- calling --------------------------------------------------------------------------------


def raise_last(status: int) -> None:
    """Raises the calling thread's last error (its code, or `status` if they disagree)."""
    library = lib()
    code = library.last_error_code()
    message = (library.last_error_message() or b"").decode("utf-8", "replace")
    detail = (library.last_error_detail() or b"").decode("utf-8", "replace")
    if code == QUIRE_OK or code != status:
        code = status
    raise error_for(code, message or f"quire call failed with status {status}", detail)


# The declared functions by name, filled on first use of each (a plain dict read on the hot path).
_bound: Dict[str, Any] = {}


def fn(name: str) -> Any:
    """The declared C function `name` (NotSupported when the loaded library lacks it)."""
    found = _bound.get(name)
    if found is None:
        found = _bound[name] = lib().function(name)
    return found


def take_string(pointer: c_void_p) -> Optional[str]:
    """Copies a char* the library handed over, then releases it with quire_free."""
    address = pointer.value
    if not address:
        return None
    try:
        return _string_at(address).decode("utf-8")
    finally:
        fn("quire_free")(address)


_string_at = ctypes.string_at


def call(name: str, *args: Any) -> None:
    """Calls a function without out-parameters; raises on failure."""
    status = fn(name)(*args)
    if status != QUIRE_OK:
        raise_last(status)


def call_string(name: str, *args: Any) -> str:
    """Calls a function whose first parameter is a char** out-parameter; returns the text."""
    out = c_void_p()
    status = fn(name)(byref(out), *args)
    if status != QUIRE_OK:
        take_string(out)  # NULL on failure by contract; released anyway if not
        raise_last(status)
    address = out.value
    if not address:
        raise error_for(-11, f"{name} succeeded but returned NULL")
    try:
        return _string_at(address).decode("utf-8")
    finally:
        fn("quire_free")(address)


def call_handle(name: str, *args: Any) -> int:
    """Calls a function whose first parameter is a handle out-parameter; returns the handle."""
    out = c_void_p()
    status = fn(name)(byref(out), *args)
    if status != QUIRE_OK:
        raise_last(status)
    if not out.value:
        raise error_for(-11, f"{name} succeeded but returned a NULL handle")
    return out.value


def call_login(*args: Any) -> Tuple[int, str]:
    """quire_db_login: (context handle, session JSON)."""
    ctx = c_void_p()
    session = c_void_p()
    status = fn("quire_db_login")(byref(ctx), byref(session), *args)
    if status != QUIRE_OK:
        take_string(session)
        raise_last(status)
    text = take_string(session)
    assert ctx.value and text is not None
    return ctx.value, text


def call_int64(name: str, *args: Any) -> int:
    out = c_int64()
    status = fn(name)(byref(out), *args)
    if status != QUIRE_OK:
        raise_last(status)
    return out.value


def encode(text: Optional[str]) -> Optional[bytes]:
    return None if text is None else text.encode("utf-8")


def library_version() -> str:
    """The loaded libquire's version, "MAJOR.MINOR.PATCH"."""
    return lib().function("quire_library_version")().decode("ascii")


def library_path() -> str:
    """The file the binding loaded libquire from."""
    return lib().path


def abi_version() -> int:
    """The loaded libquire's ABI version (the binding refuses any other than ABI_VERSION)."""
    return int(lib().function("quire_abi_version")())


def status_name(status: int) -> str:
    return lib().function("quire_status_name")(status).decode("ascii")
