"""Weight initialisers (catalog §5, docs/notes.md): their table entries and their invariants.

The generic checks pass an explicit standard-normal draw z, so each initialiser is the
deterministic W = z·std that torch and the closed form are compared with; the statistical
invariants leave the draw to a numpy.random.Generator seeded from the case, as a user
would, and state their false-alarm probability.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import conventions
from nnconform.properties.cases import Case, normal, seeds
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close

SCALES = st.sampled_from((0.01, 0.1, 1.0)) | st.floats(1e-3, 2.0)


def _weight_shape(draw, low, high):
    """(n_out, n_in) or a convolution's (n_out, n_in, kh[, kw]) with kernel sides 1..3."""
    n_out = draw(st.integers(low, high), label="n_out")
    n_in = draw(st.integers(low, high), label="n_in")
    kernel = draw(st.lists(st.integers(1, 3), max_size=2), label="kernel")
    return (n_out, n_in, *kernel)


@st.composite
def init_cases(draw, dtype, variant=None, scaled=False):
    """An explicit standard-normal draw z of a small weight shape; `scaled` also draws
    small_normal's scale."""
    shape = _weight_shape(draw, 1, 6)
    hyper = {"scale": draw(SCALES, label="scale")} if scaled else {}
    seed = draw(seeds, label="seed")
    return Case((normal(np.random.default_rng(seed), shape, dtype),), hyper, seed)


def _fans(shape):
    cells = math.prod(shape[2:])
    return shape[1] * cells, shape[0] * cells


# --- the variance of a large draw ------------------------------------------------------

SAMPLES = 50_000
FALSE_ALARM = 1e-9
ROUNDING = 1e-5  # the relative error float32 rounding of z·std may add to a mean square


@st.composite
def large_draws(draw, dtype, scaled=False):
    """A weight shape of 64 to 65536·9 elements, drawn inside by the op from a Generator
    seeded from the case (None in place of z)."""
    hyper = {"shape": _weight_shape(draw, 8, 256), "dtype": dtype}
    if scaled:
        hyper["scale"] = draw(SCALES, label="scale")
    return Case((None,), hyper, draw(seeds, label="seed"))


def _variance_invariant(name, variance, what):
    """The invariant `NAME_sample_variance_is_WHAT`: the weights of calls drawing at least
    SAMPLES values in all, with rng seeded from the case, have mean 0 and variance
    variance(fan_in, fan_out, hyper), within bounds that hold with probability at least
    1 - FALSE_ALARM (1e-9) for independent N(0, σ²) weights, and the bias is exactly 0.

    With N values, Σw²/σ² is χ²_N; by Laurent and Massart (2000) it lies below N - 2√(Nx)
    or above N + 2√(Nx) + 2x each with probability at most e^-x, and Σw/(σ√N) is N(0, 1),
    beyond ±√(2 ln(2/δ)) with probability at most δ. x = ln(3/FALSE_ALARM) and δ =
    FALSE_ALARM/3 make the three events together at most FALSE_ALARM. At N = 50000 the
    sample variance is within about 4 % of σ², so He (2/n_in), Xavier (1/n_in) and
    Glorot (2/(n_in + n_out)) differ by far more, unless n_in = n_out."""

    def check(impl, case):
        shape, dtype = case.hyper["shape"], np.dtype(case.hyper["dtype"])
        rng = case.rng(5)
        calls = -(-SAMPLES // math.prod(shape))
        weights = []
        for _ in range(calls):
            weight, bias = impl(name, None, **case.hyper, rng=rng)
            assert weight.shape == shape and weight.dtype == dtype, (
                f"weight {weight.dtype}{list(weight.shape)}, expected {dtype}{list(shape)}")
            assert bias.shape == shape[:1] and bias.dtype == dtype and not bias.any(), (
                f"bias {bias!r} is not zeros of shape (n_out,) = {shape[:1]}")
            weights.append(weight.astype(np.float64).ravel())
        w = np.concatenate(weights)
        n, sigma2 = w.size, variance(*_fans(shape), case.hyper)
        x = math.log(3 / FALSE_ALARM)
        low = (n - 2 * math.sqrt(n * x)) / n * sigma2 * (1 - ROUNDING)
        high = (n + 2 * math.sqrt(n * x) + 2 * x) / n * sigma2 * (1 + ROUNDING)
        mean_square = float(np.mean(w * w))
        assert low <= mean_square <= high, (
            f"sample variance {mean_square:.6g} of {n} weights outside [{low:.6g}, "
            f"{high:.6g}] around the stated {sigma2:.6g}")
        mean_bound = math.sqrt(sigma2 / n * 2 * math.log(6 / FALSE_ALARM))
        assert abs(w.mean()) <= mean_bound, (
            f"sample mean {w.mean():.3g} beyond ±{mean_bound:.3g}")

    check.__name__ = f"{name}_sample_variance_is_{what}"
    check.__doc__ = _variance_invariant.__doc__.replace("NAME", name).replace("WHAT", what)
    return invariant(cases=lambda dtype: large_draws(dtype, scaled=name == "small_normal"))(
        check)


# --- activations through a deep ReLU stack ------------------------------------------------

WIDTH = 200
DEPTH = 15


@st.composite
def stack_cases(draw, dtype):
    """Only a seed: the stack's weights are drawn inside, from a Generator seeded by it."""
    return Case((None,), {"dtype": dtype}, draw(seeds, label="seed"))


def _log_moment(n, s):
    """log E[r^s] for r = 2S/n, S = Σ_i max(ξ_i, 0)², ξ_i independent N(0, 1), i ≤ n,
    leaving out the event K ≤ max(0, -2s), K ~ Binomial(n, 1/2) the count of positive ξ
    (S given K is χ²_K, with E[S^s] = 2^s Γ(K/2 + s)/Γ(K/2))."""
    terms = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
             - n * math.log(2) + s * math.log(4 / n) + math.lgamma(k / 2 + s)
             - math.lgamma(k / 2) for k in range(1, n + 1) if k / 2 + s > 0]
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


@functools.cache
def relu_stack_band(width=WIDTH, depth=DEPTH, alpha=FALSE_ALARM):
    """(low, high) with P(ratio < low) ≤ α/2 and P(ratio > high) ≤ α/2, where ratio is
    q_L/q_0 for one input through `depth` layers a ← relu(W a), W (width, width) with
    independent N(0, 2/width) entries, zero bias, q the mean of a² over the units.

    Given a, the units W_i·a are independent N(0, 2q) (rows of W are independent), so each
    layer multiplies q by r = 2S/n of _log_moment, independently of the layers before:
    ratio = Π r_l, E[ratio] = 1. Chernoff's bound gives P(Π r ≥ C) ≤ C^-s E[r^s]^L and
    P(Π r ≤ c) ≤ c^s E[r^-s; K > 2s]^L + L·P(K ≤ 2s) for s > 0; each side takes its best
    s on a grid. For width 200 and 15 layers: about (0.011, 38)."""
    n = width
    lows, highs = [0.0], [math.inf]
    for s in (i / 4 for i in range(1, 81)):
        dead = depth * sum(math.exp(math.lgamma(n + 1) - math.lgamma(k + 1)
                                    - math.lgamma(n - k + 1) - n * math.log(2))
                           for k in range(int(2 * s) + 1))
        if dead < alpha / 4:
            lows.append(math.exp((math.log(alpha / 2 - dead) - depth * _log_moment(n, -s))
                                 / s))
        highs.append(math.exp((depth * _log_moment(n, s) - math.log(alpha / 2)) / s))
    return max(lows), min(highs)


def _relu_stack_ratio(impl, name, case, **hyper):
    """q_DEPTH/q_0 for one standard-normal input through DEPTH layers relu(W a + b) of
    width WIDTH initialised by `name`, computed in float64."""
    rng = case.rng(5)
    x = case.rng(6).standard_normal(WIDTH)
    a = x
    for _ in range(DEPTH):
        weight, bias = impl(name, None, shape=(WIDTH, WIDTH), dtype=case.hyper["dtype"],
                            rng=rng, **hyper)
        a = np.maximum(weight.astype(np.float64) @ a + bias, 0)
    return float(np.mean(a * a) / np.mean(x * x))


@invariant(cases=stack_cases)
def he_normal_keeps_the_activation_scale_through_a_relu_stack(impl, case):
    """He's 2/n_in keeps E[a²] through ReLU layers [003]: through DEPTH = 15 layers
    relu(W a + b) of width 200, He weights and zero bias, the mean square of the last
    activation over that of the input lies in relu_stack_band() ≈ (0.011, 38) with
    probability at least 1 - FALSE_ALARM (1e-9; see relu_stack_band for the derivation),
    while small normal weights shrink it by (200·0.01²/2)^15 = 1e-30."""
    low, high = relu_stack_band()
    ratio = _relu_stack_ratio(impl, "he_normal", case)
    assert low * (1 - ROUNDING) <= ratio <= high * (1 + ROUNDING), (
        f"mean square activation went from 1 to {ratio:.3g} through {DEPTH} He-initialised "
        f"ReLU layers, outside [{low:.3g}, {high:.3g}]")


@invariant(cases=stack_cases)
def small_normal_shrinks_activations_through_a_relu_stack(impl, case):
    """randn·0.01 makes a deep ReLU stack's activations vanish: a layer of width n scales
    the mean square by (n·scale²/2)·r, r as for He weights (relu_stack_band), so after 15
    layers of width 200 it is at most (200·10⁻⁴/2)^15·high ≈ 4e-29 of the input's with
    probability at least 1 - FALSE_ALARM/2, far below He's band."""
    _, high = relu_stack_band()
    scale = 0.01
    bound = (WIDTH * scale ** 2 / 2) ** DEPTH * high * (1 + ROUNDING)
    ratio = _relu_stack_ratio(impl, "small_normal", case, scale=scale)
    assert ratio <= bound, (
        f"mean square activation went from 1 to {ratio:.3g} through {DEPTH} small-normal "
        f"ReLU layers, above {bound:.3g}")


# --- the vanishing gradient through sigmoid layers -----------------------------------------


@st.composite
def sigmoid_stack_cases(draw, dtype):
    """A depth 1..8 and a width 1..6 (width 1 is a scalar chain)."""
    depth = draw(st.integers(1, 8), label="layers")
    width = draw(st.integers(1, 6), label="width")
    return Case((None,), {"layers": depth, "width": width, "dtype": dtype},
                draw(seeds, label="seed"))


def _sigmoid_stack_gradient(impl, x, layers, upstream):
    """Jᵀ·upstream for y = σ(W_L … σ(W_1 x + b_1) … + b_L), by the implementation's own
    linear and sigmoid backward passes."""
    tape, a = [], x
    for weight, bias in layers:
        z, linear_ctx = impl.forward("linear", (a, weight, bias), {})
        a, sigmoid_ctx = impl.forward("sigmoid", (z,), {})
        tape.append((linear_ctx, sigmoid_ctx))
    gradient = upstream
    for linear_ctx, sigmoid_ctx in reversed(tape):
        (dz,) = impl.backward("sigmoid", gradient, sigmoid_ctx, 1)
        gradient, _, _ = impl.backward("linear", dz, linear_ctx, 3)
    return gradient


@invariant(cases=sigmoid_stack_cases, uses=("linear", "sigmoid"))
def xavier_normal_sigmoid_layers_shrink_the_gradient_by_a_quarter_each(impl, case):
    """The vanishing gradient [002]: σ' ≤ 1/4, so through L sigmoid layers whose weights
    have spectral norm ≤ 1, ‖∂y/∂x‖₂ ≤ 0.25^L. Xavier weights scaled down to norm 1 where
    above it, random biases and x: ‖Jᵀu‖ ≤ 0.25^L ‖u‖ up to L layers of roundoff. And the
    bound is reached: a scalar chain with w = 1 and every pre-activation 0 has gradient
    exactly 0.25^L."""
    depth, width = case.hyper["layers"], case.hyper["width"]
    dtype = np.dtype(case.hyper["dtype"])
    rng = case.rng(5)
    layers = []
    for _ in range(depth):
        weight, _ = impl("xavier_normal", None, shape=(width, width), dtype=dtype, rng=rng)
        norm = np.linalg.norm(weight.astype(np.float64), 2)
        layers.append(((weight / max(norm, 1.0)).astype(dtype), normal(rng, width, dtype)))
    x, u = normal(rng, (1, width), dtype, 2.0), normal(rng, (1, width), dtype)
    gradient = _sigmoid_stack_gradient(impl, x, layers, u)
    bound = 0.25 ** depth * np.linalg.norm(u.astype(np.float64))
    roundoff = 1000 * depth * np.finfo(dtype).eps
    assert np.linalg.norm(gradient.astype(np.float64)) <= bound * (1 + roundoff), (
        f"‖∂y/∂x‖ = {np.linalg.norm(gradient):.6g} above 0.25^{depth}·‖u‖ = {bound:.6g}")

    one, zero = np.ones((1, 1), dtype), np.zeros((1, 1), dtype)
    chain = [(one, np.zeros(1, dtype))] + [(one, np.full(1, -0.5, dtype))] * (depth - 1)
    tight = _sigmoid_stack_gradient(impl, zero, chain, np.ones((1, 1), dtype))
    assert_close(tight, np.full((1, 1), 0.25 ** depth), what=f"∂y/∂x of {depth} sigmoid "
                 "layers at 0 vs 0.25^L", dtype=dtype)


# --- the table ----------------------------------------------------------------------------

_SHAPE = "W (n_out, n_in, ...) = z·std, b = 0; fan_in = n_in·kernel cells"

def _initialiser(name, formula, variance, variance_name, *invariants, cases=init_cases,
                 conventions=None, **settings):
    """An initialiser's entry: (weight, bias) from an explicit draw z or from rng, and the
    sample-variance invariant for `variance(fan_in, fan_out, hyper)`."""
    return Op(name, family="init", formula=f"{formula}; {_SHAPE}", inputs=("z?",),
              cases=cases, hyper={"shape": None, "dtype": None, "rng": None, **settings},
              outputs=("weight", "bias"), no_backward="z is a random draw, not a parameter",
              oracles=("torch", "closed"),
              invariants=(_variance_invariant(name, variance, variance_name), *invariants),
              conventions=conventions or {})


OPS = [
    _initialiser("small_normal", "std = scale, randn·0.01 [003]",
                 lambda fan_in, fan_out, hyper: hyper["scale"] ** 2, "scale_squared",
                 small_normal_shrinks_activations_through_a_relu_stack,
                 cases=functools.partial(init_cases, scaled=True), scale=0.01),
    _initialiser("xavier_normal", "std = √(1/fan_in), the notes' Xavier for tanh [003]",
                 lambda fan_in, fan_out, hyper: 1 / fan_in, "1_over_n_in",
                 xavier_normal_sigmoid_layers_shrink_the_gradient_by_a_quarter_each,
                 conventions={"glorot": Convention(
                     "torch's xavier_normal_ and most code mean Glorot's "
                     "√(2/(fan_in + fan_out)), which is glorot_normal here: name it so",
                     forward=conventions.xavier_as_glorot, trap=True)}),
    _initialiser("glorot_normal", "std = √(2/(fan_in + fan_out)) (torch's xavier_normal_)",
                 lambda fan_in, fan_out, hyper: 2 / (fan_in + fan_out),
                 "2_over_n_in_plus_n_out"),
    _initialiser("he_normal", "std = √(2/fan_in), for ReLU [003]",
                 lambda fan_in, fan_out, hyper: 2 / fan_in, "2_over_n_in",
                 he_normal_keeps_the_activation_scale_through_a_relu_stack),
]
