"""step uses u >= 0, so step(0) = 1 against the M-P neuron's u > 0 [000]."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "step", ("kinks",)
CONVENTION = "fires_at_zero"  # a legitimate convention: undeclared, it fails and says so


def step_forward(x):
    return (x >= 0).astype(x.dtype), x.shape


def step_backward(dy, shape):
    return (np.zeros(shape, dy.dtype),)
