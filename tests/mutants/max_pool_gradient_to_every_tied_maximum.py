"""max_pool2d backward gives a window's whole dy to every element equal to its maximum, not
to the first one alone: on ties the gradient is handed out several times over. Tie-free
inputs hide it; only the tie-convention invariant sees it."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "max_pool2d", ("kinks",)
CONVENTION = "ties_all"  # a legitimate convention: undeclared, it fails and says so


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def max_pool2d_forward(x, kernel_size=2, stride=None, padding=0):
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    sh, sw = _pair(kernel_size if stride is None else stride)
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    y = windows.max(axis=(4, 5))
    return y, (windows == y[..., None, None], padded.shape, (sh, sw), (ph, pw), x.shape)


def max_pool2d_backward(dy, ctx):
    is_max, padded_shape, (sh, sw), (ph, pw), shape = ctx
    dx = np.zeros(padded_shape, dy.dtype)
    oh, ow, kh, kw = is_max.shape[2:]
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] += np.where(is_max[..., i, j], dy, 0)
    return (dx[:, :, ph:ph + shape[2], pw:pw + shape[3]].copy(),)
