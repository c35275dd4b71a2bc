"""conv2d's backward scatters dcols back at stride 1 whatever the forward stride was, so
dx lands on the wrong pixels once S > 1 (dW and db are still right)."""

import impl
from impl import *  # noqa: F403
from impl.conv import _im2col_backward

OP, CAUGHT_BY = "conv2d", ("backward_torch", "backward_numeric", "closed_form")


def conv2d_backward(dy, ctx):
    x_shape, w, has_bias, stride, padding, dilation, groups, (method, saved) = ctx
    if method != "im2col":  # the 3×3 stride-1 path has no stride to forget
        return impl.conv2d_backward(dy, ctx)
    dx, dw = _im2col_backward(dy, w, saved, x_shape, (1, 1), padding, dilation, groups)
    return dx, dw, dy.sum(axis=(0, 2, 3)) if has_bias else None
