"""relu clamps the caller's array in place."""
import numpy as np

from nnconform.impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("contract", "fail", "mutated its input x")


def relu_forward(x):
    return np.maximum(x, 0, out=x), x > 0
