"""tanh backward uses 1 - f instead of 1 - f²."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "tanh", ("backward_torch", "backward_numeric", "closed_form")


def tanh_forward(x):
    y = np.tanh(x)
    return y, y


def tanh_backward(dy, y):
    return (dy * (1 - y),)
