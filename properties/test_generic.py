"""The generic checks over the whole op table (see properties/checks.py)."""

import pytest

from nnconform.properties import params
from nnconform.properties.checks import GENERIC
from nnconform.properties.fixtures import impl, run_property  # noqa: F401

BACKWARD = ("backward_torch", "backward_numeric")  # kinds that need the op's backward


def _generic(kind):
    check, _ = GENERIC[kind]

    @pytest.mark.parametrize(("op", "variant", "dtype"), params.generic(kind))
    def test(impl, run_property, op, variant, dtype):  # noqa: F811
        kinks = kind == "kinks"
        strategy = op.kinks(dtype) if kinks else op.cases(dtype, op.variants[variant])
        run_property(op, lambda subject, case: check(subject, op, case), strategy,
                     variant=None if kinks else variant, dtype=dtype,
                     backward=kind in BACKWARD)

    test.__doc__ = check.__doc__
    return test


test_forward = _generic("forward")
test_backward_torch = _generic("backward_torch")
test_backward_numeric = _generic("backward_numeric")
test_closed_form = _generic("closed_form")
test_contract = _generic("contract")
test_defaults = _generic("defaults")  # in the contract column
test_kinks = _generic("kinks")
