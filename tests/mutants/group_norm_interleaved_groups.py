"""group_norm puts channel c in group c mod G (x reshaped (N, C/G, G, ...)) instead of
group c // (C/G), torch's consecutive channels: the same with one group or one channel
per group, wrong statistics with several groups of several channels."""

import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "group_norm", ("forward", "backward_torch", "invariants")


def group_norm_forward(x, gamma, beta, groups=1, eps=1e-5):
    n, channels = x.shape[:2]
    # the bug: (N, C/G, G, rest) with the group axis second, then moved first
    grouped = np.moveaxis(x.reshape(n, channels // groups, groups, -1), 2, 1)
    grouped = grouped.reshape(n, groups, -1)
    centred = grouped - grouped.mean(axis=2, keepdims=True)
    inv_std = 1 / np.sqrt((centred * centred).mean(axis=2, keepdims=True) + eps)
    xhat = centred * inv_std
    back = np.moveaxis(xhat.reshape(n, groups, channels // groups, -1), 1, 2).reshape(x.shape)
    g, b = (v.reshape(1, -1, *[1] * (x.ndim - 2)) for v in (gamma, beta))
    return back * g + b, (xhat, inv_std, g, groups)


def group_norm_backward(dy, ctx):
    xhat, inv_std, g, groups = ctx
    n, channels = dy.shape[:2]

    def grouped(a):
        return np.moveaxis(a.reshape(n, channels // groups, groups, -1), 2, 1).reshape(
            n, groups, -1)

    dxhat = grouped(dy * g)
    dx = inv_std * (dxhat - dxhat.mean(axis=2, keepdims=True)
                    - xhat * (dxhat * xhat).mean(axis=2, keepdims=True))
    dx = np.moveaxis(dx.reshape(n, groups, channels // groups, -1), 1, 2).reshape(dy.shape)
    xhat_full = np.moveaxis(xhat.reshape(n, groups, channels // groups, -1), 1, 2).reshape(
        dy.shape)
    axes = (0, *range(2, dy.ndim))
    return dx, (dy * xhat_full).sum(axis=axes), dy.sum(axis=axes)
