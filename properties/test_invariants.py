"""Each op's own invariants, declared beside its entry in properties/ops/."""

import pytest

from nnconform.properties import params
from nnconform.properties.fixtures import impl, run_property  # noqa: F401
from nnconform.properties.harness import NOT_APPLICABLE
from nnconform.properties.optable import TABLE


@pytest.mark.parametrize(("op", "invariant", "dtype"), params.invariants())
def test_invariant(impl, run_property, op, invariant, dtype):  # noqa: F811
    if invariant.torch_only and impl.convention_names(op):
        pytest.skip(f"{NOT_APPLICABLE}: states torch's convention; the declared "
                    f"{', '.join(impl.convention_names(op))} has its own oracle")
    impl.require(*(TABLE[name] for name in invariant.uses), backward=False)
    declared = impl.domain(op).variants or tuple(op.variants)  # the first one it supports
    strategy = (invariant.cases(dtype) if invariant.cases
                else op.cases(dtype, op.variants[declared[0]]))
    run_property(op, invariant.check, strategy, dtype=dtype, backward=False)
