"""relu returns float64 whatever it was given."""
from nnconform import impl
from nnconform.impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("contract", "fail", "dtype float64, expected float32")


def relu_forward(x):
    y, ctx = impl.relu_forward(x)
    return y.astype("float64"), ctx
