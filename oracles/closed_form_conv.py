"""The closed-form oracle for convolution [003][004]: conv2d as the notes' sum over windows,
flatten, and the residual block, in NumPy float64, independent of any implementation."""

from __future__ import annotations


def pair(value) -> tuple[int, int]:
    """An int or an (h, w) pair as an (h, w) pair."""
    return (value, value) if isinstance(value, int) else tuple(value)


def output_size(size, kernel, stride=1, padding=0, dilation=1) -> int:
    """floor((H + 2P - dilation·(F - 1) - 1) / S) + 1; with dilation 1 it is the notes'
    floor((H + 2P - F) / S) + 1 [003][004]."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def same_padding(kernel: int) -> int:
    """"Same" convolution: P = (F - 1)/2 keeps the size at stride 1, for odd F [000][003]."""
    return (kernel - 1) // 2


def parameter_count(kernel, in_channels, out_channels, groups=1, bias=True) -> int:
    """(F·F·C_in/groups + 1)·C_out: one F×F kernel per input channel of the group, plus a
    bias, for every output channel, whatever H and W are [003]."""
    kh, kw = pair(kernel)
    return (kh * kw * in_channels // groups + (1 if bias else 0)) * out_channels


FORWARD: dict = {}
BACKWARD: dict = {}
