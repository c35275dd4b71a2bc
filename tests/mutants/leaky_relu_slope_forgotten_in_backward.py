"""leaky_relu backward passes 0 on the negative side, as if it were relu."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "leaky_relu", ("backward_torch", "backward_numeric", "closed_form")


def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype), x > 0


def leaky_relu_backward(dy, positive):
    return (np.where(positive, dy, 0).astype(dy.dtype),)
