"""relu backward uses x >= 0, so relu'(0) = 1 against the stated convention relu'(0) = 0."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "relu", ("kinks",)
CONVENTION = "grad_one_at_zero"  # a legitimate convention: undeclared, it fails and says so


def relu_forward(x):
    return np.maximum(x, 0), x >= 0


def relu_backward(dy, mask):
    return (np.where(mask, dy, 0).astype(dy.dtype),)
