"""prelu returns the per-element slope gradient x·dy instead of summing it per channel."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "prelu", ("backward_torch", "contract")


def prelu_forward(x, a):
    slope = a.reshape((-1,) + (1,) * (x.ndim - 2)) if a.size > 1 else a.reshape(())
    return np.where(x > 0, x, slope * x).astype(x.dtype), (x, slope)


def prelu_backward(dy, ctx):
    x, slope = ctx
    dx = np.where(x > 0, dy, slope * dy).astype(dy.dtype)
    return dx, np.where(x > 0, 0, x * dy).astype(dy.dtype)
