"""Shared helpers for the harness's own tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def nnconform_check(*args, tmp_path: Path, profile: str = "ci", env: dict | None = None):
    """Run `nnconform check` in a subprocess, with `env` added to the environment; return
    (exit code, JSON report, output). In one process unless `args` choose workers
    (-n, --workers, --no-isolation): a worker's start costs seconds, and only the tests
    of crashes need one."""
    if not {"-n", "--workers", "--no-isolation"} & set(args):
        args = ("--no-isolation", *args)
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "nnconform.properties.cli", "check", "--profile", profile,
         "--report", str(report), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, **(env or {})},
    )
    data = json.loads(report.read_text()) if report.exists() else None
    return result.returncode, data, result.stdout + result.stderr


@pytest.fixture
def check(tmp_path):
    return lambda *args, **kwargs: nnconform_check(*args, tmp_path=tmp_path, **kwargs)


def assert_rejected_by_name(call, error: type, argument: str) -> None:
    """`call()` raises `error` with a message that starts with the argument's name."""
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value).startswith(f"{argument}:"), str(raised.value)
