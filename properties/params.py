"""The op table turned into pytest parameters: one test per op × variant × dtype (× invariant).

Every parameter carries the `nnconform(op, check)` marker the report reads and the op's
family marker, so `-m losses` or `-k softmax` picks a subset.
"""

from __future__ import annotations

import pytest

from nnconform.properties.cases import FLOAT_DTYPES
from nnconform.properties.checks import COLUMN, GENERIC, declared_defaults
from nnconform.properties.optable import TABLE
from nnconform.properties.robustness import ROBUSTNESS


def _marks(op, check):
    return [pytest.mark.nnconform(op=op.name, check=check), getattr(pytest.mark, op.family)]


def generic(check: str) -> list:
    """(op, variant, dtype) for every op the check applies to. The numeric check runs in
    float64 only: differences in float32 cannot resolve a gradient to 1e-7; so does the
    defaults check, whose calls differ in their keywords, not their dtype, and which runs
    only where the table declares defaults. The kinks check runs on the op's own kink
    cases, one "variant"."""
    _, oracle = GENERIC[check]
    dtypes = ("float64",) if check in ("backward_numeric", "defaults") else FLOAT_DTYPES
    needs_grads = check.startswith("backward")
    return [
        pytest.param(op, variant, dtype, id=f"{op.name}-{variant}-{dtype}",
                     marks=_marks(op, COLUMN.get(check, check)))
        for op in TABLE.values()
        if (oracle is None or oracle in op.oracles) and (op.grads or not needs_grads)
        and (check != "defaults" or declared_defaults(op))
        and (check != "kinks" or op.kinks is not None)
        for variant in (("kinks",) if check == "kinks" else op.variants)
        for dtype in dtypes
    ]


def invariants() -> list:
    """(op, invariant, dtype) for every invariant of every op."""
    return [
        pytest.param(op, inv, dtype, id=f"{op.name}-{inv.name}-{dtype}",
                     marks=_marks(op, "invariants"))
        for op in TABLE.values()
        for inv in op.invariants
        for dtype in inv.dtypes
    ]


def robustness(check: str) -> list:
    """(op, variant, dtype) for every op a robustness check applies to: layout to every
    op that has a forward or steps; special_values to those with a PyTorch counterpart;
    extremes to those whose entry names its edges (one variant: the edges' own)."""
    def applies(op) -> bool:
        if check == "extremes":
            return op.edges is not None
        return check == "layout" or "torch" in op.oracles

    return [
        pytest.param(op, variant, dtype, id=f"{op.name}-{variant}-{dtype}",
                     marks=_marks(op, "robustness"))
        for op in TABLE.values() if applies(op)
        for variant in (("edges",) if check == "extremes" else op.variants)
        for dtype in FLOAT_DTYPES
    ]


def checks_by_test() -> dict[str, tuple[str, str]]:
    """'test_forward[relu-default-float32]' -> ('relu', 'forward'): the op and kind of check
    of every test, for reports that carry no markers (a crashed worker's)."""
    tests = [(f"test_{kind}", generic(kind)) for kind in GENERIC]
    tests.append(("test_invariant", invariants()))
    tests += [(f"test_{check}", robustness(check)) for check in ROBUSTNESS]
    return {f"{name}[{param.id}]": next((mark.kwargs["op"], mark.kwargs["check"])
                                        for mark in param.marks if mark.name == "nnconform")
            for name, params in tests for param in params}
