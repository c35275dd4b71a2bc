"""The robustness checks over the whole op table (see properties/robustness.py): the
report's "robustness" column."""

import pytest

from nnconform.properties import params
from nnconform.properties.fixtures import impl, run_property  # noqa: F401
from nnconform.properties.robustness import ROBUSTNESS


def _robustness(kind):
    check = ROBUSTNESS[kind]

    @pytest.mark.parametrize(("op", "variant", "dtype"), params.robustness(kind))
    def test(impl, run_property, op, variant, dtype):  # noqa: F811
        edges = kind == "extremes"
        strategy = op.edges(dtype) if edges else op.cases(dtype, op.variants[variant])
        run_property(op, lambda subject, case: check(subject, op, case), strategy,
                     variant=None if edges else variant, dtype=dtype, backward=False)

    test.__doc__ = check.__doc__
    return test


test_layout = _robustness("layout")
test_special_values = _robustness("special_values")
test_extremes = _robustness("extremes")
