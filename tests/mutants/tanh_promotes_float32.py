"""tanh computes in float64 and hands back float64 for float32 input."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "tanh", ("contract",)


def tanh_forward(x):
    y = np.tanh(x.astype(np.float64))
    return y, y


def tanh_backward(dy, y):
    return (dy * (1 - y**2),)
