"""conv2d rounds the output size up, ceil((H + 2P - F)/S) + 1, and pads the bottom and
right with extra zeros to fill the extra row and column."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403
from nnconform.impl._windows import pair

OP, CAUGHT_BY = "conv2d", ("forward", "closed_form", "contract", "invariants")


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    extra = []
    for size, f, s, p, d in zip(x.shape[2:], w.shape[2:], pair("stride", stride, 1),
                                pair("padding", padding, 0), pair("dilation", dilation, 1),
                                strict=True):
        rounded_up = -(-(size + 2 * p - d * (f - 1) - 1) // s) + 1
        extra.append((rounded_up - 1) * s + d * (f - 1) + 1 - (size + 2 * p))
    grown = np.pad(x, ((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    y, ctx = impl.conv2d_forward(grown, w, b, stride, padding, dilation, groups)
    return y, (ctx, x.shape)


def conv2d_backward(dy, ctx):
    inner, shape = ctx
    dx, dw, db = impl.conv2d_backward(dy, inner)
    return np.ascontiguousarray(dx[:, :, :shape[2], :shape[3]]), dw, db
