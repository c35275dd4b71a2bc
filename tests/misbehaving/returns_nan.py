"""relu returns NaN everywhere."""
import numpy as np

from nnconform import impl
from nnconform.impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("forward", "fail", "nan")


def relu_forward(x):
    y, ctx = impl.relu_forward(x)
    return np.full_like(y, np.nan), ctx
