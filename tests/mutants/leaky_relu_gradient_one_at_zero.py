"""leaky_relu backward masks with x >= 0, so its derivative at 0 is 1, not torch's
negative_slope: a legitimate convention at the kink."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "leaky_relu", ("kinks",)
CONVENTION = "grad_one_at_zero"  # a legitimate convention: undeclared, it fails and says so


def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x >= 0, x, negative_slope * x).astype(x.dtype), (x >= 0, negative_slope)


def leaky_relu_backward(dy, ctx):
    positive, slope = ctx
    return (np.where(positive, dy, slope * dy).astype(dy.dtype),)
