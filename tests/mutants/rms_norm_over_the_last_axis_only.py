"""rms_norm takes mean(x²) over the last axis only (axis=-1, as for a 1-d weight) whatever
the weight's shape: with a weight of shape (H, W) each row of W values is normalised on
its own instead of the whole H × W slice. The same with a 1-d weight. Forward and
backward agree, so the numeric check passes; torch's outputs and gradients do not, in
the special values too. The invariants are nearly blind to it (each row still has rms
near 1; only ε's share differs, by a few tolerances), so CAUGHT_BY leaves them out."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl._checks import positive
from nnconform.impl.transformer import _normalised_axes

OP, CAUGHT_BY = "rms_norm", ("forward", "backward_torch", "robustness")


def rms_norm_forward(x, weight, eps=1e-6):
    _normalised_axes(x, weight)  # the checks
    axes = (x.ndim - 1,)  # the bug: the last axis, as for a 1-d weight, whatever its shape
    inv_rms = 1 / np.sqrt((x * x).mean(axis=axes, keepdims=True) + positive("eps", eps))
    return x * inv_rms * weight, (x, inv_rms, weight, axes)


def rms_norm_backward(dy, ctx):
    x, inv_rms, weight, axes = ctx
    g = dy * weight
    dx = inv_rms * g - x * (inv_rms**3 * (g * x).mean(axis=axes, keepdims=True))
    leading = tuple(range(dy.ndim - weight.ndim))
    return dx, (dy * x * inv_rms).sum(axis=leading)
