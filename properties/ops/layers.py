"""The fully connected layer (catalog §2, docs/notes.md): its table entry and its invariant."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import closed_form
from nnconform.properties.cases import Case, normal, seeds, shapes
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close

# --- strategies ------------------------------------------------------------------------


@st.composite
def linear_cases(draw, dtype, variant=None):
    """x (..., in) with 1–2 leading axes, W (out, in) "output index first" [002], b (out,)."""
    with_bias = (variant or {"bias": True})["bias"]
    lead = draw(shapes(min_dims=1, max_dims=2), label="leading shape")
    n_in = draw(st.integers(1, 8), label="in")
    n_out = draw(st.integers(1, 8), label="out")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, (*lead, n_in), dtype)
    w = normal(rng, (n_out, n_in), dtype, 1 / np.sqrt(n_in))
    b = normal(rng, (n_out,), dtype) if with_bias else None
    return Case((x, w, b), {}, seed)


def linear_reduction(case: Case) -> int:
    x, w, _ = case.arrays
    # y sums over `in`; dx over `out`; dW and db over every leading element.
    return max(w.shape[1], w.shape[0], x.size // x.shape[-1])


# --- invariants ------------------------------------------------------------------------


@invariant(cases=lambda dtype: linear_cases(dtype, {"bias": True}))
def linear_stack_is_one_linear(impl, case):
    """Two linear layers with no activation between them are one linear layer with
    W = W2 W1 and b = W2 b1 + b2 [003][004]."""
    x, w1, b1 = case.arrays
    rng = case.rng(3)
    w2 = rng.standard_normal((3, w1.shape[0])).astype(x.dtype)
    b2 = rng.standard_normal(3).astype(x.dtype)
    stacked = impl("linear", impl("linear", x, w1, b1).astype(x.dtype), w2, b2)
    w, b = closed_form.compose_linear(*(a.astype(np.float64) for a in (w1, b1, w2, b2)))
    assert_close(stacked, impl("linear", x, w.astype(x.dtype), b.astype(x.dtype)),
                 what="linear(linear(x)) vs one linear layer", dtype=x.dtype,
                 reduction_length=2 * linear_reduction(case))


# --- the table entries -----------------------------------------------------------------

OPS = [
    Op("linear", family="layers", formula="y = x Wᵀ + b, W out × in [002][003]",
       inputs=("x", "w", "b?"), grads=("x", "w", "b"), cases=linear_cases,
       variants={"bias": {"bias": True}, "no_bias": {"bias": False}},
       reduction=linear_reduction, invariants=(linear_stack_is_one_linear,),
       conventions={"weight_in_out": Convention(
           "W stored (in, out) and y = x W + b, as CS231n and Keras keep it; torch's is "
           "(out, in)", call=lambda arrays, hyper: ((arrays[0], arrays[1].T, arrays[2]), hyper),
           grads=lambda grads: (grads[0], None if grads[1] is None else grads[1].T,
                                grads[2]))}),
]
