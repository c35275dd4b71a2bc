"""relu returns one more axis than it was given."""
import impl
from impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("forward", "fail", "shape")


def relu_forward(x):
    y, ctx = impl.relu_forward(x)
    return y[None], ctx
