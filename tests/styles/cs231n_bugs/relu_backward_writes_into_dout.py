"""relu_backward starts from `dx = dout` (no copy) and zeroes dx where x <= 0: the gradient
is right, but the upstream gradient it was handed is overwritten, which breaks any layer
that reads dout again (a skip connection, a gradient check)."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "relu", ("contract",)


def relu_backward(dout, cache):
    x = cache
    dx = dout
    dx[x <= 0] = 0
    return dx
