"""Pooling (catalog §2, docs/notes.md): max, average and Lp pooling over NCHW windows.

A pooling layer slides a kh×kw window with stride S over each channel on its own and
replaces every window by one number: its maximum, its mean, or its Lp norm [000][003][004].
It has hyperparameters (f, s) but no parameters to learn [003]; f = 2, s = 2 halves H and W.
The output size per axis is floor((H + 2P - f)/S) + 1 [003][004].

Max, sum and mean over a rectangle are separable: each op reduces along the columns of a
window first, then along its rows. Along one axis the padded input is split into S phases
(phase r holds padded positions r, r + S, ...), so tap j of every window is one contiguous
slice of phase j mod S: the reduction is k elementwise passes over contiguous data. The
backward adds each window's gradient back through the same slices, rows then columns (so
overlapping windows accumulate). Nothing loops over pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._blocks import in_channel_blocks
from ._checks import require_choice, require_float, require_positive
from ._windows import phase_length, phase_slices, pool_geometry

# --- window geometry ---------------------------------------------------------------------


def _along(axis: int, part) -> tuple:
    """An index of a 4-D array that takes `part` along `axis` and everything elsewhere."""
    return (slice(None),) * axis + (part,)


@dataclass(frozen=True)
class _Axis:
    """One axis of the windows: kernel k, stride S, padding P, input size, output size."""

    axis: int
    kernel: int
    stride: int
    padding: int
    size: int
    out: int

    def _phase_slices(self):
        """For each phase r: where its input positions sit in the phase and which input
        positions they are, as indexes of the 4-D arrays."""
        for r, inside, source in phase_slices(self.size, self.stride, self.padding):
            yield r, _along(self.axis, inside), _along(self.axis, source)

    def split(self, x: np.ndarray, fill: float) -> np.ndarray:
        """x padded with `fill` along the axis, as S phases: (S, *x's shape with this axis
        ceil((size + 2P)/S) long)."""
        shape = list(x.shape)
        shape[self.axis] = phase_length(self.size, self.stride, self.padding)
        split = np.full((self.stride, *shape), fill, dtype=x.dtype)
        for r, inside, source in self._phase_slices():
            split[r][inside] = x[source]
        return split

    def join(self, phases: np.ndarray) -> np.ndarray:
        """The input's positions gathered back out of the phases (the padding dropped)."""
        shape = list(phases.shape[1:])
        shape[self.axis] = self.size
        joined = np.empty(shape, dtype=phases.dtype)
        for r, inside, source in self._phase_slices():
            joined[source] = phases[r][inside]
        return joined

    def taps(self, phases: np.ndarray):
        """Element j of every window along the axis, j = 0..k-1: contiguous slices."""
        s, out = self.stride, self.out
        return [phases[j % s][_along(self.axis, slice(j // s, j // s + out))]
                for j in range(self.kernel)]

    def reduce(self, x: np.ndarray, combine, fill: float):
        """combine folded over each window's k elements along the axis; and the phases."""
        phases = self.split(x, fill)
        taps = self.taps(phases)
        result = taps[0].copy()
        for tap in taps[1:]:
            combine(result, tap, out=result)
        return result, phases

    def spread(self, per_window: np.ndarray, chosen=None) -> np.ndarray:
        """The backward along the axis: every window adds its value to each of its k
        elements, or, with `chosen` (k masks), only to the element its mask marks."""
        shape = list(per_window.shape)
        shape[self.axis] = phase_length(self.size, self.stride, self.padding)
        split = np.zeros((self.stride, *shape), dtype=per_window.dtype)
        for j, target in enumerate(self.taps(split)):
            # (a masked add, np.add(where=...), is several times slower than this)
            target += per_window if chosen is None else per_window * chosen[j]
        return self.join(split)


@dataclass(frozen=True)
class _Windows:
    """Where the windows lie: kernel, stride and padding per axis, the input's (H, W) and
    the output's (Ho, Wo)."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    size: tuple[int, int]
    out: tuple[int, int]

    @property
    def columns(self) -> _Axis:
        return _Axis(3, self.kernel[1], self.stride[1], self.padding[1], self.size[1],
                     self.out[1])

    @property
    def rows(self) -> _Axis:
        return _Axis(2, self.kernel[0], self.stride[0], self.padding[0], self.size[0],
                     self.out[0])

    def fold(self, x: np.ndarray, combine, fill: float) -> np.ndarray:
        """combine (np.add, np.maximum) over each window, the padding being `fill`:
        along each window's rows of columns first, then down its rows."""
        across, _ = self.columns.reduce(x, combine, fill)
        return self.rows.reduce(across, combine, fill)[0]

    def spread(self, per_window: np.ndarray) -> np.ndarray:
        """The backward of a sum over windows: every window adds its value (N, C, Ho, Wo)
        to each of its elements; the padding's share is dropped."""
        return self.columns.spread(self.rows.spread(per_window))


def _windows(x, kernel_size, stride, padding=0) -> _Windows:
    """Validate x and the window arguments (PyTorch's rules); return the geometry."""
    require_float("x", x)
    return _Windows(*pool_geometry(x.shape, kernel_size, stride, padding))


# --- max pooling -------------------------------------------------------------------------


def max_pool2d_forward(x, kernel_size=2, stride=None, padding=0):
    """The maximum of each window [000][003][004]; the padding counts as -inf, so it never
    wins against the input's own values. NaN propagates, as in PyTorch.

    Ties (PyTorch's CPU convention): a window's FIRST maximum in row-major order within the
    window is its argmax and gets the whole gradient (see max_pool2d_backward)."""
    window = _windows(x, kernel_size, stride, padding)
    across, x_phases = window.columns.reduce(x, np.maximum, -np.inf)  # max of each row part
    y, across_phases = window.rows.reduce(across, np.maximum, -np.inf)
    return y, (window, x_phases, across, across_phases, y)


def _first_maxima(axis: _Axis, phases, best):
    """For each window along `axis`, a mask per tap marking the first tap equal to the
    window's maximum `best` (the first NaN, if the maximum is NaN)."""
    nan = bool(np.isnan(best).any())
    found = np.zeros(best.shape, dtype=bool)
    chosen = []
    for tap in axis.taps(phases):
        is_max = (tap == best) | np.isnan(tap) if nan else tap == best
        chosen.append(is_max > found)  # a maximum, and the window's first
        found |= is_max
    return chosen


def max_pool2d_backward(dy, ctx):
    """dy goes to each window's argmax only [003]; windows that overlap add up.

    The argmax is found as the maximum was, rows then columns: the first row of the window
    whose row maximum is the window's, then the first element of that row equal to it. That
    is the first maximum in row-major order, so a tie sends the whole gradient to one
    element, never to each tied one. (A NaN maximum sends it to the window's first NaN;
    PyTorch's CPU kernel picks the last.)"""
    window, x_phases, across, across_phases, y = ctx
    d_across = window.rows.spread(dy, _first_maxima(window.rows, across_phases, y))
    dx = window.columns.spread(d_across, _first_maxima(window.columns, x_phases, across))
    return (dx,)


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
    if count_include_pad:
        n = math.prod(window.kernel)  # a Python int: never promotes float32
    else:
        n = _real_counts(window).astype(x.dtype)
    # every channel on its own, so big inputs go a few channels at a time
    (y,) = in_channel_blocks(lambda x: (window.fold(x, np.add, 0.0) / n,), x)
    return y, (n, window)


def avg_pool2d_backward(dy, ctx):
    """Each element of a window gets dy/n of it [003]; overlapping windows add up."""
    n, window = ctx
    return in_channel_blocks(lambda dy: (window.spread(dy / n),), dy)


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
    y = window.fold(power, np.add, 0.0) ** (1.0 / p)
    return y, (x, y, p, window)


def lp_pool2d_backward(dy, ctx):
    """dx = Σ_windows dy · x^(p-1) · y^(1-p): the chain rule through s = Σ x^p
    (ds/dx = p x^(p-1)) and y = s^(1/p) (dy/ds = s^(1/p - 1)/p = y^(1-p)/p). The factor
    x^(p-1) belongs to the input element, so it multiplies the sum over windows once."""
    x, y, p, window = ctx
    per_window = dy * y ** (1.0 - p)
    return (window.spread(per_window) * x ** (p - 1.0),)
