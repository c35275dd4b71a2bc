"""Every mutant in tests/mutants/ is caught: `nnconform check` exits non-zero and the
report marks the broken op as failing in the kinds of check the mutant names. A mutant
that follows a named convention (its CONVENTION) is told so; no other ever is."""

import importlib

import pytest
from conftest import TESTS, assert_caught

# A module named _* is a helper the mutants share (_attention.py), not a mutant.
MUTANTS = sorted(p.stem for p in (TESTS / "mutants").glob("*.py") if not p.stem.startswith("_"))


def test_catalog_has_at_least_fifteen_mutants():
    assert len(MUTANTS) >= 15, MUTANTS


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_is_caught(check, name):
    mutant = importlib.import_module(f"mutants.{name}")
    assert_caught(check, mutant.OP, mutant.CAUGHT_BY, "--impl", f"tests/mutants/{name}.py",
                  convention=getattr(mutant, "CONVENTION", None))
