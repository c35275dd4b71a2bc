"""The closed-form oracle for convolution [003][004]: conv2d as the notes' sum over windows,
flatten, and the residual block, in NumPy float64, independent of any implementation."""

from __future__ import annotations

import numpy as np


def pair(value) -> tuple[int, int]:
    """An int or an (h, w) pair as an (h, w) pair."""
    return (value, value) if isinstance(value, int) else tuple(value)


def output_size(size, kernel, stride=1, padding=0, dilation=1) -> int:
    """floor((H + 2P - dilation·(F - 1) - 1) / S) + 1; with dilation 1 it is the notes'
    floor((H + 2P - F) / S) + 1 [003][004]."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_output_shape(x_shape, w_shape, stride=1, padding=0, dilation=1) -> tuple:
    """(N, K, Ho, Wo) of conv2d, each spatial axis by `output_size`."""
    axes = zip(x_shape[2:], w_shape[2:], pair(stride), pair(padding), pair(dilation),
               strict=True)
    return (x_shape[0], w_shape[0], *(output_size(*axis) for axis in axes))


def same_padding(kernel: int) -> int:
    """"Same" convolution: P = (F - 1)/2 keeps the size at stride 1, for odd F [000][003]."""
    return (kernel - 1) // 2


def parameter_count(kernel, in_channels, out_channels, groups=1, bias=True) -> int:
    """(F·F·C_in/groups + 1)·C_out: one F×F kernel per input channel of the group, plus a
    bias, for every output channel, whatever H and W are [003]."""
    kh, kw = pair(kernel)
    return (kh * kw * in_channels // groups + (1 if bias else 0)) * out_channels


VERTICAL_EDGE = np.array([[1.0, 0.0, -1.0]] * 3)
"""The notes' vertical edge detector [003]: bright on the left, dark on the right."""

SOBEL_VERTICAL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
"""Sobel's version, more weight on the middle row "for robustness" [003]."""


def _windows(x, kernel, stride, padding, dilation):
    """Yield (h, w, window) for every output position: the zero-padded input's slice
    (N, C, F_h, F_w) that output pixel (h, w) sees."""
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    padded = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    fh, fw = kernel
    out_h = output_size(x.shape[2], fh, sh, ph, dh)
    out_w = output_size(x.shape[3], fw, sw, pw, dw)
    for h in range(out_h):
        for w in range(out_w):
            rows = slice(h * sh, h * sh + dh * (fh - 1) + 1, dh)
            cols = slice(w * sw, w * sw + dw * (fw - 1) + 1, dw)
            yield h, w, (rows, cols), padded[:, :, rows, cols]


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Slide each kernel over the (zero-padded) input, multiply elementwise and add up,
    over every input channel of its group, then add its bias: cross-correlation, the
    kernel is not flipped [003][004]. Output (N, K, Ho, Wo)."""
    w = np.asarray(w, dtype=np.float64)
    k, cg = w.shape[:2]
    kg = k // groups
    y = np.zeros(conv2d_output_shape(x.shape, w.shape, stride, padding, dilation))
    for h, col, _, window in _windows(x, w.shape[2:], stride, padding, dilation):
        for g in range(groups):
            kernels, channels = slice(g * kg, (g + 1) * kg), slice(g * cg, (g + 1) * cg)
            y[:, kernels, h, col] = np.einsum("ncij,kcij->nk", window[:, channels],
                                              w[kernels])
    return y if b is None else y + np.asarray(b, dtype=np.float64)[:, None, None]


def _conv2d_backward(dy, x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Each output pixel sent dy back along the products that made it: dx collects
    dy·W over every window a pixel was in, dW collects dy·window, db the sum of dy."""
    x, w, dy = (np.asarray(a, dtype=np.float64) for a in (x, w, dy))
    k, cg = w.shape[:2]
    kg = k // groups
    (ph, pw) = pair(padding)
    dx = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw))
    dw = np.zeros_like(w)
    for h, col, (rows, cols), window in _windows(x, w.shape[2:], stride, padding, dilation):
        for g in range(groups):
            kernels, channels = slice(g * kg, (g + 1) * kg), slice(g * cg, (g + 1) * cg)
            grad = dy[:, kernels, h, col]
            dx[:, channels, rows, cols] += np.einsum("nk,kcij->ncij", grad, w[kernels])
            dw[kernels] += np.einsum("nk,ncij->kcij", grad, window[:, channels])
    dx = dx[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
    return dx, dw, None if b is None else dy.sum(axis=(0, 2, 3))


def flatten(x, start_dim=1):
    """(N, C, H, W) -> (N, C·H·W): the conv stack's output laid out for an FC layer
    [000][003]."""
    x = np.asarray(x, dtype=np.float64)
    start = start_dim % max(x.ndim, 1)
    return x.reshape(*x.shape[:start], -1)


FORWARD: dict = {"conv2d": conv2d, "flatten": flatten}
BACKWARD: dict = {
    "conv2d": _conv2d_backward,
    "flatten": lambda dy, x, start_dim=1: (np.asarray(dy, dtype=np.float64).reshape(x.shape),),
}
