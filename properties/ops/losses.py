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
def hinge_cases(draw, dtype, variant=REDUCTIONS["mean"]):
    """Scores (N, C), class indices (N,) and a margin Δ; every margin s_j - s_y + Δ (j ≠ y)
    is kept 0.05 or more from 0, where the gradient jumps (the kink has its own
    invariant)."""
    n, classes = draw(st.integers(1, 6), label="N"), draw(st.integers(2, 6), label="C")
    margin = draw(st.sampled_from((1.0, 0.5, 0.0, 2.0)), label="margin")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    scores, target = normal(rng, (n, classes), np.float64, 2.0), rng.integers(0, classes, n)
    rows = np.arange(n)
    correct = scores[rows, target][:, None]
    scores = correct - margin + away_from(scores - correct + margin, 0.0, 0.05)
    scores[rows, target] = correct[:, 0]
    return Case((scores.astype(dtype), target),
                {"margin": margin, "reduction": variant["reduction"]}, seed)


@st.composite
def hinge_ties(draw, dtype):
    """Margins of exactly 0 in places: scores on a grid of quarters (exact in every float
    dtype) and some s_j set to s_y - Δ, so Δ - s_y + s_j is 0 with no rounding."""
    variant = draw(st.sampled_from(sorted(REDUCTIONS)), label="reduction")
    case = draw(hinge_cases(dtype, REDUCTIONS[variant]))
    scores, target = case.arrays
    scores = np.round(scores.astype(np.float64) * 4) / 4
    rows = np.arange(len(target))
    tied = case.rng(3).random(scores.shape) < 0.5
    tied[rows, target] = False
    correct = scores[rows, target][:, None]
    scores = np.where(tied, correct - case.hyper["margin"], scores)
    return case.with_arrays(scores.astype(dtype), target)


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


@invariant(cases=hinge_cases)
def multiclass_hinge_is_0_once_the_right_class_wins_by_the_margin(impl, case):
    """L ≥ 0; with each row's correct score above all the others by more than Δ, every
    margin is negative: L = 0 and dL/ds = 0 (CS231n's svm_loss)."""
    scores, target = case.arrays
    assert impl("multiclass_hinge", scores, target, **case.hyper) >= 0, "hinge loss < 0"
    winning = scores.copy()
    winning[np.arange(len(target)), target] = scores.max(axis=1) + case.hyper["margin"] + 1
    assert impl("multiclass_hinge", winning, target, **case.hyper) == 0, (
        "loss != 0 with the right class ahead by more than the margin")
    (grad,) = impl.grads("multiclass_hinge", (winning, target), case.hyper,
                         np.ones((), scores.dtype), 1)
    assert np.array_equal(grad, np.zeros_like(scores)), f"dscores {grad}, expected 0"


@invariant(cases=hinge_cases)
def multiclass_hinge_at_a_margin_of_exactly_0(impl, case):
    """Convention at the kink: only margins > 0 count, so a margin of exactly 0 adds
    nothing to the loss or the gradient (torch's multi_margin_loss does the same).
    Scores [1, 2, 0] with y = 1 and Δ = 1 have margins 1 - 2 + 1 = 0 and -1: L = 0 and
    dL/ds = 0; a second row [0.5, 0, 3] with y = 0 has margins 0.5 and 3.5, gradient
    [-2, 1, 1]."""
    dtype = case.arrays[0].dtype
    scores, target = np.array([[1.0, 2.0, 0.0], [0.5, 0.0, 3.0]], dtype), np.array([1, 0])
    hyper = {"margin": 1.0, "reduction": case.hyper["reduction"]}
    dy = np.asarray(case.rng(3).standard_normal(), dtype)
    scale = 0.5 if hyper["reduction"] == "mean" else 1.0
    assert_close(impl("multiclass_hinge", scores, target, **hyper), scale * 4.0,
                 what="loss with a tie in row 0", dtype=dtype)
    (grad,) = impl.grads("multiclass_hinge", (scores, target), hyper, dy, 1)
    expected = float(dy) * scale * np.array([[0.0, 0.0, 0.0], [-2.0, 1.0, 1.0]])
    assert_close(grad, expected, what="dscores with a tie in row 0", dtype=dtype)


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
def l1_penalty_is_even_and_grows_linearly(impl, case):
    """λ/m Σ|w| [003] is the same for -w and doubles with w."""
    (w,) = case.arrays
    penalty = impl("l1_penalty", w, **case.hyper)
    assert_close(impl("l1_penalty", -w, **case.hyper), penalty, what="l1(-w) vs l1(w)",
                 dtype=w.dtype, reduction_length=w.size)
    assert_close(impl("l1_penalty", 2 * w, **case.hyper), 2 * penalty,
                 what="l1(2w) vs 2·l1(w)", dtype=w.dtype, reduction_length=w.size)


@st.composite
def l1_kinks(draw, dtype):
    """Weights with about a third exactly 0, where |w|'s derivative is a convention:
    sign(0) = 0, torch's and the notes' subgradient."""
    case = draw(weights(dtype))
    (w,) = case.arrays
    w = np.where(case.rng(5).random(w.shape) < 1 / 3, 0, w).astype(w.dtype)
    return case.with_arrays(w)


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
    Op("multiclass_hinge", family="losses",
       formula="1/N Σ_i Σ_{j≠y_i} max(0, s_j - s_{y_i} + Δ) (CS231n's svm_loss); Σ",
       inputs=("scores", "target"), grads=("scores",), outputs=("loss",),
       hyper={"margin": 1.0, "reduction": "mean"}, cases=hinge_cases, variants=REDUCTIONS,
       oracles=("torch", "numeric"), reduction=total_size,
       invariants=(multiclass_hinge_is_0_once_the_right_class_wins_by_the_margin,
                   multiclass_hinge_at_a_margin_of_exactly_0), kinks=hinge_ties),
    Op("l2_penalty", family="losses", formula="λ/(2m) ‖W‖²_F [003]; gradient λW/m [002]",
       inputs=("w",), grads=("w",), hyper={"lam": 0.01, "m": 1}, cases=weights,
       oracles=("numeric", "closed"), reduction=total_size,
       invariants=(l2_penalty_is_weight_decay_for_sgd,)),
    Op("l1_penalty", family="losses", formula="λ/m Σ|w| [003] (makes w sparse)",
       inputs=("w",), grads=("w",), hyper={"lam": 0.01, "m": 1}, cases=weights_off_zero,
       oracles=("numeric", "closed"), reduction=total_size, kinks=l1_kinks,
       invariants=(l1_penalty_is_even_and_grows_linearly,)),
]
