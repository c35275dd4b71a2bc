"""relu raises on every call; sigmoid (the reference's) is correct, so the run goes on."""
from nnconform.impl import sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("forward", "fail", "RuntimeError: relu is broken")


def relu_forward(x):
    raise RuntimeError("relu is broken")


def relu_backward(dy, ctx):
    raise RuntimeError("relu is broken")
