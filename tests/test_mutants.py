"""Every mutant in tests/mutants/ is caught: `nnconform check` exits non-zero and the
report marks the broken op as failing in the kinds of check the mutant names. A mutant
that follows a named convention (its CONVENTION) is told so; no other ever is."""

import importlib

import pytest
from conftest import TESTS

MUTANTS = sorted(p.stem for p in (TESTS / "mutants").glob("*.py") if p.stem != "__init__")


def test_catalog_has_at_least_fifteen_mutants():
    assert len(MUTANTS) >= 15, MUTANTS


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_is_caught(check, name):
    mutant = importlib.import_module(f"mutants.{name}")
    code, report, output = check("--impl", f"tests/mutants/{name}.py", "--only", mutant.OP)
    assert code == 1, f"exit status {code}, expected 1\n{output[-3000:]}"
    row = report["ops"][mutant.OP]
    failing = {kind for kind, status in row.items() if status == "fail"}
    missed = set(mutant.CAUGHT_BY) - failing
    assert not missed, f"{name}: {sorted(missed)} did not fail; row: {row}"
    assert f"{mutant.OP} / " in output, "the failing op and check are not named in the output"
    convention = getattr(mutant, "CONVENTION", None)
    if convention is None:  # a real bug is never taken for a convention
        assert "This failure matches" not in output, output[-3000:]
    else:  # a convention (or a misreading) followed undeclared: the message names it
        assert (f"This failure matches the convention {convention!r} of {mutant.OP}" in output
                or f"This failure matches {convention!r}, a misreading" in output), \
            output[-3000:]
