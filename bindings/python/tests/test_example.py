"""examples/python/quickstart.py runs and walks through the same seven steps as the C++ one."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, os.pardir))


def test_quickstart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = os.path.join(ROOT, "examples", "python", "quickstart.py")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "bindings", "python"))
    result = subprocess.run([sys.executable, script, str(tmp_path / "qs.db")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for step in range(1, 8):
        assert f"\n{step}. " in result.stdout
    assert "[QUIRE_EINVAL]" in result.stdout and "[QUIRE_EPERM]" in result.stdout
    assert (tmp_path / "qs.db").exists()
