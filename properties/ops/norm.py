"""Normalisation (catalog §2, docs/notes.md): batch norm, and layer norm and group norm (beyond
the notes), their table entries and their invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, event, note
from hypothesis import strategies as st

from nnconform.oracles import conventions
from nnconform.properties.cases import (
    Case,
    any_variant,
    normal,
    scaled_edges,
    seeds,
    uniform,
)
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close

# --- strategies ------------------------------------------------------------------------

BN_VARIANTS = {
    "train_2d": {"training": True, "ndim": 2},
    "train_4d": {"training": True, "ndim": 4},
    "eval_2d": {"training": False, "ndim": 2},
    "eval_4d": {"training": False, "ndim": 4},
}
MIN_VARIANCE = 1e-2  # below this a channel's 1/σ is steep: value checks skip it


def _channel_axes(x):
    return (0, *range(2, x.ndim))


def _broadcast(vector, x):
    return vector.reshape(1, -1, *[1] * (x.ndim - 2))


@st.composite
def batch_norm_cases(draw, dtype, variant=BN_VARIANTS["train_2d"]):
    """x (N, C) or (N, C, H, W) with per-channel offsets and scales, γ, β, running mean and
    variance, momentum and ε. Train-mode draws whose batch variance is under MIN_VARIANCE
    in some channel are rejected: the gradient there is ill-conditioned, not wrong."""
    channels = draw(st.integers(1, 4), label="C")
    if variant["ndim"] == 2:
        shape = (draw(st.integers(2, 6), label="N"), channels)
    else:
        shape = (draw(st.integers(1, 3), label="N"), channels,
                 draw(st.integers(1, 3), label="H"), draw(st.integers(1, 3), label="W"))
        assume(shape[0] * shape[2] * shape[3] >= 2)
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    offset, scale = normal(rng, channels, np.float64, 3.0), uniform(rng, channels, np.float64,
                                                                   0.5, 3.0)
    x = _broadcast(offset, np.empty(shape)) + _broadcast(scale, np.empty(shape)) * normal(
        rng, shape, np.float64)
    if variant["training"]:
        assume(x.var(axis=_channel_axes(x)).min() >= MIN_VARIANCE)
    gamma, beta = 1 + normal(rng, channels, np.float64, 0.5), normal(rng, channels, np.float64)
    mean, var = normal(rng, channels, np.float64), uniform(rng, channels, np.float64, 0.5, 2.0)
    hyper = {"training": variant["training"],
             "momentum": draw(st.sampled_from((0.1, 0.0, 1.0, 0.3)), label="momentum"),
             "eps": draw(st.sampled_from((1e-5, 1e-3)), label="eps")}
    return Case(tuple(a.astype(dtype) for a in (x, gamma, beta, mean, var)), hyper, seed)


@st.composite
def batch_norm_edges(draw, dtype):
    """A batch of huge or tiny scale (x times 1e4 or 1e-4, train or eval mode): the
    statistics and their gradients must stay finite and right."""
    variant = draw(st.sampled_from(sorted(BN_VARIANTS)), label="variant")
    case = draw(batch_norm_cases(dtype, BN_VARIANTS[variant]))
    factor = draw(st.sampled_from((1e4, 1e-4)), label="scale")
    x, *rest = case.arrays
    return case.with_arrays((x.astype(np.float64) * factor).astype(dtype), *rest)


def batch_norm_reduction(case: Case) -> int:
    """m = N·H·W, the values μ, σ², dγ, dβ and dx's means sum over, times the channel's
    conditioning max|x|/σ: x - μ keeps an error of one rounding of x, which x̂ = (x - μ)/σ
    and dx multiply by 1/σ, so a channel whose spread is small against its offset loses
    that many more digits (in train mode, where σ is the batch's)."""
    x = case.arrays[0].astype(np.float64)
    m = x.size // x.shape[1]
    if not case.hyper.get("training", True) or m < 2:
        return m
    axes = _channel_axes(x)
    with np.errstate(all="ignore"):  # NaN or inf in x (the special-values check)
        spread = np.sqrt(x.var(axis=axes) + case.hyper.get("eps", 0.0))
        conditioning = np.abs(x).max(axis=axes) / spread
    finite = conditioning[np.isfinite(conditioning)]
    return int(m * max(1.0, float(np.ceil(finite.max())) if finite.size else 1.0))


# --- invariants ------------------------------------------------------------------------


def _standard(case):
    """The case with γ = 1 and β = 0, in train mode."""
    x, gamma, beta, mean, var = case.arrays
    return (x, np.ones_like(gamma), np.zeros_like(beta), mean, var), {
        **case.hyper, "training": True}


@st.composite
def _sometimes_a_flat_channel(draw, dtype):
    """Train-mode cases where, now and then, channel 0 is nearly constant (σ ~ 1e-4)."""
    case = draw(batch_norm_cases(dtype, BN_VARIANTS["train_4d"]))
    x, *rest = case.arrays
    if draw(st.booleans(), label="flat channel 0"):
        x = x.copy()
        x[:, 0] = x[:, 0].mean() + 1e-4 * case.rng(4).standard_normal(x[:, 0].shape)
    return case.with_arrays(x, *rest)


@invariant(cases=_sometimes_a_flat_channel)
def batch_norm_mean_0_variance_1(impl, case):
    """With γ = 1 and β = 0 each channel comes out with mean 0 and variance σ²/(σ² + ε),
    1 to within ε/σ² [003]. Conditioned inputs only: a channel whose batch variance is under
    MIN_VARIANCE is skipped (in float32 its x - μ has lost most of its digits), and the
    skip is recorded as a Hypothesis event and note."""
    arrays, hyper = _standard(case)
    x = arrays[0]
    y, _, _ = impl("batch_norm", *arrays, **hyper)
    axes, m = _channel_axes(x), batch_norm_reduction(case)
    variance = x.astype(np.float64).var(axis=axes)
    kept = variance >= MIN_VARIANCE
    if not kept.all():
        event("batch_norm: channel with batch variance < MIN_VARIANCE skipped")
        note(f"channels {np.flatnonzero(~kept).tolist()} skipped: variance {variance[~kept]}")
    assume(kept.any())
    y = y.astype(np.float64)
    assert_close(y.mean(axis=axes)[kept], np.zeros(kept.sum()), what="per-channel mean",
                 dtype=x.dtype, reduction_length=m)
    expected = variance[kept] / (variance[kept] + hyper["eps"])
    assert_close(y.var(axis=axes)[kept], expected, what="per-channel variance",
                 dtype=x.dtype, reduction_length=m)
    assert np.all(np.abs(expected - 1) <= hyper["eps"] / MIN_VARIANCE)


@invariant(cases=lambda dtype: batch_norm_cases(dtype, BN_VARIANTS["train_2d"]))
def batch_norm_ignores_a_per_channel_constant(impl, case):
    """Adding a constant per channel before batch norm changes nothing: the mean takes it
    away, which is why "BN makes the bias b useless" [003]."""
    x, *rest = case.arrays
    shift = case.rng(3).uniform(-5, 5, x.shape[1]).astype(x.dtype)
    y, _, _ = impl("batch_norm", x, *rest, **case.hyper)
    shifted, _, _ = impl("batch_norm", x + _broadcast(shift, x), *rest, **case.hyper)
    # x + shift rounds at |shift| ~ 5, and 1/σ ≤ 10 magnifies it
    assert_close(shifted, y, what="batch_norm(x + c) vs batch_norm(x)", dtype=x.dtype,
                 reduction_length=50 * batch_norm_reduction(case))


@invariant(cases=lambda dtype: batch_norm_cases(dtype, BN_VARIANTS["eval_4d"]))
def batch_norm_eval_is_affine(impl, case):
    """In eval mode the statistics are constants, so batch norm is an affine map of each
    example on its own: bn(a·x1 + (1 - a)·x2) = a·bn(x1) + (1 - a)·bn(x2)."""
    x1, *rest = case.arrays
    x2 = case.rng(3).standard_normal(x1.shape).astype(x1.dtype)
    a = 0.3
    mixed, _, _ = impl("batch_norm", (a * x1 + (1 - a) * x2).astype(x1.dtype), *rest,
                       **case.hyper)
    y1, _, _ = impl("batch_norm", x1, *rest, **case.hyper)
    y2, _, _ = impl("batch_norm", x2, *rest, **case.hyper)
    assert_close(mixed, a * y1.astype(np.float64) + (1 - a) * y2, what="bn of a mix vs the mix",
                 dtype=x1.dtype, reduction_length=4)


@invariant(cases=lambda dtype: batch_norm_cases(dtype, BN_VARIANTS["train_4d"]),
           torch_only=True)
def batch_norm_running_statistics_update(impl, case):
    """Train mode returns new = (1 - momentum)·old + momentum·batch, the batch variance
    unbiased (÷ (m - 1)), as PyTorch does; the inputs themselves stay as they were."""
    x, _, _, mean, var = (a.astype(np.float64) for a in case.arrays)
    momentum, axes = case.hyper["momentum"], _channel_axes(x)
    _, new_mean, new_var = impl("batch_norm", *case.arrays, **case.hyper)
    m = batch_norm_reduction(case)
    assert_close(new_mean, (1 - momentum) * mean + momentum * x.mean(axis=axes),
                 what="running mean", dtype=case.arrays[0].dtype, reduction_length=m)
    assert_close(new_var, (1 - momentum) * var + momentum * x.var(axis=axes, ddof=1),
                 what="running variance (unbiased batch variance)",
                 dtype=case.arrays[0].dtype, reduction_length=m)


# --- the table entry -------------------------------------------------------------------

BATCH_NORM = [
    Op("batch_norm", family="norm",
       formula="y = γ (x - μ)/√(σ² + ε) + β per channel; batch μ, σ² in train mode, running "
               "ones in eval [003]",
       inputs=("x", "gamma", "beta", "running_mean", "running_var"),
       grads=("x", "gamma", "beta"), cases=batch_norm_cases,
       hyper={"training": True, "momentum": 0.1, "eps": 1e-5},
       outputs=("y", "running_mean", "running_var"), upstream=("y",),
       variants=BN_VARIANTS, oracles=("torch", "numeric"), reduction=batch_norm_reduction,
       invariants=(batch_norm_mean_0_variance_1, batch_norm_ignores_a_per_channel_constant,
                   batch_norm_eval_is_affine, batch_norm_running_statistics_update),
       edges=batch_norm_edges,
       conventions={"biased_running_var": Convention(
           "the running variance is updated with the batch's biased variance (np.var, as "
           "CS231n and most course code keep it); torch uses the unbiased one",
           forward=conventions.batch_norm_biased_running_var)}),
]


# --- layer norm and group norm: statistics per example -----------------------------------

LN_VARIANTS = {"last_axis": {"k": 1}, "last_two_axes": {"k": 2}}
GN_VARIANTS = {"one_group": {"groups": "one"}, "groups": {"groups": "several"},
               "instance": {"groups": "per channel"}}
EPS = st.sampled_from((1e-5, 1e-3))


def _spread_groups(rng, groups, m):
    """(*groups, m) values, each set of m with its own offset N(0, 9) and spread in
    [0.5, 3]: z standardised within the set (m ≥ 2), so no set is nearly constant and
    every 1/σ stays moderate (the ill-conditioned flat case is batch norm's invariant)."""
    z = rng.standard_normal((*groups, m))
    z -= z.mean(axis=-1, keepdims=True)
    z /= z.std(axis=-1, keepdims=True)
    return normal(rng, (*groups, 1), np.float64, 3.0) + uniform(
        rng, (*groups, 1), np.float64, 0.5, 3.0) * z


@st.composite
def layer_norm_cases(draw, dtype, variant=LN_VARIANTS["last_axis"]):
    """x (*leading, *normalised) with 1–2 leading axes and k = 1 or 2 normalised ones of
    at least two values in all; γ and β of the normalised shape; ε."""
    leading = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2),
                         label="leading shape"))
    if variant["k"] == 1:
        normalised = (draw(st.integers(2, 6), label="D"),)
    else:
        normalised = (draw(st.integers(1, 3), label="H"), draw(st.integers(2, 3), label="W"))
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = _spread_groups(rng, leading, int(np.prod(normalised))).reshape(leading + normalised)
    gamma, beta = 1 + normal(rng, normalised, np.float64, 0.5), normal(rng, normalised,
                                                                       np.float64)
    return Case(tuple(a.astype(dtype) for a in (x, gamma, beta)),
                {"eps": draw(EPS, label="eps")}, seed)


@st.composite
def group_norm_cases(draw, dtype, variant=GN_VARIANTS["one_group"]):
    """x (N, C, *spatial) with 0–2 spatial axes and C = groups · (C/groups): one group,
    2–3 groups of 1–2 channels, or a group per channel; γ and β (C,); ε."""
    kind = variant["groups"]
    if kind == "one":
        groups, per_group = 1, draw(st.integers(1, 4), label="C")
    elif kind == "several":
        groups = draw(st.integers(2, 3), label="groups")
        per_group = draw(st.integers(1, 2), label="C/groups")
    else:
        groups, per_group = draw(st.integers(1, 4), label="C"), 1
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2), label="spatial shape"))
    if per_group * int(np.prod(spatial)) < 2:
        spatial = (2, *spatial[1:])  # a group of one value has no variance
    n, channels = draw(st.integers(1, 3), label="N"), groups * per_group
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    m = per_group * int(np.prod(spatial))
    x = _spread_groups(rng, (n, groups), m).reshape(n, channels, *spatial)
    gamma, beta = 1 + normal(rng, channels, np.float64, 0.5), normal(rng, channels, np.float64)
    return Case(tuple(a.astype(dtype) for a in (x, gamma, beta)),
                {"groups": groups, "eps": draw(EPS, label="eps")}, seed)


def _conditioned(sets: np.ndarray, eps: float, sums: int) -> int:
    """The longest sum behind one value, m (a set's size) or `sums` (dγ's, dβ's terms),
    times the worst conditioning max|x|/σ of a set: as batch_norm_reduction says."""
    sets = sets.astype(np.float64)
    with np.errstate(all="ignore"):  # NaN or inf in x (the special-values check)
        conditioning = np.abs(sets).max(axis=-1) / np.sqrt(sets.var(axis=-1) + eps)
    finite = conditioning[np.isfinite(conditioning)]
    worst = float(np.ceil(finite.max())) if finite.size else 1.0
    return int(max(sets.shape[-1], sums) * max(1.0, worst))


def layer_norm_reduction(case: Case) -> int:
    x, gamma, _ = case.arrays
    return _conditioned(x.reshape(-1, gamma.size), case.hyper.get("eps", 1e-5),
                        x.size // max(gamma.size, 1))


def group_norm_reduction(case: Case) -> int:
    x = case.arrays[0]
    return _conditioned(x.reshape(x.shape[0], case.hyper.get("groups", 1), -1),
                        case.hyper.get("eps", 1e-5), x.size // max(x.shape[1], 1))


def _mean_0_variance_1(y, x, eps, m, what):
    """Each row of y (one set of values sharing μ and σ) has mean 0 and variance
    σ²/(σ² + ε), with σ² that row's in x: 1 to within ε/σ²."""
    variance = x.astype(np.float64).var(axis=-1)
    y = y.astype(np.float64)
    assert_close(y.mean(axis=-1), np.zeros(variance.shape), what=f"mean of each {what}",
                 dtype=x.dtype, reduction_length=m)
    assert_close(y.var(axis=-1), variance / (variance + eps), what=f"variance of each {what}",
                 dtype=x.dtype, reduction_length=m)


@invariant(cases=any_variant(layer_norm_cases, LN_VARIANTS))
def layer_norm_mean_0_variance_1_per_example(impl, case):
    """With γ = 1 and β = 0 each example comes out with mean 0 and variance σ²/(σ² + ε)
    over the normalised axes (all of them, not just the last)."""
    x, gamma, beta = case.arrays
    y = impl("layer_norm", x, np.ones_like(gamma), np.zeros_like(beta), **case.hyper)
    _mean_0_variance_1(y.reshape(-1, gamma.size), x.reshape(-1, gamma.size),
                       case.hyper["eps"], layer_norm_reduction(case), "example")


@invariant(cases=any_variant(layer_norm_cases, LN_VARIANTS))
def layer_norm_ignores_a_constant_per_example(impl, case):
    """Adding a constant to each example (another for each) changes nothing: each example
    is normalised with its own mean, never the batch's."""
    x, gamma, beta = case.arrays
    leading = x.shape[:x.ndim - gamma.ndim]
    shift = case.rng(3).uniform(-5, 5, leading + (1,) * gamma.ndim)
    y = impl("layer_norm", x, gamma, beta, **case.hyper)
    shifted = impl("layer_norm", (x + shift).astype(x.dtype), gamma, beta, **case.hyper)
    # x + shift rounds at |shift| ~ 5, and 1/σ ≤ 2 magnifies it
    assert_close(shifted, y, what="layer_norm(x + c) vs layer_norm(x)", dtype=x.dtype,
                 reduction_length=50 * layer_norm_reduction(case))


def _groups_of(x, groups):
    return x.reshape(x.shape[0] * groups, -1)


@invariant(cases=any_variant(group_norm_cases, GN_VARIANTS))
def group_norm_mean_0_variance_1_per_group(impl, case):
    """With γ = 1 and β = 0 each group of an example, channels c·G/C = g (consecutive
    channels, torch's grouping), has mean 0 and variance σ²/(σ² + ε)."""
    x, gamma, beta = case.arrays
    y = impl("group_norm", x, np.ones_like(gamma), np.zeros_like(beta), **case.hyper)
    groups = case.hyper["groups"]
    _mean_0_variance_1(_groups_of(y, groups), _groups_of(x, groups), case.hyper["eps"],
                       group_norm_reduction(case), "group")


@invariant(cases=lambda dtype: group_norm_cases(dtype, GN_VARIANTS["one_group"]),
           uses=("layer_norm",))
def group_norm_with_one_group_is_layer_norm(impl, case):
    """With one group, group norm is layer norm over (C, *spatial), its γ and β repeated
    over the positions of their channel."""
    x, gamma, beta = case.arrays
    per_channel = (-1, *[1] * (x.ndim - 2))
    full = [np.broadcast_to(v.reshape(per_channel), x.shape[1:]).copy() for v in (gamma, beta)]
    assert_close(impl("group_norm", *case.arrays, **case.hyper),
                 impl("layer_norm", x, *full, eps=case.hyper["eps"]).astype(np.float64),
                 what="group_norm(groups=1) vs layer_norm over (C, *spatial)", dtype=x.dtype,
                 reduction_length=group_norm_reduction(case))


NORM = dict(family="norm", inputs=("x", "gamma", "beta"), grads=("x", "gamma", "beta"),
            oracles=("torch", "numeric"))

OPS = [
    *BATCH_NORM,
    Op("layer_norm", formula="y = γ (x - μ)/√(σ² + ε) + β, μ and biased σ² of each example "
       "over the trailing axes γ covers (Ba et al. 2016)", cases=layer_norm_cases,
       hyper={"eps": 1e-5}, variants=LN_VARIANTS, reduction=layer_norm_reduction,
       invariants=(layer_norm_mean_0_variance_1_per_example,
                   layer_norm_ignores_a_constant_per_example),
       edges=scaled_edges(layer_norm_cases, LN_VARIANTS), **NORM),
    Op("group_norm", formula="layer norm of each example's groups of C/groups consecutive "
       "channels, then γ, β per channel; x (N, C, *spatial) (Wu & He 2018)",
       cases=group_norm_cases, hyper={"groups": 1, "eps": 1e-5}, variants=GN_VARIANTS,
       reduction=group_norm_reduction,
       invariants=(group_norm_mean_0_variance_1_per_group,
                   group_norm_with_one_group_is_layer_norm),
       edges=scaled_edges(group_norm_cases, GN_VARIANTS), **NORM),
]
