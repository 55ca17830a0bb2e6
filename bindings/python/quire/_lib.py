"""Finding and loading libquire, declaring its C functions, and calling them.

Only this module touches ctypes. Every `char*` the library hands over is copied into a Python
string and released with quire_free at once; every failing status becomes the exception of
quire._errors, built from the calling thread's last error right after the failing call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import json
import os
import threading
from ctypes import byref, c_int64, c_void_p
from typing import Any, Dict, List, Optional, Tuple

from ._errors import QUIRE_OK, LibraryNotFound, NotSupported, error_for

from ._abi import ABI_VERSION, SIGNATURES, TRANSACTION_FN, WRITE_FN  # noqa: F401 (re-exported)

_SIGNATURES = SIGNATURES

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
        self.last_error_json = self.function("quire_last_error_json")

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
    """Raises the calling thread's last error, read once from quire_last_error_json: its message,
    detail and facts. When the last error is not this failure's (its code is not `status`), the
    error has `status` and no facts."""
    last = json.loads((lib().last_error_json() or b"{}").decode("utf-8", "replace"))
    message = last.get("message") or f"quire call failed with status {status}"
    facts = last.get("details") if last.get("status") == status else None
    raise error_for(status, message, last.get("detail", ""), facts)


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
