"""Convolution ops (catalog §2, docs/notes.md): conv2d, flatten and the residual block, their table
entries and their invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from nnconform.oracles import closed_form_conv
from nnconform.properties.cases import Case, normal, seeds
from nnconform.properties.ops.windows import spelled, windows
from nnconform.properties.optable import Op, invariant
from nnconform.properties.tolerances import assert_close

# --- strategies ------------------------------------------------------------------------

CONV_VARIANTS = {
    "bias": {"bias": True},
    "no_bias": {"bias": False},
    # the commonest layers, the ones fast implementations special-case
    "3x3_stride1": {"bias": True, "kernel": 3, "max_stride": 1},
    "1x1": {"bias": True, "kernel": 1, "max_stride": 1},  # "network in network" [003]
    "dilated": {"bias": True, "max_dilation": 2},
    "grouped": {"bias": True, "groups": (2, 3)},
}


@st.composite
def conv2d_cases(draw, dtype, variant=CONV_VARIANTS["bias"], padding=True):
    """x (N, C, H, W), w (K, C/groups, F_h, F_w), b (K,) or None, and stride, padding,
    dilation, groups drawn so the output has 1..4 pixels per axis."""
    window = draw(windows(min_kernel=variant.get("kernel", 1), max_kernel=variant.get("kernel", 3),
                          max_stride=variant.get("max_stride", 2),
                          max_dilation=variant.get("max_dilation", 1), pad=padding))
    groups = draw(st.integers(*variant["groups"]), label="groups") if "groups" in variant else 1
    per_group = draw(st.integers(1, 2), label="channels per group")
    kernels = groups * draw(st.integers(1, 2), label="kernels per group")
    n = draw(st.integers(1, 2), label="N")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, (n, groups * per_group, *window.size), dtype)
    fan_in = per_group * window.kernel[0] * window.kernel[1]
    w = normal(rng, (kernels, per_group, *window.kernel), dtype, 1 / np.sqrt(fan_in))
    b = normal(rng, (kernels,), dtype) if variant["bias"] else None
    hyper = {"stride": spelled(window.stride), "padding": spelled(window.padding),
             "dilation": spelled(window.dilation), "groups": groups}
    return Case((x, w, b), hyper, seed)


def _output_shape(case: Case) -> tuple:
    x, w, _ = case.arrays
    return closed_form_conv.conv2d_output_shape(x.shape, w.shape, **{
        key: case.hyper[key] for key in ("stride", "padding", "dilation") if key in case.hyper})


def _pairs(hyper):
    return {key: closed_form_conv.pair(hyper.get(key, default))
            for key, default in (("stride", 1), ("padding", 0), ("dilation", 1))}


def conv2d_reduction(case: Case) -> int:
    """The longest sum behind one value: Cg·F·F for y, (K/groups)·F·F for dx (every window
    an input pixel is in, every kernel of its group), N·Ho·Wo for dW and db."""
    x, w, _ = case.arrays
    kernels, per_group, fh, fw = w.shape
    ho, wo = _output_shape(case)[2:]
    taps = fh * fw
    return max(per_group * taps, kernels // case.hyper.get("groups", 1) * taps,
               x.shape[0] * ho * wo)


def _off_the_kinks(arrays, margin=1e-3) -> bool:
    """Both relus' inputs (z1 and z2 + x, by the closed-form conv) are at least `margin`
    from 0, so a gradient check's small steps never cross a kink."""
    x, w1, b1, w2, b2 = arrays
    same = closed_form_conv.same_padding(w1.shape[2])
    z1 = closed_form_conv.conv2d(x, w1, b1, padding=same)
    z2 = closed_form_conv.conv2d(np.maximum(z1, 0), w2, b2, padding=same) + x
    return bool(np.abs(z1).min() > margin and np.abs(z2).min() > margin)


@st.composite
def residual_cases(draw, dtype, variant=None):
    """x (N, C, H, W), w1 (C_mid, C, F, F), b1, w2 (C, C_mid, F, F), b2 with F odd, drawn
    so that no relu input sits on the kink (draws that would are rejected)."""
    f = draw(st.sampled_from((1, 3)), label="F")
    c = draw(st.integers(1, 3), label="C")
    mid = draw(st.integers(1, 3), label="C_mid")
    n = draw(st.integers(1, 2), label="N")
    h, w = draw(st.integers(1, 4), label="H"), draw(st.integers(1, 4), label="W")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, (n, c, h, w), np.float64)
    w1 = normal(rng, (mid, c, f, f), np.float64, 1 / np.sqrt(c * f * f))
    w2 = normal(rng, (c, mid, f, f), np.float64, 1 / np.sqrt(mid * f * f))
    b1, b2 = normal(rng, (mid,), np.float64), normal(rng, (c,), np.float64)
    arrays = tuple(a.astype(dtype) for a in (x, w1, b1, w2, b2))
    assume(_off_the_kinks(arrays))
    return Case(arrays, {}, seed)


def residual_reduction(case: Case) -> int:
    x, w1, _, _, _ = case.arrays
    # two convolutions in a row sum (C + C_mid)·F·F terms into y; dW sums N·H·W
    taps = w1.shape[2] * w1.shape[3]
    return max((w1.shape[0] + w1.shape[1]) * taps, x.shape[0] * x.shape[2] * x.shape[3])


@st.composite
def flatten_cases(draw, dtype, variant=None):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4), label="shape"))
    start = draw(st.integers(-len(shape), len(shape) - 1), label="start_dim")
    seed = draw(seeds, label="seed")
    return Case((normal(np.random.default_rng(seed), shape, dtype),), {"start_dim": start},
                seed)


# --- invariants ------------------------------------------------------------------------


def _conv(impl, x, w, b=None, **hyper):
    return impl("conv2d", x, w, b, **hyper)


@invariant()
def conv2d_output_size_formula(impl, case):
    """Ho = floor((H + 2P - dilation·(F - 1) - 1)/S) + 1, and likewise Wo, for every drawn
    configuration; the notes' (H + 2P - F)/S + 1 rounded down at dilation 1 [003][004]."""
    x, w, b = case.arrays
    expected = _output_shape(case)
    y = _conv(impl, x, w, b, **case.hyper)
    assert y.shape == expected, f"y has shape {y.shape}, expected (N, K, Ho, Wo) = {expected}"


@st.composite
def _odd_kernels(draw, dtype):
    case = draw(conv2d_cases(dtype, CONV_VARIANTS["bias"]))
    x, w, b = case.arrays
    f = draw(st.sampled_from((1, 3, 5)), label="F")
    w = normal(case.rng(3), (w.shape[0], x.shape[1], f, f), dtype, 1 / f)
    return Case((x, w, b), {}, case.seed)


@invariant(cases=_odd_kernels)
def conv2d_same_padding_keeps_size(impl, case):
    """"Same" convolution: P = (F - 1)/2 at stride 1 keeps H × W for odd F [000][003]."""
    x, w, b = case.arrays
    same = closed_form_conv.same_padding(w.shape[2])
    y = _conv(impl, x, w, b, padding=same)
    assert y.shape[2:] == x.shape[2:], f"P = {same} for F = {w.shape[2]}: {x.shape} -> {y.shape}"


@invariant()
def conv2d_parameter_count_independent_of_image(impl, case):
    """(F·F·C_in/groups + 1)·C_out parameters, however large the image [003]: the same
    kernels run on a second, larger image, and the gradients for them (dW, db) have the
    formula's number of entries both times."""
    x, w, b = case.arrays
    groups = case.hyper["groups"]
    expected = closed_form_conv.parameter_count(w.shape[2:], x.shape[1], w.shape[0], groups,
                                                bias=b is not None)
    bigger = normal(case.rng(4), (*x.shape[:2], x.shape[2] + 3, x.shape[3] + 5), x.dtype)
    for image in (x, bigger):
        y = _conv(impl, image, w, b, **case.hyper)
        dy = normal(case.rng(5), y.shape, y.dtype)
        _, dw, db = impl.grads("conv2d", (image, w, b), case.hyper, dy, 3)
        count = dw.size + (0 if db is None else db.size)
        assert count == expected, (f"{count} parameter gradients on a {image.shape[2:]} "
                                   f"image, expected (F·F·C_in/groups + 1)·C_out = {expected}")


@invariant(uses=("linear",))
def conv2d_1x1_is_linear_at_every_pixel(impl, case):
    """A 1×1 convolution is one fully connected layer applied at every position
    ("network in network" [003]): conv(x, W)[n, :, h, w] = linear(x[n, :, h, w], W)."""
    x, w, b = case.arrays
    w1 = normal(case.rng(5), (w.shape[0], x.shape[1], 1, 1), x.dtype)
    y = _conv(impl, x, w1, b)
    pixels = np.ascontiguousarray(x.transpose(0, 2, 3, 1))  # (N, H, W, C)
    expected = impl("linear", pixels, np.ascontiguousarray(w1[:, :, 0, 0]), b)
    assert_close(y, expected.transpose(0, 3, 1, 2), what="1×1 conv vs linear per pixel",
                 dtype=x.dtype, reduction_length=x.shape[1])


@invariant()
def conv2d_is_linear_in_x_and_in_w(impl, case):
    """Without bias, conv(αx₁ + βx₂, W) = α conv(x₁, W) + β conv(x₂, W), and the same in W."""
    x, w, _ = case.arrays
    rng = case.rng(6)
    alpha, beta = (float(v) for v in rng.uniform(-2, 2, 2))
    other_x, other_w = normal(rng, x.shape, x.dtype), normal(rng, w.shape, x.dtype)
    scale = 3 * conv2d_reduction(case)
    assert_close(_conv(impl, (alpha * x + beta * other_x).astype(x.dtype), w, **case.hyper),
                 alpha * _conv(impl, x, w, **case.hyper)
                 + beta * _conv(impl, other_x, w, **case.hyper),
                 what="conv(αx₁ + βx₂) vs α conv(x₁) + β conv(x₂)", dtype=x.dtype,
                 reduction_length=scale)
    assert_close(_conv(impl, x, (alpha * w + beta * other_w).astype(x.dtype), **case.hyper),
                 alpha * _conv(impl, x, w, **case.hyper)
                 + beta * _conv(impl, x, other_w, **case.hyper),
                 what="conv(x, αW₁ + βW₂) vs α conv(x, W₁) + β conv(x, W₂)", dtype=x.dtype,
                 reduction_length=scale)


@invariant(cases=lambda dtype: conv2d_cases(dtype, padding=False))
def conv2d_shift_by_stride_shifts_output(impl, case):
    """Translation: moving the image by S pixels (S_h rows up, S_w columns left) moves the
    output by one pixel; compared on the interior, where no window meets the new edge."""
    x, w, b = case.arrays
    p = _pairs(case.hyper)
    (sh, sw) = p["stride"]
    moved = np.zeros_like(x)
    moved[:, :, :x.shape[2] - sh, :x.shape[3] - sw] = x[:, :, sh:, sw:]
    y = _conv(impl, x, w, b, **case.hyper)
    y_moved = _conv(impl, moved, w, b, **case.hyper)
    assert_close(y_moved[:, :, :-1, :-1], y[:, :, 1:, 1:],
                 what="conv(x moved by S)[h, w] vs conv(x)[h + 1, w + 1]", dtype=x.dtype,
                 reduction_length=conv2d_reduction(case))


@invariant(cases=lambda dtype: conv2d_cases(dtype, padding=False))
def conv2d_vertical_edge_filter(impl, case):
    """The notes' vertical edge detector (and Sobel's) gives 0 on a constant image and
    responds only where a window straddles a vertical bright-to-dark edge [003]."""
    x, _, _ = case.arrays
    n, _, h, width = x.shape
    level = float(case.rng(7).uniform(-5, 5))
    for name, kernel in (("edge", closed_form_conv.VERTICAL_EDGE),
                         ("Sobel", closed_form_conv.SOBEL_VERTICAL)):
        w = np.broadcast_to(kernel, (1, 1, 3, 3)).astype(x.dtype)
        flat = np.full((n, 1, max(h, 3), max(width, 3)), level, x.dtype)
        y = _conv(impl, flat, w)
        assert_close(y, np.zeros(y.shape), what=f"{name} filter on a constant image",
                     dtype=x.dtype, reduction_length=9)
        step = np.zeros((1, 1, 3, 6), x.dtype)
        step[..., :3] = 10.0  # bright left half, dark right half
        response = _conv(impl, step, w)[0, 0]
        weight = np.abs(kernel[:, 0]).sum()  # each straddling window sees 10 · Σ|left col|
        assert_close(response, [[0, 10 * weight, 10 * weight, 0]],
                     what=f"{name} filter on a vertical edge", dtype=x.dtype,
                     reduction_length=9)


@invariant(cases=lambda dtype: conv2d_cases(dtype, padding=False))
def conv2d_does_not_flip_the_kernel(impl, case):
    """Cross-correlation, not convolution [003]: a kernel that is 1 at its top-left tap and
    0 elsewhere picks, for output (h, w), the input pixel at (S_h·h, S_w·w)."""
    x, w, _ = case.arrays
    p = _pairs(case.hyper)
    picker = np.zeros((x.shape[1], 1, *w.shape[2:]), x.dtype)
    picker[:, :, 0, 0] = 1
    y = _conv(impl, x, picker, **{**case.hyper, "groups": x.shape[1]})
    (sh, sw) = p["stride"]
    assert_close(y, x[:, :, ::sh, ::sw][:, :, :y.shape[2], :y.shape[3]],
                 what="top-left tap picks x[S·h, S·w]", dtype=x.dtype)


@invariant()
def residual_block_with_zero_weights_is_identity(impl, case):
    """With W and b all zero the block is relu(0 + a) = a for a ≥ 0: "learning the
    identity is easy" [003]."""
    x = np.abs(case.arrays[0])
    zeros = [np.zeros_like(a) for a in case.arrays[1:]]
    assert_close(impl("residual_block", x, *zeros), x, what="block(x) with zero weights",
                 dtype=x.dtype)


@invariant()
def flatten_round_trip(impl, case):
    """flatten keeps the values in order: reshaping the output back gives x [000][003]."""
    (x,) = case.arrays
    y = impl("flatten", x, **case.hyper)
    start = case.hyper["start_dim"] % x.ndim
    assert y.shape == (*x.shape[:start], int(np.prod(x.shape[start:]))), y.shape
    assert np.array_equal(y.reshape(x.shape), x), "flatten reordered the values"


# --- the table entries -----------------------------------------------------------------

OPS = [
    Op("conv2d", family="conv",
       formula="y[k] = Σ_c x_pad[c] ⋆ w[k, c] + b[k], cross-correlation [003][004]; "
               "out = ⌊(H + 2P − d(F − 1) − 1)/S⌋ + 1",
       inputs=("x", "w", "b?"), grads=("x", "w", "b"), cases=conv2d_cases,
       hyper={"stride": 1, "padding": 0, "dilation": 1, "groups": 1},
       variants=CONV_VARIANTS, reduction=conv2d_reduction,
       invariants=(conv2d_output_size_formula, conv2d_same_padding_keeps_size,
                   conv2d_parameter_count_independent_of_image,
                   conv2d_1x1_is_linear_at_every_pixel, conv2d_is_linear_in_x_and_in_w,
                   conv2d_shift_by_stride_shifts_output, conv2d_vertical_edge_filter,
                   conv2d_does_not_flip_the_kernel)),
    Op("flatten", family="conv", formula="(N, C, H, W) → (N, C·H·W) for the FC layer [000][003]",
       inputs=("x",), grads=("x",), cases=flatten_cases, hyper={"start_dim": 1},
       invariants=(flatten_round_trip,)),
    Op("residual_block", family="conv",
       formula="a[l+2] = relu(conv(relu(conv(a[l], W1) + b1), W2) + b2 + a[l]), "
               "same convolutions [003]",
       inputs=("x", "w1", "b1", "w2", "b2"), grads=("x", "w1", "b1", "w2", "b2"),
       cases=residual_cases, oracles=("torch", "numeric"), reduction=residual_reduction,
       invariants=(residual_block_with_zero_weights_is_identity,)),
]
