"""Activations (catalog §1, docs/notes.md): the table entries and each op's own invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import closed_form, conventions
from nnconform.properties.cases import (
    Case,
    at_kinks,
    away_from,
    elementwise,
    normal,
    seeds,
    shapes,
    untied,
)
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import Tolerance, assert_close

# --- strategies ------------------------------------------------------------------------


def smooth(dtype, variant=None):
    return elementwise(dtype)


def off_zero(dtype, variant=None):
    return elementwise(dtype, kink=0.0)


def extreme(dtype, variant=None):
    """Values up to ±1e4 where exp overflows if taken naively."""
    return elementwise(dtype, scale=1e4)


@st.composite
def leaky_cases(draw, dtype, variant=None):
    case = draw(off_zero(dtype))
    slope = draw(st.floats(0.0, 1.0), label="negative_slope")
    return Case(case.arrays, {"negative_slope": slope}, case.seed)


@st.composite
def prelu_cases(draw, dtype, variant):
    shape = draw(shapes(min_dims=1, max_dims=4), label="shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = away_from(normal(rng, shape, np.float64, 3.0))
    channels = shape[1] if len(shape) > 1 and variant["slopes"] == "per_channel" else 1
    a = rng.uniform(-0.5, 1.0, channels)
    return Case((x.astype(dtype), a.astype(dtype)), {}, seed)


@st.composite
def rows(draw, dtype, variant=None, scale=3.0, max_dims=3):
    """An array of 1–3 dims and an axis along it (drawn, either sign)."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims, max_side=8), label="shape")
    axis = draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    seed = draw(seeds, label="seed")
    x = normal(np.random.default_rng(seed), shape, dtype, scale)
    return Case((x,), {"axis": axis}, seed)


def extreme_rows(dtype, variant=None):
    return rows(dtype, scale=1e4)


@st.composite
def maxout_cases(draw, dtype, variant=None):
    lead = draw(shapes(min_dims=0, max_dims=2), label="leading shape")
    units = draw(st.integers(1, 5), label="units")
    pieces = draw(st.integers(1, 4), label="pieces")
    seed = draw(seeds, label="seed")
    x = normal(np.random.default_rng(seed), (*lead, units, pieces), np.float64, 3.0)
    x = untied(x).reshape(*lead, units * pieces)  # one maximum per group: no ties
    return Case((x.astype(dtype),), {"pieces": pieces}, seed)


def along(case: Case) -> int:
    return case.arrays[0].shape[case.hyper.get("axis", -1)]


# --- invariants ------------------------------------------------------------------------


def derivative(impl, name, x, **hyper):
    """The elementwise derivative f'(x): the backward of an elementwise op at dy = 1."""
    (dx,) = impl.grads(name, (x,), hyper, np.ones_like(x), 1)
    return np.asarray(dx, dtype=np.float64)


@invariant(cases=off_zero)
def step_outputs_zero_or_one_and_monotone(impl, case):
    """step(x) ∈ {0, 1}, 1 exactly where x > 0 [000], and non-decreasing in x."""
    (x,) = case.arrays
    y = impl("step", x)
    assert set(np.unique(y)) <= {0, 1}, f"step produced values {np.unique(y)}"
    assert np.array_equal(y, (x > 0).astype(y.dtype)), "step(x) != [x > 0]"
    order = np.argsort(x, axis=None)
    assert np.all(np.diff(y.ravel()[order]) >= 0), "step is not monotone"


@invariant(cases=off_zero)
def sign_is_odd(impl, case):
    """sign(-x) = -sign(x), values in {-1, 1} off zero, and sign(0) = 0."""
    (x,) = case.arrays
    assert np.array_equal(impl("sign", -x), -impl("sign", x)), "sign(-x) != -sign(x)"
    assert set(np.unique(impl("sign", x))) <= {-1, 1}
    assert impl("sign", np.zeros(1, x.dtype))[0] == 0, "sign(0) must be 0"


@invariant()
def sigmoid_range_and_symmetry(impl, case):
    """0 < σ(x) < 1 and σ(-x) = 1 - σ(x) [000][002]."""
    (x,) = case.arrays
    y = impl("sigmoid", x)
    assert np.all((y >= 0) & (y <= 1)), "σ(x) left [0, 1]"
    # Strictly inside where the dtype can tell σ(x) from 1 (σ(17) rounds to 1 in float32).
    inner = np.abs(x) < (15 if x.dtype == np.float32 else 35)
    assert np.all((y[inner] > 0) & (y[inner] < 1)), "σ(x) reached 0 or 1 at moderate x"
    assert_close(impl("sigmoid", -x), 1 - y, what="σ(-x) vs 1 - σ(x)", dtype=x.dtype)


def _derivative_peaks(impl, name, x, claim):
    """f'(at) = peak and f' ≤ peak everywhere drawn, for the claim (at, peak)."""
    at, peak = claim
    assert_close(derivative(impl, name, np.full(1, at, x.dtype)), [peak],
                 what=f"{name}'({at})", dtype=x.dtype)
    slack = Tolerance.for_dtype(x.dtype).rtol * peak
    assert np.all(derivative(impl, name, x) <= peak + slack), f"{name}'(x) > {peak}"


@invariant()
def sigmoid_derivative_peaks_at_zero(impl, case):
    """σ'(0) = 0.25 is the maximum of σ' [002][004]: each sigmoid layer scales a gradient by
    at most a quarter."""
    _derivative_peaks(impl, "sigmoid", case.arrays[0], closed_form.SIGMOID_DERIVATIVE_MAX)


@invariant(cases=extreme)
def sigmoid_saturates(impl, case):
    """σ'(x) < 1e-4 once |x| > 10: the saturation that makes gradients vanish [002] (that
    σ itself stays finite and right out there is the robustness column's extremes)."""
    (x,) = case.arrays
    far = np.abs(x) > 10
    assert np.all(derivative(impl, "sigmoid", x)[far] < 1e-4), "σ' not below 1e-4 for |x|>10"


@invariant()
def tanh_is_odd(impl, case):
    """tanh(-x) = -tanh(x) [000]."""
    (x,) = case.arrays
    assert_close(impl("tanh", -x), -impl("tanh", x), what="tanh(-x) vs -tanh(x)", dtype=x.dtype)


@invariant(uses=("sigmoid",))
def tanh_is_shifted_scaled_sigmoid(impl, case):
    """tanh(x) = 2σ(2x) - 1: "a sigmoid shifted and scaled" [003]."""
    (x,) = case.arrays
    assert_close(impl("tanh", x), 2 * impl("sigmoid", 2 * x) - 1,
                 what="tanh(x) vs 2σ(2x) - 1", dtype=x.dtype)


@invariant()
def tanh_derivative_peaks_at_zero(impl, case):
    """tanh'(0) = 1 is the maximum of tanh' [004]."""
    _derivative_peaks(impl, "tanh", case.arrays[0], closed_form.TANH_DERIVATIVE_MAX)


@invariant(cases=smooth)
def relu_idempotent_and_splits_x(impl, case):
    """relu(relu(x)) = relu(x) and relu(x) - relu(-x) = x."""
    (x,) = case.arrays
    y = impl("relu", x)
    assert np.array_equal(impl("relu", y), y), "relu is not idempotent"
    assert_close(y - impl("relu", -x), x, what="relu(x) - relu(-x) vs x", dtype=x.dtype)


@invariant(cases=off_zero, uses=("relu", "identity"))
def leaky_relu_between_relu_and_identity(impl, case):
    """negative_slope 0 gives relu, 1 gives the identity [004] (its derivative at 0 is
    the kinks check's)."""
    (x,) = case.arrays
    assert_close(impl("leaky_relu", x, negative_slope=0.0), impl("relu", x),
                 what="leaky_relu(a=0) vs relu", dtype=x.dtype)
    assert_close(impl("leaky_relu", x, negative_slope=1.0), impl("identity", x),
                 what="leaky_relu(a=1) vs identity", dtype=x.dtype)


@invariant(cases=lambda dtype: prelu_cases(dtype, {"slopes": "per_channel"}))
def prelu_slope_gradient_sums_negative_side(impl, case):
    """∂L/∂a = Σ x·dy over x ≤ 0, summed over every axis but the channel axis [004]."""
    x, a = case.arrays
    y, ctx = impl.forward("prelu", (x, a), {})
    dy = case.rng(3).standard_normal(np.shape(y)).astype(x.dtype)
    _, da = impl.backward("prelu", dy, ctx, 2)
    contribution = np.where(x <= 0, x.astype(np.float64) * dy, 0.0)
    axes = tuple(i for i in range(x.ndim) if not (i == 1 and a.size > 1))
    expected = contribution.sum(axis=axes).reshape(a.shape)
    assert_close(da, expected, what="da vs Σ x·dy over x ≤ 0", dtype=x.dtype,
                 reduction_length=x.size)


@invariant(cases=smooth)
def identity_passes_through(impl, case):
    """identity(x) = x and its gradient is dy (a regression output layer)."""
    (x,) = case.arrays
    assert np.array_equal(impl("identity", x), x)
    dy = case.rng(3).standard_normal(x.shape).astype(x.dtype)
    assert np.array_equal(impl.grads("identity", (x,), {}, dy, 1)[0], dy)


@invariant(cases=rows)
def softmax_rows_are_distributions(impl, case):
    """Each row sums to 1, with every entry in (0, 1] [000][004]."""
    (x,) = case.arrays
    p = impl("softmax", x, **case.hyper)
    axis = case.hyper["axis"]
    assert_close(p.sum(axis=axis), np.ones(np.delete(x.shape, axis % x.ndim)),
                 what="row sums", dtype=x.dtype, reduction_length=along(case))
    assert np.all((p > 0) & (p <= 1)), "softmax entries left (0, 1]"


@invariant(cases=rows)
def softmax_ignores_a_constant_per_row(impl, case):
    """softmax(x + c) = softmax(x) for a constant c per row [004]."""
    axis = case.hyper["axis"]
    # x on a grid of 2^-10 and integer c, so x + c is exact even in float32 and any
    # difference is the op's own doing.
    x = np.round(case.arrays[0].astype(np.float64) * 1024) / 1024
    c = np.expand_dims(case.rng(3).integers(-50, 50, np.delete(x.shape, axis % x.ndim)), axis)
    dtype = case.arrays[0].dtype
    assert_close(impl("softmax", (x + c).astype(dtype), **case.hyper),
                 impl("softmax", x.astype(dtype), **case.hyper),
                 what="softmax(x + c) vs softmax(x)", dtype=dtype, reduction_length=along(case))


@invariant(cases=rows)
def softmax_argmax_is_hardmax(impl, case):
    """argmax softmax(x) = argmax x along the axis (hardmax [003]); ties spread apart."""
    axis = case.hyper["axis"]
    x = untied(case.arrays[0], axis=axis)
    p = impl("softmax", x, axis=axis)
    assert np.array_equal(np.argmax(p, axis=axis), np.argmax(x, axis=axis)), "argmax moved"


@invariant()
def softmax_of_two_is_logistic(impl, case):
    """softmax([z, 0])[0] = σ(z): with C = 2 softmax regression is logistic regression [003]."""
    (z,) = case.arrays
    pair = np.stack([z, np.zeros_like(z)], axis=-1)
    expected = closed_form.FORWARD["sigmoid"](z.astype(np.float64))
    assert_close(impl("softmax", pair, axis=-1)[..., 0], expected,
                 what="softmax([z, 0])[0] vs σ(z)", dtype=z.dtype, reduction_length=2)


@invariant(cases=lambda dtype: rows(dtype, max_dims=1))
def softmax_jacobian_is_diag_p_minus_ppT(impl, case):
    """The Jacobian of a softmax row is diag(p) - ppᵀ [004], column by column via backward."""
    (x,) = case.arrays
    p = impl("softmax", x, **case.hyper)
    rows_of_j = [impl.grads("softmax", (x,), case.hyper, e.astype(x.dtype), 1)[0]
                 for e in np.eye(x.size)]
    expected = closed_form.softmax_jacobian(np.asarray(p, np.float64))
    # Backward at dy = e_k gives Jᵀe_k, the k-th row of J.
    assert_close(np.stack(rows_of_j, axis=0), expected, what="softmax Jacobian",
                 dtype=x.dtype, reduction_length=x.size)


@invariant(cases=rows, uses=("softmax",))
def log_softmax_exponentiates_to_softmax(impl, case):
    """exp(log_softmax(x)) = softmax(x)."""
    (x,) = case.arrays
    assert_close(np.exp(impl("log_softmax", x, **case.hyper)), impl("softmax", x, **case.hyper),
                 what="exp(log_softmax) vs softmax", dtype=x.dtype, reduction_length=along(case))


@invariant(cases=off_zero, uses=("relu",))
def maxout_of_x_and_zero_is_relu(impl, case):
    """maxout over the pieces (x, 0) is relu(x) [002]."""
    (x,) = case.arrays
    pieces = np.stack([x, np.zeros_like(x)], axis=-1).reshape(*x.shape[:-1], 2 * x.shape[-1])
    assert_close(impl("maxout", pieces, pieces=2), impl("relu", x),
                 what="maxout(x, 0) vs relu(x)", dtype=x.dtype)


# --- kinks and ties, and the conventions there ----------------------------------------


@st.composite
def leaky_kinks(draw, dtype):
    case = draw(at_kinks(dtype))
    return Case(case.arrays, {"negative_slope": draw(st.floats(0.0, 1.0), label="slope")},
                case.seed)


@st.composite
def prelu_kinks(draw, dtype):
    case = draw(prelu_cases(dtype, {"slopes": draw(st.sampled_from(("shared", "per_channel")),
                                                   label="slopes")}))
    x, a = case.arrays
    x = np.where(case.rng(5).random(x.shape) < 1 / 3, 0, x).astype(x.dtype)
    return case.with_arrays(x, a)


@st.composite
def maxout_ties(draw, dtype):
    """Groups of 2 to 4 pieces in which two pieces or more tie at the group's maximum
    (whole numbers, so others may tie too), at positions drawn per group."""
    lead = draw(shapes(min_dims=0, max_dims=2), label="leading shape")
    units = draw(st.integers(1, 3), label="units")
    pieces = draw(st.integers(2, 4), label="pieces")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    groups = np.round(normal(rng, (*lead, units, pieces), np.float64, 2.0))
    groups[..., :2] = groups.max(axis=-1, keepdims=True)
    groups = rng.permuted(groups, axis=-1)
    return Case((groups.reshape(*lead, units * pieces).astype(dtype),), {"pieces": pieces},
                seed)


ONE_AT_ZERO = ("the derivative at x = 0 is the positive side's, as a mask `x >= 0` gives; "
               "torch's is the negative side's (a mask `x > 0`)")
GRAD_ONE_AT_ZERO = {
    "relu": Convention(ONE_AT_ZERO, vjp=conventions.relu_vjp_one_at_zero),
    "leaky_relu": Convention(ONE_AT_ZERO, vjp=conventions.leaky_relu_vjp_one_at_zero),
    "prelu": Convention(ONE_AT_ZERO, vjp=conventions.prelu_vjp_one_at_zero),
}
TIES_ALL = ("every tied maximum takes the whole upstream gradient (a mask `x == max`); "
            "torch gives it to the first maximum alone")


# --- the table entries -----------------------------------------------------------------

ELEMENTWISE = dict(family="activations", inputs=("x",), grads=("x",))

OPS = [
    Op("step", formula="1 if u > 0 else 0 [000]", cases=off_zero, oracles=("numeric", "closed"),
       invariants=(step_outputs_zero_or_one_and_monotone,), kinks=at_kinks,
       conventions={"fires_at_zero": Convention(
           "step(0) = 1, the Heaviside step with H(0) = 1 (`x >= 0`); the notes' unit "
           "fires only for u > 0 [000]", forward=conventions.step_fires_at_zero,
           vjp=conventions.step_vjp)}, **ELEMENTWISE),
    Op("sign", formula="sign(u) [002]", cases=off_zero, oracles=("numeric", "closed"),
       invariants=(sign_is_odd,), kinks=at_kinks, **ELEMENTWISE),
    Op("sigmoid", formula="1/(1+e^-u); f' = f(1-f) [000][002][004]", cases=smooth,
       invariants=(sigmoid_range_and_symmetry, sigmoid_derivative_peaks_at_zero,
                   sigmoid_saturates), edges=extreme, **ELEMENTWISE),
    Op("tanh", formula="(1-e^-2x)/(1+e^-2x); f' = 1 - f² [000][002][004]", cases=smooth,
       invariants=(tanh_is_odd, tanh_is_shifted_scaled_sigmoid, tanh_derivative_peaks_at_zero),
       edges=extreme, **ELEMENTWISE),
    Op("relu", formula="max(u, 0) [000][002][003]", cases=off_zero,
       invariants=(relu_idempotent_and_splits_x,), kinks=at_kinks,
       conventions={"grad_one_at_zero": GRAD_ONE_AT_ZERO["relu"]}, **ELEMENTWISE),
    Op("leaky_relu", formula="x if x > 0 else a·x [004]", cases=leaky_cases,
       hyper={"negative_slope": 0.01}, invariants=(leaky_relu_between_relu_and_identity,),
       kinks=leaky_kinks, conventions={"grad_one_at_zero": GRAD_ONE_AT_ZERO["leaky_relu"]},
       **ELEMENTWISE),
    Op("prelu", family="activations", formula="x if x > 0 else a·x, a learned [004]",
       inputs=("x", "a"), grads=("x", "a"), cases=prelu_cases, oracles=("torch", "numeric"),
       variants={"shared": {"slopes": "shared"}, "per_channel": {"slopes": "per_channel"}},
       reduction=lambda case: case.arrays[0].size,
       invariants=(prelu_slope_gradient_sums_negative_side,), kinks=prelu_kinks,
       conventions={"grad_one_at_zero": GRAD_ONE_AT_ZERO["prelu"]}),
    Op("identity", formula="y = x, the regression output [000][001][003]", cases=smooth,
       oracles=("numeric", "closed"), invariants=(identity_passes_through,), **ELEMENTWISE),
    Op("softmax", formula="exp(u_k)/Σ_q exp(u_q) [000][004]", cases=rows,
       hyper={"axis": -1}, reduction=along,
       invariants=(softmax_rows_are_distributions, softmax_ignores_a_constant_per_row,
                   softmax_argmax_is_hardmax, softmax_of_two_is_logistic,
                   softmax_jacobian_is_diag_p_minus_ppT), edges=extreme_rows,
       **ELEMENTWISE),
    Op("log_softmax", formula="u_k - log Σ_q exp(u_q) (beyond: stable CE)", cases=rows,
       hyper={"axis": -1}, reduction=along, oracles=("torch", "numeric"),
       invariants=(log_softmax_exponentiates_to_softmax,), edges=extreme_rows,
       **ELEMENTWISE),
    Op("maxout", formula="max over k linear pieces [002]", cases=maxout_cases,
       hyper={"pieces": 2}, oracles=("torch", "numeric"),
       invariants=(maxout_of_x_and_zero_is_relu,), kinks=maxout_ties,
       conventions={"ties_all": Convention(TIES_ALL, vjp=conventions.maxout_vjp_ties_all)},
       **ELEMENTWISE),
]
