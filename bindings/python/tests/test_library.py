"""Loading libquire: the places it looks, the ABI check, the version."""

from __future__ import annotations

import os
import subprocess
import sys

import quire

PACKAGE_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)


def _run(code: str, env_library: str | None) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    env = dict(os.environ)
    env["PYTHONPATH"] = PACKAGE_ROOT
    if env_library is None:
        env.pop("QUIRE_LIBRARY", None)
    else:
        env["QUIRE_LIBRARY"] = env_library
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)


def test_version_and_abi() -> None:
    assert quire.abi_version() == quire.ABI_VERSION == 1
    major, minor, patch = quire.library_version().split(".")
    assert major.isdigit() and minor.isdigit() and patch.isdigit()
    assert os.path.exists(quire.library_path())


def test_import_never_needs_the_library() -> None:
    result = _run("import quire; print(quire.ABI_VERSION)", "/nonexistent/libquire.so")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_a_bad_quire_library_is_refused_clearly() -> None:
    result = _run("import quire; quire.open('sqlite::memory:')", "/nonexistent/libquire.so")
    assert result.returncode != 0
    assert "LibraryNotFound" in result.stderr
    assert "QUIRE_LIBRARY=/nonexistent/libquire.so" in result.stderr


def test_a_directory_without_the_library_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run("import quire; quire.library_version()", str(tmp_path))
    assert result.returncode != 0
    assert "without libquire.so" in result.stderr


def test_the_error_lists_every_place_looked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A copy of the package outside any source tree, with no library next to it.
    import shutil

    shutil.copytree(os.path.join(PACKAGE_ROOT, "quire"), tmp_path / "quire")
    env = dict(os.environ)
    env.pop("QUIRE_LIBRARY", None)
    env["PYTHONPATH"] = str(tmp_path)
    env["LD_LIBRARY_PATH"] = ""
    result = subprocess.run(
        [sys.executable, "-c", "import quire; quire.library_version()"],
        env=env, capture_output=True, text=True, timeout=60, cwd=str(tmp_path),
    )
    if result.returncode == 0:  # a libquire installed system-wide was found: nothing to check
        return
    assert "cannot find libquire" in result.stderr
    assert "$QUIRE_LIBRARY (not set)" in result.stderr
    assert "next to the package" in result.stderr
    assert "find_library" in result.stderr


def test_the_build_tree_is_found_without_the_variable() -> None:
    # This test tree sits in the quire source tree; build/ is searched when QUIRE_LIBRARY is unset.
    root = os.path.abspath(os.path.join(PACKAGE_ROOT, os.pardir, os.pardir))
    if not any(os.path.exists(os.path.join(root, d, "libquire.so")) for d in os.listdir(root)
               if d.startswith("build") and os.path.isdir(os.path.join(root, d))):
        return
    result = _run("import quire; print(quire.library_path())", None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(root)


def test_every_status_has_its_class() -> None:
    from quire._errors import error_for

    expected = {
        -1: quire.InvalidArgument, -2: quire.NotFound, -3: quire.AlreadyExists,
        -4: quire.Conflict, -5: quire.PermissionDenied, -6: quire.Unauthenticated,
        -7: quire.QuotaExceeded, -8: quire.Busy, -9: quire.StorageError, -10: quire.Corrupt,
        -11: quire.InternalError, -12: quire.NotSupported,
    }
    for code, cls in expected.items():
        error = error_for(code, "message")
        assert type(error) is cls and isinstance(error, quire.Error)
        assert error.code == code and error.message == "message"
        assert error.code_name == quire._lib.status_name(code)
