"""linear takes W stored (in, out) and computes x W + b, as CS231n and Keras do: a
legitimate layout convention, not torch's (out, in)."""
from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "linear", ("forward", "backward_torch", "contract")
CONVENTION = "weight_in_out"  # a legitimate convention: undeclared, it fails and says so


def linear_forward(x, w, b=None):
    return impl.linear_forward(x, w.T, b)


def linear_backward(dy, ctx):
    dx, dw, db = impl.linear_backward(dy, ctx)
    return dx, dw.T, db
