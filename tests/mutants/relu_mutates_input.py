"""relu clamps its input in place (np.maximum(x, 0, out=x)): the caller's array changes."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "relu", ("contract",)


def relu_forward(x):
    y = np.maximum(x, 0, out=x)
    return y, y > 0


def relu_backward(dy, mask):
    return (dy * mask,)
