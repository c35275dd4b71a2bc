"""relu returns its output alone, a list, instead of the (y, ctx) pair."""
from nnconform import impl
from nnconform.impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("forward", "fail", "expected a (y, ctx) pair")


def relu_forward(x):
    return impl.relu_forward(x)[0].tolist()
