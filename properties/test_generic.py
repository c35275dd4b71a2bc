"""The generic checks over the whole op table (see properties/checks.py)."""

import pytest

from properties import params
from properties.checks import GENERIC, run


def _generic(kind):
    check, _ = GENERIC[kind]

    @pytest.mark.parametrize(("op", "variant", "dtype"), params.generic(kind))
    def test(impl, op, variant, dtype):
        impl.require(op)
        run(lambda case: check(impl, op, case), op.cases(dtype, op.variants[variant]))

    test.__doc__ = check.__doc__
    return test


test_forward = _generic("forward")
test_backward_torch = _generic("backward_torch")
test_backward_numeric = _generic("backward_numeric")
test_closed_form = _generic("closed_form")
test_contract = _generic("contract")
