"""Each op's own invariants, declared beside its entry in properties/ops/."""

import pytest

from properties import params
from properties.checks import run
from properties.optable import TABLE


@pytest.mark.parametrize(("op", "invariant", "dtype"), params.invariants())
def test_invariant(impl, op, invariant, dtype):
    impl.require(op, *(TABLE[name] for name in invariant.uses))
    strategy = (invariant.cases(dtype) if invariant.cases
                else op.cases(dtype, next(iter(op.variants.values()))))
    run(lambda case: invariant.check(impl, case), strategy)
