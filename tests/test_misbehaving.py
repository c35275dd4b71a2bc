"""The harness survives the implementations it checks: each module in tests/misbehaving/
breaks relu one way (raises, hangs, returns the wrong shape, dtype or type, returns NaN,
mutates its input, exits its process, segfaults) beside a correct sigmoid. The run
completes, relu's cell says FAIL or CRASH with the reason, and sigmoid passes."""

import importlib.util

import pytest
from conftest import TESTS

MISBEHAVING = sorted(path.stem for path in (TESTS / "misbehaving").glob("*.py")
                     if "EXPECTED" in path.read_text())


def _expected(name):
    """(kind of check, the cell's status, words its failures' messages hold); loading the
    module is safe: it misbehaves only when called."""
    spec = importlib.util.spec_from_file_location(name, TESTS / "misbehaving" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED


@pytest.mark.parametrize("name", MISBEHAVING)
def test_a_misbehaving_op_is_reported_and_the_run_goes_on(check, name):
    kind, status, reason = _expected(name)
    code, report, output = check(
        "--impl", f"tests/misbehaving/{name}.py", "--only", "relu,sigmoid", "--timeout", "4",
        "-n", "1", "--", "-k", f"test_{kind} and float32")
    assert code == 1, output[-3000:]
    assert report["ops"]["relu"][kind] == status, report["ops"]["relu"]
    assert report["ops"]["sigmoid"][kind] == "pass", report["ops"]["sigmoid"]
    messages = [f["message"] for f in report["failures"] if "relu" in f["nodeid"]]
    assert messages and all(reason.lower() in m.lower() for m in messages), messages
    assert ("CRASH" if status == "crashed" else "FAIL") in output
