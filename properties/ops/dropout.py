"""Dropout (catalog §2, docs/notes.md): its table entry and its invariants.

The generic checks pass an explicit mask, so the forward is a deterministic function that
torch, the closed form and the numeric differences can all be compared with; the
invariants draw masks from a seeded numpy.random.Generator as a user would.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from nnconform.properties.cases import Case, normal, seeds, shapes
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close

DROPOUT_VARIANTS = {"train": {"training": True}, "eval": {"training": False}}


@st.composite
def dropout_cases(draw, dtype, variant=DROPOUT_VARIANTS["train"]):
    """x of any small shape, keep_prob in [0.2, 1] and the mask d = rand < keep_prob."""
    shape = draw(shapes(max_dims=3), label="shape")
    keep_prob = draw(st.sampled_from((0.5, 0.8, 1.0, 0.2)) | st.floats(0.2, 1.0),
                     label="keep_prob")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, shape, dtype, 2.0)
    mask = rng.random(shape) < keep_prob
    return Case((x, mask), {"keep_prob": keep_prob, "training": variant["training"]}, seed)


def _drawing(case):
    """The case's x with the mask left to a Generator seeded from the case."""
    x, _ = case.arrays
    return x, {**case.hyper, "rng": case.rng(5)}


def _is_identity(impl, case, arrays, hyper, what):
    x = arrays[0]
    y, ctx = impl.forward("dropout", arrays, hyper)
    assert np.array_equal(y, x), f"{what} changed x"
    dy = case.rng(1).standard_normal(x.shape).astype(x.dtype)
    (dx,) = impl.backward("dropout", dy, ctx, 1)
    assert np.array_equal(dx, dy), f"{what} changed dy"


@invariant()
def dropout_keep_prob_1_is_identity(impl, case):
    """With keep_prob = 1 every unit is kept and nothing is scaled: y = x, dx = dy."""
    x, hyper = _drawing(case)
    _is_identity(impl, case, (x, None), {**hyper, "keep_prob": 1.0}, "keep_prob = 1")


@invariant()
def dropout_eval_is_identity(impl, case):
    """At test time dropout is off [001][003]: y = x and dx = dy, whatever the mask."""
    _is_identity(impl, case, case.arrays, {**case.hyper, "training": False}, "eval mode")


@invariant()
def dropout_backward_applies_the_same_mask(impl, case):
    """With the mask drawn inside, the backward still uses the forward's: dx = dy/keep_prob
    where a unit was kept (y ≠ 0 for x ≠ 0) and 0 where it was dropped."""
    x, hyper = _drawing(case)
    x = np.where(x == 0, 1, x).astype(x.dtype)
    y, ctx = impl.forward("dropout", (x, None), hyper)
    dy = case.rng(1).standard_normal(x.shape).astype(x.dtype)
    (dx,) = impl.backward("dropout", dy, ctx, 1)
    kept = y != 0
    assert_close(dx, np.where(kept, dy / hyper["keep_prob"], 0), what="dx vs dy·d/keep_prob",
                 dtype=x.dtype)
    assert_close(y, np.where(kept, x / hyper["keep_prob"], 0), what="y vs x·d/keep_prob",
                 dtype=x.dtype)


SAMPLES = 4000
FALSE_ALARM = 1e-9


@invariant()
def dropout_mean_approaches_the_input(impl, case):
    """Inverted dropout keeps the expectation: E[x·d/keep_prob] = x [003]. The mean of
    SAMPLES draws, each in [min(0, x/p), max(0, x/p)], is within
    t = |x|/p·√(ln(2n/α)/(2·SAMPLES)) of x for all n elements at once with probability at
    least 1 - α by Hoeffding's inequality and a union bound; α = FALSE_ALARM = 1e-9, and the
    Generator is seeded from the case, so a run is reproducible as well. The draws are the
    rows of one call on SAMPLES stacked copies of x (every element has its own mask bit)."""
    x, hyper = _drawing(case)
    p = hyper["keep_prob"]
    stacked = np.broadcast_to(x, (SAMPLES, *x.shape)).copy()
    total = impl("dropout", stacked, None, **hyper).astype(np.float64).sum(axis=0)
    bound = np.abs(x.astype(np.float64)) / p * math.sqrt(
        math.log(2 * max(x.size, 1) / FALSE_ALARM) / (2 * SAMPLES))
    error = np.abs(total / SAMPLES - x)
    worst = np.unravel_index(np.argmax(error - bound), x.shape) if x.size else ()
    assert np.all(error <= bound + 1e-6 * np.abs(x)), (
        f"mean of {SAMPLES} outputs is {total[worst] / SAMPLES!r} at {worst}, x is "
        f"{x[worst]!r}: off by more than the Hoeffding bound {bound[worst]:.3g}")


OPS = [
    Op("dropout", family="dropout",
       formula="y = x·d/keep_prob, d = rand < keep_prob (inverted); y = x in eval [001][003]",
       inputs=("x", "mask?"), grads=("x",), cases=dropout_cases,
       hyper={"keep_prob": 0.5, "training": True, "rng": None},
       variants=DROPOUT_VARIANTS,
       conventions={"p_is_drop": Convention(
           "the probability argument is the drop probability (torch's p, Keras's rate, "
           "dropout_ratio) where the contract's keep_prob is the keep probability",
           call=lambda arrays, hyper: (arrays, {**hyper, "keep_prob": 1 - hyper["keep_prob"]}
                                       if "keep_prob" in hyper else hyper))},
       invariants=(dropout_keep_prob_1_is_identity, dropout_eval_is_identity,
                   dropout_backward_applies_the_same_mask, dropout_mean_approaches_the_input)),
]
