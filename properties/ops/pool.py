"""Pool ops (catalog §2, docs/notes.md): the table entries and their invariants.

Every case is a drawn window configuration (properties/ops/windows.py) over a small batch,
N in 1..2 and C in 1..3. Max-pool inputs are tie-free inside each (n, c) plane, so the
numeric gradient never straddles a tie and every window's maximum is one known element;
ties are the kinks check's (`max_pool_ties`), with their convention. Lp-pool inputs are
positive and away from 0 (its domain for general p).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import conventions
from nnconform.oracles.closed_form_conv import output_size, pair
from nnconform.properties.cases import Case, normal, seeds, uniform, untied
from nnconform.properties.ops.windows import spelled, windows
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import Tolerance, assert_close

GEOMETRY = ("kernel_size", "stride", "padding")

# --- strategies ------------------------------------------------------------------------


@st.composite
def _layout(draw, pad=True):
    """A window configuration, its hyperparameters (stride None where it equals the
    kernel, an int where h = w) and an input shape (N, C, H, W)."""
    window = draw(windows(max_dilation=1, pad=pad), label="window")
    n = draw(st.integers(1, 2), label="N")
    c = draw(st.integers(1, 3), label="C")
    hyper = {"kernel_size": spelled(window.kernel),
             "stride": None if window.stride == window.kernel else spelled(window.stride)}
    if pad:
        hyper["padding"] = spelled(window.padding)
    return hyper, (n, c, *window.size)


@st.composite
def max_pool_cases(draw, dtype, variant=None):
    """N(0, 9) values spread apart (gap 1e-2) within each (n, c) plane: no ties."""
    hyper, shape = draw(_layout())
    seed = draw(seeds, label="seed")
    x = normal(np.random.default_rng(seed), shape, np.float64, 3.0)
    x = untied(x.reshape(*shape[:2], -1)).reshape(shape)
    return Case((x.astype(dtype),), hyper, seed)


@st.composite
def max_pool_ties(draw, dtype):
    """Whole numbers N(0, 1) rounded: most windows hold tied maxima, and overlapping or
    padded windows share them."""
    hyper, shape = draw(_layout())
    seed = draw(seeds, label="seed")
    x = np.round(normal(np.random.default_rng(seed), shape, np.float64))
    return Case((x.astype(dtype),), hyper, seed)


@st.composite
def avg_pool_cases(draw, dtype, variant=None):
    include = (variant or {"count_include_pad": True})["count_include_pad"]
    hyper, shape = draw(_layout())
    seed = draw(seeds, label="seed")
    x = normal(np.random.default_rng(seed), shape, dtype, 3.0)
    return Case((x,), {**hyper, "count_include_pad": include}, seed)


@st.composite
def lp_pool_cases(draw, dtype, variant=None):
    """x uniform in [0.5, 2] (x > 0, away from 0); p = 1 (sum pooling), 2, or in [1, 4]."""
    hyper, shape = draw(_layout(pad=False))
    p = draw(st.sampled_from((1.0, 2.0)) | st.floats(1.0, 4.0), label="norm_type")
    seed = draw(seeds, label="seed")
    x = uniform(np.random.default_rng(seed), shape, dtype, 0.5, 2.0)
    return Case((x,), {"norm_type": p, **hyper}, seed)


def _geometry(case: Case):
    """The case's kernel, stride and padding as (h, w) pairs (stride None: the kernel)."""
    kernel = pair(case.hyper["kernel_size"])
    stride = kernel if case.hyper.get("stride") is None else pair(case.hyper["stride"])
    return kernel, stride, pair(case.hyper.get("padding", 0))


def window_size(case: Case) -> int:
    """kh·kw: the longest sum behind an output (a window) or a gradient (the windows
    overlapping one input element, at most kh·kw of them)."""
    kh, kw = _geometry(case)[0]
    return kh * kw


def _windows_of(case: Case) -> dict:
    """The case's window keywords alone (no count_include_pad, no norm_type)."""
    return {key: case.hyper[key] for key in GEOMETRY if key in case.hyper}


# --- invariants ------------------------------------------------------------------------


def _assert_at_most(smaller, larger, *, what, dtype, reduction_length) -> None:
    """smaller ≤ larger elementwise, up to the rounding of the dtype's tolerance."""
    smaller, larger = np.asarray(smaller, np.float64), np.asarray(larger, np.float64)
    tolerance = Tolerance.for_dtype(dtype, reduction_length)
    excess = smaller - larger - (tolerance.atol + tolerance.rtol * np.abs(larger))
    if np.any(excess > 0):
        worst = np.unravel_index(np.argmax(excess), excess.shape)
        raise AssertionError(f"{what}: {int((excess > 0).sum())} of {excess.size} elements "
                             f"break it; worst at {tuple(int(i) for i in worst)}: "
                             f"{float(smaller[worst])!r} > {float(larger[worst])!r}")


def _output_size_is_the_formula(impl, name, case):
    """The output-size claims, for the pool `name` on the case's windows."""
    (x,) = case.arrays
    per_axis = zip(x.shape[2:], *_geometry(case), strict=True)
    expected = (*x.shape[:2], *(output_size(*axis) for axis in per_axis))
    y = impl(name, x, **case.hyper)
    assert y.shape == expected, (f"{name}: output shape {y.shape}, expected {expected} = "
                                 f"floor((H + 2P - f)/S) + 1 per axis")
    # f = 2, s = 2 halves an even H and W [000][003]; stride left out means the kernel's.
    even = np.concatenate([x, x], axis=2)
    even = np.concatenate([even, even], axis=3)
    rest = {key: value for key, value in case.hyper.items() if key not in GEOMETRY}
    halved = impl(name, even, kernel_size=2, stride=2, **rest)
    assert halved.shape == x.shape, (f"{name}: f = 2, s = 2 gave {halved.shape} from "
                                     f"{even.shape}, expected {x.shape}")
    assert np.array_equal(impl(name, even, kernel_size=2, **rest), halved), (
        f"{name}: stride left out is not the kernel size")


@invariant()
def max_pool_output_size_is_the_formula(impl, case):
    """Output (N, C, Ho, Wo), floor((H + 2P - f)/S) + 1 per axis, for every drawn window;
    f = 2, s = 2 halves an even H and W [000][003][004]."""
    _output_size_is_the_formula(impl, "max_pool2d", case)


@invariant()
def avg_pool_output_size_is_the_formula(impl, case):
    """As for max pooling: floor((H + 2P - f)/S) + 1 per axis; f = 2, s = 2 halves H and W
    [000][003][004]."""
    _output_size_is_the_formula(impl, "avg_pool2d", case)


@invariant()
def lp_pool_output_size_is_the_formula(impl, case):
    """floor((H - f)/S) + 1 per axis (no padding); f = 2, s = 2 halves H and W [000][003]."""
    _output_size_is_the_formula(impl, "lp_pool2d", case)


@invariant(uses=("avg_pool2d",))
def max_pool_at_least_avg_pool(impl, case):
    """A window's maximum is at least its mean: max_pool2d ≥ avg_pool2d on the same windows,
    the padding left out of both (count_include_pad=False) (catalog §2, docs/notes.md)."""
    (x,) = case.arrays
    top = impl("max_pool2d", x, **case.hyper)
    mean = impl("avg_pool2d", x, **case.hyper, count_include_pad=False)
    _assert_at_most(mean, top, what="avg_pool2d ≤ max_pool2d", dtype=x.dtype,
                    reduction_length=window_size(case))


@invariant()
def max_pool_gradient_goes_to_argmax_only(impl, case):
    """For tie-free input each window's dy goes to its maximum alone [003]: dx is dy
    scattered to the windows' argmaxes (summed where windows share one) and exactly 0
    at every element that is no window's maximum."""
    (x,) = case.arrays
    y, ctx = impl.forward("max_pool2d", (x,), case.hyper)
    dy = case.rng(3).standard_normal(np.shape(y)).astype(x.dtype)
    (dx,) = impl.backward("max_pool2d", dy, ctx, 1)
    # Tie-free planes: each output is exactly one element of its plane, found by value.
    hits = x[:, :, :, :, None, None] == np.asarray(y)[:, :, None, None, :, :]
    found = hits.sum(axis=(2, 3))
    assert np.all(found == 1), f"outputs not found exactly once in their plane: {found}"
    winners = hits.any(axis=(4, 5))
    assert np.all(dx[~winners] == 0), "dx is nonzero at an element that is no window's max"
    expected = np.einsum("nchwyx,ncyx->nchw", hits.astype(np.float64), dy.astype(np.float64))
    assert_close(dx, expected, what="dx vs dy scattered to the argmaxes", dtype=x.dtype,
                 reduction_length=window_size(case))


@invariant()
def avg_pool_of_a_constant_is_the_constant(impl, case):
    """The mean of a constant window is the constant (catalog §2, docs/notes.md): avg_pool2d
    of a constant image is that constant wherever the padding is not counted
    (count_include_pad=False), and everywhere without padding."""
    (x,) = case.arrays
    value = x.dtype.type(case.rng(3).normal(0.0, 3.0))
    (kh, kw), _, _ = _geometry(case)
    unpadded = {**_windows_of(case), "padding": 0}
    for shape, hyper in ((x.shape, {**_windows_of(case), "count_include_pad": False}),
                         ((*x.shape[:2], max(x.shape[2], kh), max(x.shape[3], kw)),
                          {**unpadded, "count_include_pad": True})):
        y = impl("avg_pool2d", np.full(shape, value, x.dtype), **hyper)
        assert_close(y, np.full(y.shape, float(value)), what=f"avg_pool2d({value} image, "
                     f"{hyper}) vs {value}", dtype=x.dtype, reduction_length=window_size(case))


@invariant(uses=("avg_pool2d",))
def lp_pool_with_p_1_is_sum_pooling(impl, case):
    """(Σ x¹)¹ is the window's sum: lp_pool2d with p = 1 is kh·kw · avg_pool2d [000]."""
    (x,) = case.arrays
    n = window_size(case)
    total = impl("lp_pool2d", x, norm_type=1.0, **_windows_of(case))
    mean = impl("avg_pool2d", x, **_windows_of(case)).astype(np.float64)
    assert_close(total, n * mean, what="lp_pool2d(p=1) vs kh·kw·avg_pool2d", dtype=x.dtype,
                 reduction_length=n)


@invariant(uses=("max_pool2d",))
def lp_pool_tends_to_max_pool_as_p_grows(impl, case):
    """For x > 0 and p = 1, 2, 4, …, 32: max ≤ Lp ≤ n^(1/p)·max with n = kh·kw, and Lp is
    non-increasing in p, so it closes in on max pooling as p grows [000]."""
    (x,) = case.arrays
    n, geometry = window_size(case), _windows_of(case)
    top = impl("max_pool2d", x, **geometry)
    previous = None
    for p in (1, 2, 4, 8, 16, 32):
        lp = impl("lp_pool2d", x, norm_type=float(p), **geometry)
        _assert_at_most(top, lp, what=f"max ≤ L{p}", dtype=x.dtype, reduction_length=n)
        _assert_at_most(lp, n ** (1 / p) * top.astype(np.float64),
                        what=f"L{p} ≤ n^(1/{p})·max", dtype=x.dtype, reduction_length=n)
        if previous is not None:
            _assert_at_most(lp, previous, what=f"L{p} ≤ L{p // 2}", dtype=x.dtype,
                            reduction_length=n)
        previous = lp


# --- the table entries -----------------------------------------------------------------

POOL = dict(family="pool", inputs=("x",), grads=("x",), reduction=window_size)

OPS = [
    Op("max_pool2d", formula="max of each f×f window, stride S; f = 2, s = 2 halves H, W "
                             "[000][003][004]",
       cases=max_pool_cases, hyper={"kernel_size": 2, "stride": None, "padding": 0},
       invariants=(max_pool_output_size_is_the_formula, max_pool_at_least_avg_pool,
                   max_pool_gradient_goes_to_argmax_only), kinks=max_pool_ties,
       conventions={"ties_all": Convention(
           "every tied maximum of a window takes its whole upstream gradient (a mask "
           "`window == window.max()`, as CS231n's reference does); torch gives it to the "
           "window's first maximum in row-major order",
           vjp=conventions.max_pool2d_vjp_ties_all)}, **POOL),
    Op("avg_pool2d", formula="mean of each f×f window [000][003][004]", cases=avg_pool_cases,
       hyper={"kernel_size": 2, "stride": None, "padding": 0, "count_include_pad": True},
       variants={"include_pad": {"count_include_pad": True},
                 "exclude_pad": {"count_include_pad": False}},
       invariants=(avg_pool_output_size_is_the_formula,
                   avg_pool_of_a_constant_is_the_constant), **POOL),
    Op("lp_pool2d", formula="(Σ_window x^p)^(1/p), x > 0; p = 1 sums [000]",
       cases=lp_pool_cases, hyper={"norm_type": 2.0, "kernel_size": 2, "stride": None},
       invariants=(lp_pool_output_size_is_the_formula, lp_pool_with_p_1_is_sum_pooling,
                   lp_pool_tends_to_max_pool_as_p_grows), **POOL),
]
