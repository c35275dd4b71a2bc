"""The closed-form oracle for pooling [000][003][004]: max, average and Lp pooling written
as loops over windows, in NumPy float64, independent of any implementation.

Window (r, q) of a channel starts at row r·S - P and column q·S - P and spans f rows and
columns; the output has floor((H + 2P - f)/S) + 1 of them per axis [003][004]. The
padding is never read: for max pooling it is -inf (it never wins), for average pooling it
is zeros that count in the divisor only under count_include_pad=True. Lp pooling has no
padding and is meant for x > 0.
"""

from __future__ import annotations

import numpy as np

from nnconform.oracles.closed_form_conv import output_size, pair


def _windows(x, kernel_size, stride, padding):
    """The output's shape, and for every window its output index (n, c, r, q) and the
    input cells (i, j) it covers, padding left out, in row-major order."""
    n_images, channels, height, width = x.shape
    kh, kw = pair(kernel_size)
    sh, sw = pair(kernel_size if stride is None else stride)  # stride None: the kernel's
    ph, pw = pair(padding)
    oh, ow = output_size(height, kh, sh, ph), output_size(width, kw, sw, pw)
    windows = []
    for n in range(n_images):
        for c in range(channels):
            for r in range(oh):
                for q in range(ow):
                    top, left = r * sh - ph, q * sw - pw
                    cells = [(i, j) for i in range(max(top, 0), min(top + kh, height))
                             for j in range(max(left, 0), min(left + kw, width))]
                    windows.append(((n, c, r, q), cells))
    return (n_images, channels, oh, ow), windows


def _values(x, index, cells) -> list:
    n, c = index[:2]
    return [x[n, c, i, j] for i, j in cells]


# --- max pooling -------------------------------------------------------------------------


def max_pool2d(x, kernel_size=2, stride=None, padding=0):
    """The largest value in each window [000][003][004], per channel."""
    x = np.asarray(x, dtype=np.float64)
    shape, windows = _windows(x, kernel_size, stride, padding)
    y = np.empty(shape)
    for index, cells in windows:
        y[index] = max(_values(x, index, cells))
    return y


def _max_pool2d_backward(dy, x, kernel_size=2, stride=None, padding=0):
    """Each window's dy goes to its maximum alone (the other cells did not change y); on
    a tie to the first maximum in row-major order (PyTorch's convention)."""
    x = np.asarray(x, dtype=np.float64)
    _, windows = _windows(x, kernel_size, stride, padding)
    dx = np.zeros_like(x)
    for index, cells in windows:
        values = _values(x, index, cells)
        i, j = cells[values.index(max(values))]  # index() finds the first occurrence
        dx[index[0], index[1], i, j] += dy[index]
    return (dx,)


# --- average pooling ---------------------------------------------------------------------


def _divisor(kernel_size, cells, count_include_pad) -> int:
    """f_h·f_w with the padding counted, else the number of the input's own cells."""
    kh, kw = pair(kernel_size)
    return kh * kw if count_include_pad else len(cells)


def avg_pool2d(x, kernel_size=2, stride=None, padding=0, count_include_pad=True):
    """The mean of each window [000][003][004], per channel."""
    x = np.asarray(x, dtype=np.float64)
    shape, windows = _windows(x, kernel_size, stride, padding)
    y = np.empty(shape)
    for index, cells in windows:
        y[index] = sum(_values(x, index, cells)) / _divisor(kernel_size, cells,
                                                            count_include_pad)
    return y


def _avg_pool2d_backward(dy, x, kernel_size=2, stride=None, padding=0,
                         count_include_pad=True):
    """∂(Σ/n)/∂x = 1/n for every cell of the window."""
    x = np.asarray(x, dtype=np.float64)
    _, windows = _windows(x, kernel_size, stride, padding)
    dx = np.zeros_like(x)
    for index, cells in windows:
        share = dy[index] / _divisor(kernel_size, cells, count_include_pad)
        for i, j in cells:
            dx[index[0], index[1], i, j] += share
    return (dx,)


# --- Lp pooling --------------------------------------------------------------------------


def lp_pool2d(x, norm_type=2.0, kernel_size=2, stride=None):
    """(Σ_window x^p)^(1/p) [000], for x > 0; p = 1 is the window's sum."""
    x = np.asarray(x, dtype=np.float64)
    shape, windows = _windows(x, kernel_size, stride, 0)
    y = np.empty(shape)
    for index, cells in windows:
        y[index] = sum(v ** norm_type for v in _values(x, index, cells)) ** (1 / norm_type)
    return y


def _lp_pool2d_backward(dy, x, norm_type=2.0, kernel_size=2, stride=None):
    """∂y/∂x_ij = (1/p)(Σ x^p)^(1/p - 1) · p x_ij^(p-1) = x_ij^(p-1) · y^(1-p)."""
    x = np.asarray(x, dtype=np.float64)
    y = lp_pool2d(x, norm_type, kernel_size, stride)
    _, windows = _windows(x, kernel_size, stride, 0)
    dx = np.zeros_like(x)
    p = norm_type
    for index, cells in windows:
        n, c = index[:2]
        for i, j in cells:
            dx[n, c, i, j] += dy[index] * x[n, c, i, j] ** (p - 1) * y[index] ** (1 - p)
    return (dx,)


FORWARD = {"max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d, "lp_pool2d": lp_pool2d}
BACKWARD = {"max_pool2d": _max_pool2d_backward, "avg_pool2d": _avg_pool2d_backward,
            "lp_pool2d": _lp_pool2d_backward}
