"""relu returns one more axis than it was given."""
from nnconform import impl
from nnconform.impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("forward", "fail", "shape")


def relu_forward(x):
    y, ctx = impl.relu_forward(x)
    return y[None], ctx
