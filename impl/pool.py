"""Pooling (CATALOG section 2): max, average and Lp pooling over NCHW windows.

A pooling layer slides a kh×kw window with stride S over each channel on its own and
replaces every window by one number: its maximum, its mean, or its Lp norm [000][003][004].
It has hyperparameters (f, s) but no parameters to learn [003]; f = 2, s = 2 halves H and W.
The output size per axis is floor((H + 2P - f)/S) + 1 [003][004].

Every op pads once and reads the windows through kh·kw strided views of the padded input,
one per kernel offset (i, j): the view for (i, j) holds element (i, j) of every window, shape
(N, C, Ho, Wo). The forward combines those views elementwise; the backward adds each
window's gradient back through the same views, one strided slice add per offset (so
overlapping windows accumulate). Nothing loops over pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

from ._checks import require_choice, require_float, require_positive
from ._windows import output_size, pair

# --- window geometry ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Windows:
    """Where the windows lie: kernel, stride and padding per axis, the input's (H, W) and
    the output's (Ho, Wo)."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    size: tuple[int, int]
    out: tuple[int, int]

    def offsets(self):
        """Every kernel offset (i, j), in row-major order."""
        return product(range(self.kernel[0]), range(self.kernel[1]))

    def tap(self, padded: np.ndarray, i: int, j: int) -> np.ndarray:
        """Element (i, j) of every window: a strided view (N, C, Ho, Wo) of `padded`."""
        (sh, sw), (oh, ow) = self.stride, self.out
        return padded[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]

    def pad(self, x: np.ndarray, value: float) -> np.ndarray:
        """x with P rows and columns of `value` on each side (x itself when P = 0)."""
        (ph, pw), (h, w) = self.padding, self.size
        if ph == pw == 0:
            return x
        padded = np.full((*x.shape[:2], h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
        padded[:, :, ph:ph + h, pw:pw + w] = x
        return padded

    def fold(self, padded: np.ndarray, combine) -> np.ndarray:
        """combine (np.add, np.maximum) folded over each window's elements, offset by
        offset: one elementwise pass over (N, C, Ho, Wo) per kernel offset."""
        taps = (self.tap(padded, i, j) for i, j in self.offsets())
        result = next(taps).copy()
        for tap in taps:
            combine(result, tap, out=result)
        return result

    def zeros(self, shape, dtype) -> np.ndarray:
        """A gradient buffer of the padded input's size."""
        (ph, pw), (h, w) = self.padding, self.size
        return np.zeros((*shape[:2], h + 2 * ph, w + 2 * pw), dtype=dtype)

    def crop(self, grad: np.ndarray) -> np.ndarray:
        """The input's part of a padded gradient buffer."""
        (ph, pw), (h, w) = self.padding, self.size
        return grad if ph == pw == 0 else grad[:, :, ph:ph + h, pw:pw + w].copy()

    def spread(self, per_window: np.ndarray, shape, dtype) -> np.ndarray:
        """The backward of a sum over windows: every window adds its value (N, C, Ho, Wo)
        to each of its elements, one strided slice add per offset, so an element in
        several windows collects from all of them; the padding's share is dropped."""
        grad = self.zeros(shape, dtype)
        for i, j in self.offsets():
            tap = self.tap(grad, i, j)
            tap += per_window
        return self.crop(grad)


def _windows(x, kernel_size, stride, padding=0) -> _Windows:
    """Validate x and the window arguments (PyTorch's rules); return the geometry."""
    require_float("x", x)
    if x.ndim != 4:
        raise ValueError(f"x: expected shape (N, C, H, W), got {x.shape}")
    kernel = pair("kernel_size", kernel_size, 1)
    stride = kernel if stride is None else pair("stride", stride, 1)
    padding = pair("padding", padding, 0)
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(f"padding: expected at most half the kernel size per axis "
                         f"(<= {tuple(k // 2 for k in kernel)} for kernel_size {kernel}), "
                         f"got {padding}")
    size = (int(x.shape[2]), int(x.shape[3]))
    out = tuple(output_size(*axis) for axis in zip(size, kernel, stride, padding, strict=True))
    if min(out) < 1:
        raise ValueError(f"kernel_size: expected a window that fits x's (H, W) = {size} "
                         f"padded by {padding}, got {kernel} (output size {out})")
    return _Windows(kernel, stride, padding, size, out)


# --- max pooling -------------------------------------------------------------------------


def max_pool2d_forward(x, kernel_size=2, stride=None, padding=0):
    """The maximum of each window [000][003][004]; the padding counts as -inf, so it never
    wins against the input's own values. NaN propagates, as in PyTorch.

    Ties (PyTorch's CPU convention): a window's FIRST maximum in row-major order within the
    window is its argmax and gets the whole gradient (see max_pool2d_backward)."""
    window = _windows(x, kernel_size, stride, padding)
    padded = window.pad(x, -np.inf)
    y = window.fold(padded, np.maximum)
    return y, (padded, y, window, x.shape)


def max_pool2d_backward(dy, ctx):
    """dy goes to each window's argmax only [003]; windows that overlap add up.

    The offsets are visited in row-major order, and each window's dy goes to the first
    element equal to its maximum: its first maximum, so a tie sends the whole gradient to
    one element, never to each tied one. (A NaN maximum sends it to the window's first NaN;
    PyTorch's CPU kernel picks the last.)"""
    padded, y, window, shape = ctx
    grad = window.zeros(shape, padded.dtype)
    found = np.zeros(y.shape, dtype=bool)  # windows whose argmax is already passed
    nan_max = bool(np.isnan(y).any())
    for i, j in window.offsets():
        tap = window.tap(padded, i, j)
        is_max = (tap == y) | np.isnan(tap) if nan_max else tap == y
        first = is_max > found  # a maximum, and the window's first
        found |= is_max
        target = window.tap(grad, i, j)
        target += np.where(first, dy, 0)
    return (window.crop(grad),)


# --- average pooling ---------------------------------------------------------------------


def _real_counts(window: _Windows) -> np.ndarray:
    """The number of non-padding elements of each window, (Ho, Wo): per axis, the overlap
    of [start, start + k) with the input's [P, P + H) in padded coordinates."""
    counts = []
    for n, k, s, p, o in zip(window.size, window.kernel, window.stride, window.padding,
                             window.out, strict=True):
        start = s * np.arange(o)
        counts.append(np.minimum(start + k, p + n) - np.maximum(start, p))
    return np.outer(*counts)


def avg_pool2d_forward(x, kernel_size=2, stride=None, padding=0, count_include_pad=True):
    """The mean of each window [000][003][004]: Σ_window x / n, with n = kh·kw
    (count_include_pad=True, PyTorch's default: the zero padding counts) or the number of
    non-padding elements of the window (count_include_pad=False)."""
    window = _windows(x, kernel_size, stride, padding)
    require_choice("count_include_pad", count_include_pad, (True, False))
    padded = window.pad(x, 0.0)
    total = window.fold(padded, np.add)
    if count_include_pad:
        n = math.prod(window.kernel)  # a Python int: never promotes float32
    else:
        n = _real_counts(window).astype(x.dtype)
    return total / n, (n, window, x.shape, x.dtype)


def avg_pool2d_backward(dy, ctx):
    """Each element of a window gets dy/n of it [003]; overlapping windows add up."""
    n, window, shape, dtype = ctx
    share = dy / n
    return (window.spread(share, shape, dtype),)


# --- Lp pooling --------------------------------------------------------------------------


def lp_pool2d_forward(x, norm_type=2.0, kernel_size=2, stride=None):
    """y = (Σ_window x^p)^(1/p), the Lp norm of each window [000], computed as PyTorch does:
    the sum of x**p, then **(1/p). No padding. p = 1 is sum pooling; as p grows y tends to
    the window's maximum.

    Domain: x > 0 for general p (x**p of a negative x is NaN for non-integer p, and the
    gradient's y^(1-p) needs y > 0); p must be a finite positive number."""
    window = _windows(x, kernel_size, stride)
    require_positive("norm_type", norm_type)
    p = float(norm_type)  # a Python float: never promotes float32
    if not math.isfinite(p):
        raise ValueError(f"norm_type: expected a finite positive number, got {norm_type!r}")
    power = x ** p
    y = window.fold(power, np.add) ** (1.0 / p)
    return y, (x, y, p, window)


def lp_pool2d_backward(dy, ctx):
    """dx = Σ_windows dy · x^(p-1) · y^(1-p): the chain rule through s = Σ x^p
    (ds/dx = p x^(p-1)) and y = s^(1/p) (dy/ds = s^(1/p - 1)/p = y^(1-p)/p). The factor
    x^(p-1) belongs to the input element, so it multiplies the sum over windows once."""
    x, y, p, window = ctx
    per_window = dy * y ** (1.0 - p)
    return (window.spread(per_window, x.shape, x.dtype) * x ** (p - 1.0),)
