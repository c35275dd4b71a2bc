"""conv2d's backward scatters dy·W back at stride 1 whatever the forward stride was, so dx
lands on the wrong pixels once S > 1 (dW and db are still right)."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "conv2d", ("backward_torch", "backward_numeric", "closed_form")


def conv2d_backward(dy, ctx):
    x_shape, w, _, _, (ph, pw), (dh, dw), groups, _ = ctx
    _, dweights, db = impl.conv2d_backward(dy, ctx)
    n, c, h, width = x_shape
    k, per_group, fh, fw = w.shape
    ho, wo = dy.shape[2:]
    grad = np.zeros((n, c, h + 2 * ph, width + 2 * pw), dy.dtype)
    for g in range(groups):
        kernels = slice(g * k // groups, (g + 1) * k // groups)
        channels = slice(g * per_group, (g + 1) * per_group)
        for i in range(fh):
            for j in range(fw):  # the bug: output (y, x) goes back to (y + i, x + j)
                grad[:, channels, i * dh:i * dh + ho, j * dw:j * dw + wo] += np.einsum(
                    "nkyx,kc->ncyx", dy[:, kernels], w[kernels, :, i, j])
    return np.ascontiguousarray(grad[:, :, ph:ph + h, pw:pw + width]), dweights, db
