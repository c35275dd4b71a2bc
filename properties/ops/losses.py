"""Losses and penalties (catalog §3, docs/notes.md): the table entries and their invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import closed_form
from nnconform.properties.cases import Case, away_from, normal, seeds, shapes, uniform
from nnconform.properties.optable import Op, invariant
from nnconform.properties.tolerances import assert_close

REDUCTIONS = {"mean": {"reduction": "mean"}, "sum": {"reduction": "sum"}}

# --- strategies ------------------------------------------------------------------------


@st.composite
def regression(draw, dtype, variant=REDUCTIONS["mean"]):
    shape = draw(shapes(max_dims=3), label="shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    return Case((normal(rng, shape, dtype, 2.0), normal(rng, shape, dtype, 2.0)),
                {"reduction": variant["reduction"]}, seed)


def _binary_targets(draw, rng, shape):
    if draw(st.booleans(), label="soft targets"):
        return rng.uniform(0, 1, shape)
    return rng.integers(0, 2, shape).astype(np.float64)


@st.composite
def probabilities(draw, dtype, variant=REDUCTIONS["mean"], low=0.02, high=0.98):
    """Predicted probabilities kept inside [low, high] (the gradient 1/(p(1-p)) is steep
    near 0 and 1), targets hard {0, 1} or soft in [0, 1]."""
    shape = draw(shapes(max_dims=3), label="shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    p = uniform(rng, shape, dtype, low, high)
    return Case((p, _binary_targets(draw, rng, shape).astype(dtype)),
                {"reduction": variant["reduction"]}, seed)


@st.composite
def probabilities_at_the_edges(draw, dtype):
    """Predicted probabilities that are exactly 0 or 1 in places, where ln blows up."""
    case = draw(probabilities(dtype))
    p, t = case.arrays
    edge = case.rng(3).integers(0, 3, p.shape)  # 0: keep, 1: exactly 0, 2: exactly 1
    p = np.where(edge == 1, 0.0, np.where(edge == 2, 1.0, p)).astype(dtype)
    return case.with_arrays(p, t)


@st.composite
def logits_and_binary_targets(draw, dtype, variant=REDUCTIONS["mean"], scale=3.0):
    shape = draw(shapes(max_dims=3), label="shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    z = normal(rng, shape, dtype, scale)
    return Case((z, _binary_targets(draw, rng, shape).astype(dtype)),
                {"reduction": variant["reduction"]}, seed)


@st.composite
def classification(draw, dtype, variant=None, scale=3.0):
    """Logits (N, C) and targets: class indices (N,) or probability rows (N, C)."""
    variant = variant or {"reduction": "mean", "target": "indices"}
    n = draw(st.integers(1, 6), label="N")
    classes = draw(st.integers(1, 6), label="C")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    z = normal(rng, (n, classes), dtype, scale)
    if variant["target"] == "indices":
        target = rng.integers(0, classes, n)
    else:
        weights = rng.exponential(size=(n, classes))
        target = (weights / weights.sum(axis=1, keepdims=True)).astype(dtype)
    return Case((z, target), {"reduction": variant["reduction"]}, seed)


@st.composite
def weights(draw, dtype, variant=None, kink=None):
    shape = draw(shapes(max_dims=3), label="shape")
    seed = draw(seeds, label="seed")
    lam = draw(st.floats(1e-3, 1.0), label="lam")
    m = draw(st.integers(1, 100), label="m")
    w = normal(np.random.default_rng(seed), shape, np.float64)
    if kink is not None:
        w = away_from(w, kink)
    return Case((w.astype(dtype),), {"lam": lam, "m": m}, seed)


def weights_off_zero(dtype, variant=None):
    return weights(dtype, kink=0.0)


def total_size(case: Case) -> int:
    return case.arrays[0].size


def gradient_of(impl, name, case, dy=None):
    """(y, d_first_input) for a loss at upstream gradient dy (default: a random scalar)."""
    y = impl(name, *case.arrays, **case.hyper)
    if dy is None:
        dy = case.rng(3).standard_normal()
    (grad,) = impl.grads(name, case.arrays, case.hyper, np.asarray(dy, y.dtype), 1)
    return y, np.asarray(grad, np.float64), float(dy)


def _mean_divisor(case: Case) -> int:
    return case.arrays[0].size if case.hyper["reduction"] == "mean" else 1


# --- invariants ------------------------------------------------------------------------


@invariant(cases=regression)
def mse_nonnegative_and_zero_iff_equal(impl, case):
    """mse ≥ 0, and = 0 when the prediction equals the target [000][004]."""
    pred, target = case.arrays
    assert impl("mse", pred, target, **case.hyper) >= 0, "mse < 0"
    assert impl("mse", target, target, **case.hyper) == 0, "mse(y, y) != 0"


@invariant(cases=probabilities)
def binary_cross_entropy_nonnegative(impl, case):
    """BCE ≥ 0 for hard and soft targets [003][004]."""
    assert impl("binary_cross_entropy", *case.arrays, **case.hyper) >= 0, "BCE < 0"


@invariant(cases=logits_and_binary_targets, uses=("sigmoid",))
def sigmoid_then_bce_gradient_is_a_minus_y(impl, case):
    """Through a sigmoid output, ∂BCE/∂z = (a - y)/n: the σ' term cancels [002][003]."""
    z, t = case.arrays
    z = np.clip(z, -3.8, 3.8)  # σ(z) within [0.02, 0.98], off the steep edges of ln
    a = impl("sigmoid", z)
    bce_case = case.with_arrays(a.astype(z.dtype), t)
    _, da, dy = gradient_of(impl, "binary_cross_entropy", bce_case)
    (dz,) = impl.grads("sigmoid", (z,), {}, da.astype(z.dtype), 1)
    expected = dy * (impl("sigmoid", z) - t.astype(np.float64)) / _mean_divisor(case)
    assert_close(dz, expected, what="dz through sigmoid vs (a - y)/n", dtype=z.dtype,
                 reduction_length=4)  # three roundings: σ, the BCE gradient, σ'


@invariant(cases=logits_and_binary_targets, uses=("sigmoid", "binary_cross_entropy"))
def bce_with_logits_is_bce_of_sigmoid(impl, case):
    """BCE-with-logits(z, y) = BCE(σ(z), y) where σ(z) stays off 0 and 1."""
    z, t = case.arrays
    z = np.clip(z, -4, 4)  # where σ(z) rounds far from 0 and 1 in float32
    fused = impl("binary_cross_entropy_with_logits", z, t, **case.hyper)
    composed = impl("binary_cross_entropy", impl("sigmoid", z).astype(z.dtype), t, **case.hyper)
    # σ(z) rounds by half an ulp and ln(1 - σ) amplifies that by up to 1/(1 - σ) ≈ e^|z|.
    amplification = float(np.exp(np.abs(z.astype(np.float64)).max()))  # ≤ e^4 ≈ 55
    assert_close(fused, composed, what="BCE-with-logits vs BCE(σ(z))", dtype=z.dtype,
                 reduction_length=int(z.size * amplification))


@invariant(cases=classification)
def cross_entropy_nonnegative(impl, case):
    """Cross-entropy ≥ 0 [004]."""
    assert impl("cross_entropy", *case.arrays, **case.hyper) >= 0, "cross-entropy < 0"


@invariant(cases=classification)
def cross_entropy_indices_equal_one_hot(impl, case):
    """Class indices and their one-hot probability rows give the same loss and gradient."""
    z, labels = case.arrays
    one_hot = np.eye(z.shape[1], dtype=z.dtype)[labels]
    as_indices = gradient_of(impl, "cross_entropy", case, dy=1.5)
    as_rows = gradient_of(impl, "cross_entropy", case.with_arrays(z, one_hot), dy=1.5)
    for what, got, expected in zip(("loss", "dz"), as_rows[:2], as_indices[:2], strict=True):
        assert_close(got, expected, what=f"{what}: one-hot rows vs indices", dtype=z.dtype,
                     reduction_length=z.size)


@invariant(cases=weights)
def l2_penalty_is_weight_decay_for_sgd(impl, case):
    """One SGD step on loss + λ/(2m)‖W‖² equals weight decay of lr·λ/m [003]."""
    (w,) = case.arrays
    rng = case.rng(3)
    g, lr = rng.standard_normal(w.shape), rng.uniform(1e-3, 0.5)
    (penalty_grad,) = impl.grads("l2_penalty", (w,), case.hyper, np.ones((), w.dtype), 1)
    stepped = w - lr * (g + np.asarray(penalty_grad, np.float64))
    decayed = closed_form.sgd_step_with_weight_decay(
        w.astype(np.float64), g, lr, lr * case.hyper["lam"] / case.hyper["m"])
    assert_close(stepped, decayed, what="SGD with L2 vs weight decay", dtype=w.dtype)


@invariant(cases=weights)
def l1_penalty_gradient_at_zero_is_zero(impl, case):
    """Convention at the kink: the (sub)gradient of |w| at w = 0 is 0, sign(0)."""
    zero = np.zeros(3, case.arrays[0].dtype)
    (grad,) = impl.grads("l1_penalty", (zero,), case.hyper, np.ones((), zero.dtype), 1)
    assert np.array_equal(grad, zero), f"d|w| at 0 is {grad}, expected 0"


# --- the table entries -----------------------------------------------------------------

LOSS = dict(family="losses", inputs=("pred", "target"), grads=("pred",),
            hyper={"reduction": "mean"}, reduction=total_size)

OPS = [
    Op("mse", formula="1/n Σ (y - ŷ)² [004]; Σ [000]; 1/(2m) Σ [002]", cases=regression,
       variants={"mean": {"reduction": "mean"}, "sum": {"reduction": "sum"},
                 "half": {"reduction": "half"}},
       invariants=(mse_nonnegative_and_zero_iff_equal,), **LOSS),
    Op("binary_cross_entropy", formula="-1/n Σ [y ln ŷ + (1-y) ln(1-ŷ)] [003][004]",
       cases=probabilities, variants=REDUCTIONS,
       invariants=(binary_cross_entropy_nonnegative, sigmoid_then_bce_gradient_is_a_minus_y),
       edges=probabilities_at_the_edges, **LOSS),
    Op("binary_cross_entropy_with_logits", formula="BCE(σ(z), y), fused and stable (beyond)",
       cases=logits_and_binary_targets, variants=REDUCTIONS,
       invariants=(bce_with_logits_is_bce_of_sigmoid,),
       edges=lambda dtype: logits_and_binary_targets(dtype, scale=1e4), **LOSS),
    Op("cross_entropy", formula="-1/n Σ_i Σ_j Y_ij ln softmax(z)_ij [004]; Σ [000]",
       cases=classification,
       variants={f"{target}-{reduction}": {"reduction": reduction, "target": target}
                 for target in ("indices", "probabilities") for reduction in ("mean", "sum")},
       invariants=(cross_entropy_nonnegative, cross_entropy_indices_equal_one_hot),
       edges=lambda dtype: classification(dtype, scale=1e4), **LOSS),
    Op("l2_penalty", family="losses", formula="λ/(2m) ‖W‖²_F [003]; gradient λW/m [002]",
       inputs=("w",), grads=("w",), hyper={"lam": 0.01, "m": 1}, cases=weights,
       oracles=("numeric", "closed"), reduction=total_size,
       invariants=(l2_penalty_is_weight_decay_for_sgd,)),
    Op("l1_penalty", family="losses", formula="λ/m Σ|w| [003] (makes w sparse)",
       inputs=("w",), grads=("w",), hyper={"lam": 0.01, "m": 1}, cases=weights_off_zero,
       oracles=("numeric", "closed"), reduction=total_size,
       invariants=(l1_penalty_gradient_at_zero_is_zero,)),
]
