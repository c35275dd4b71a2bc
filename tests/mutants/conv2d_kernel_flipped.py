"""conv2d computes a true convolution: the kernel is flipped, which the notes say deep
learning does not do [003]. Forward and backward agree with each other, not with torch."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "conv2d", ("forward", "closed_form", "invariants")


def conv2d_forward(x, w, b=None, **hyper):
    return impl.conv2d_forward(x, w[:, :, ::-1, ::-1].copy(), b, **hyper)


def conv2d_backward(dy, ctx):
    dx, dw, db = impl.conv2d_backward(dy, ctx)
    return dx, dw[:, :, ::-1, ::-1].copy(), db
