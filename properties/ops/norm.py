"""Batch norm (catalog §2, docs/notes.md): its table entry and its invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, event, note
from hypothesis import strategies as st

from nnconform.properties.cases import Case, normal, seeds, uniform
from nnconform.properties.optable import Op, invariant
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


@invariant(cases=lambda dtype: batch_norm_cases(dtype, BN_VARIANTS["train_4d"]))
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

OPS = [
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
       edges=batch_norm_edges),
]
