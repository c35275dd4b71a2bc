"""Shared helpers for the harness's own tests."""

import ast
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


def declared(path: Path, name: str):
    """A module-level constant of a test module (a style's bug variant's OP or CAUGHT_BY),
    read without importing it."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign):
            target = node.targets[0]
            names = [t.id for t in target.elts] if isinstance(target, ast.Tuple) else [target.id]
            if name in names:
                value = ast.literal_eval(node.value)
                return value[names.index(name)] if len(names) > 1 else value
    raise KeyError(f"{path.name} assigns no {name}")


def assert_caught(check, op: str, caught_by, *args, convention: str | None = None) -> dict:
    """`nnconform check ARGS --only OP` (ARGS name the implementation, and its style) exits
    1 with every check kind in `caught_by` failing for OP, names the op and the check,
    and says "This failure matches" exactly when the variant follows a `convention` (a
    real bug is never taken for one). Returns the op's report row.

    Run with --no-shrink: the verdicts are those of a shrinking run (the same examples are
    drawn), and shrinking was four fifths of each variant's time."""
    from nnconform.properties.runner import CONVENTION_HINT

    code, report, output = check(*args, "--only", op, "--no-shrink")
    assert code == 1, f"exit status {code}, expected 1\n{output[-3000:]}"
    row = report["ops"][op]
    missed = {kind for kind in caught_by if row[kind] != "fail"}
    assert not missed, f"{args}: {sorted(missed)} did not fail; row: {row}"
    assert f"{op} / " in output, "the failing op and check are not named in the output"
    if convention is None:
        assert CONVENTION_HINT not in output, f"a real bug taken for a convention:\n" \
                                              f"{output[-3000:]}"
    else:  # a convention (or a misreading) followed undeclared: the message names it
        assert (f"{CONVENTION_HINT} the convention {convention!r} of {op}" in output
                or f"{CONVENTION_HINT} {convention!r}, a misreading" in output), output[-3000:]
    return row
