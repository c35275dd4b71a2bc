"""The residual block's backward forgets the skip connection: dx is only what flows back
through the two convolutions, without the dz that the shortcut carries to a[l] [003]."""

from nnconform.impl import *  # noqa: F403
from nnconform.impl.conv import conv2d_backward

OP, CAUGHT_BY = "residual_block", ("backward_torch", "backward_numeric")


def residual_block_backward(dy, ctx):
    conv1, conv2, inner_open, outer_open = ctx
    dz = dy * outer_open
    da1, dw2, db2 = conv2d_backward(dz, conv2)
    dx_conv, dw1, db1 = conv2d_backward(da1 * inner_open, conv1)
    return dx_conv, dw1, db1, dw2, db2
