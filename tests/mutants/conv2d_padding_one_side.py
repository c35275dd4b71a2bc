"""conv2d puts all 2P rows and columns of zero padding on the top and left: the output
has the right size but every window sits P pixels off."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403
from nnconform.impl._windows import pair

OP, CAUGHT_BY = "conv2d", ("forward", "closed_form")


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    ph, pw = pair("padding", padding, 0)
    padded = np.pad(x, ((0, 0), (0, 0), (2 * ph, 0), (2 * pw, 0)))
    y, ctx = impl.conv2d_forward(padded, w, b, stride, 0, dilation, groups)
    return y, (ctx, 2 * ph, 2 * pw)


def conv2d_backward(dy, ctx):
    inner, top, left = ctx
    dx, dw, db = impl.conv2d_backward(dy, inner)
    return np.ascontiguousarray(dx[:, :, top:, left:]), dw, db
