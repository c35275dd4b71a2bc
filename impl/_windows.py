"""Window geometry shared by convolution and pooling, NumPy and GPU alike: (h, w) pairs,
the output size and the validation of the window arguments against an input's shape."""

from __future__ import annotations

import numbers
import operator


def pair(name: str, value, minimum: int) -> tuple[int, int]:
    """An int or an (h, w) pair of ints >= minimum, as an (h, w) pair of Python ints;
    TypeError or ValueError naming `name` otherwise."""
    try:
        values = (value, value) if not isinstance(value, tuple | list) else tuple(value)
        values = tuple(operator.index(v) for v in values if not isinstance(v, bool))
    except TypeError:
        values = ()
    if len(values) != 2:
        raise TypeError(f"{name}: expected an int or an (h, w) pair of ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name}: expected values >= {minimum}, got {value!r}")
    return values


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """floor((H + 2P - dilation·(F - 1) - 1)/S) + 1; the notes' (H + 2P - F)/S + 1 rounded
    down at dilation 1 [003][004]."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def phase_slices(size: int, stride: int, padding: int):
    """Split one axis of a zero-padded input into `stride` phases, phase r holding padded
    positions r, r + S, r + 2S, ...; yield (r, where the input's own positions sit in the
    phase, which input positions they are), as slices. Padded position r + S·t is input
    position r + S·t - P; every input position lands in exactly one phase."""
    for r in range(stride):
        first = -(-(padding - r) // stride) if padding > r else 0  # the first t inside
        start = r + stride * first - padding
        count = len(range(start, size, stride))
        yield r, slice(first, first + count), slice(start, None, stride)


def phase_length(size: int, stride: int, padding: int) -> int:
    """The length of every phase: ceil((size + 2P)/S)."""
    return -(-(size + 2 * padding) // stride)


def conv_geometry(x_shape, w_shape, stride, padding, dilation, groups):
    """Check conv2d's shapes and settings (PyTorch's rules); return (stride, padding,
    dilation, output (Ho, Wo)), each an (h, w) pair."""
    if len(x_shape) != 4:
        raise ValueError(f"x: expected shape (N, C, H, W), got {tuple(x_shape)}")
    if len(w_shape) != 4:
        raise ValueError(f"w: expected shape (C_out, C_in/groups, F_h, F_w), got "
                         f"{tuple(w_shape)}")
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"groups: expected a positive int, got {groups!r}")
    channels, kernels = x_shape[1], w_shape[0]
    if channels % groups or kernels % groups:
        raise ValueError(f"groups: {groups} must divide both x's channels ({channels}) and "
                         f"w's output channels ({kernels})")
    if w_shape[1] != channels // groups:
        raise ValueError(f"w: expected {channels // groups} input channels per kernel "
                         f"(x's {channels} channels / groups={groups}), got shape "
                         f"{tuple(w_shape)}")
    stride = pair("stride", stride, 1)
    padding = pair("padding", padding, 0)
    dilation = pair("dilation", dilation, 1)
    out = tuple(output_size(*axis) for axis in
                zip(x_shape[2:], w_shape[2:], stride, padding, dilation, strict=True))
    if min(out) < 1:
        raise ValueError(f"w: a kernel of {tuple(w_shape[2:])} (dilation {dilation}) does "
                         f"not fit x's {tuple(x_shape[2:])} padded by {padding}: output size "
                         f"{out}")
    return stride, padding, dilation, out


def pool_geometry(x_shape, kernel_size, stride, padding):
    """Check a pooling window against x's shape (PyTorch's rules); return (kernel, stride,
    padding, input (H, W), output (Ho, Wo)), each an (h, w) pair."""
    if len(x_shape) != 4:
        raise ValueError(f"x: expected shape (N, C, H, W), got {tuple(x_shape)}")
    kernel = pair("kernel_size", kernel_size, 1)
    stride = kernel if stride is None else pair("stride", stride, 1)
    padding = pair("padding", padding, 0)
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(f"padding: expected at most half the kernel size per axis "
                         f"(<= {tuple(k // 2 for k in kernel)} for kernel_size {kernel}), "
                         f"got {padding}")
    size = (int(x_shape[2]), int(x_shape[3]))
    out = tuple(output_size(*axis) for axis in zip(size, kernel, stride, padding, strict=True))
    if min(out) < 1:
        raise ValueError(f"kernel_size: expected a window that fits x's (H, W) = {size} "
                         f"padded by {padding}, got {kernel} (output size {out})")
    return kernel, stride, padding, size, out
