"""sigmoid as 1/(1 + exp(-x)): exp(-x) overflows (with a RuntimeWarning) for x < -88."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "sigmoid", ("invariants", "robustness")


def sigmoid_forward(x):
    y = 1 / (1 + np.exp(-x))
    return y, y


def sigmoid_backward(dy, y):
    return (dy * y * (1 - y),)
