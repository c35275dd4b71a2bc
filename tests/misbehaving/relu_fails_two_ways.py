"""relu that fails in two different ways (an error on matrices, wrong values on vectors),
so Hypothesis reports several distinct failures at once as an exception group."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403


def relu_forward(x):
    if x.ndim >= 2:
        raise TypeError("relu: cannot handle 2-d input")
    return impl.relu_forward(x * 2)[0], None


def relu_backward(dy, ctx):
    return (dy,)
