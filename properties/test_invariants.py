"""Each op's own invariants, declared beside its entry in properties/ops/."""

import pytest

from nnconform.properties import params
from nnconform.properties.fixtures import impl, run_property  # noqa: F401
from nnconform.properties.optable import TABLE


@pytest.mark.parametrize(("op", "invariant", "dtype"), params.invariants())
def test_invariant(impl, run_property, op, invariant, dtype):  # noqa: F811
    impl.require(op, *(TABLE[name] for name in invariant.uses))
    strategy = (invariant.cases(dtype) if invariant.cases
                else op.cases(dtype, next(iter(op.variants.values()))))
    run_property(lambda case: invariant.check(impl, case), strategy)
