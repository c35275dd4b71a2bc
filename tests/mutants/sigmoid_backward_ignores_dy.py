"""sigmoid backward returns f(1 - f) and forgets to multiply by the upstream gradient."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "sigmoid", ("backward_torch", "backward_numeric", "closed_form")


def sigmoid_forward(x):
    y = np.exp(-np.logaddexp(0, -x)).astype(x.dtype)
    return y, y


def sigmoid_backward(dy, y):
    return (y * (1 - y),)
