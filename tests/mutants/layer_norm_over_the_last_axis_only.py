"""layer_norm takes μ and σ² over the last axis only (axis=-1, as for a 1-D γ), whatever
γ's shape: with γ of shape (H, W) each row of W values is normalised on its own instead
of the whole H × W slice. Forward and backward agree with each other, so the numeric
check passes; torch and the per-example statistics do not."""

import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "layer_norm", ("forward", "backward_torch", "invariants")


def layer_norm_forward(x, gamma, beta, eps=1e-5):
    centred = x - x.mean(axis=-1, keepdims=True)  # the bug: only the last axis
    inv_std = 1 / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + eps)
    xhat = centred * inv_std
    return xhat * gamma + beta, (xhat, inv_std, gamma)


def layer_norm_backward(dy, ctx):
    xhat, inv_std, gamma = ctx
    leading = tuple(range(dy.ndim - gamma.ndim))
    dxhat = dy * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                    - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dx, (dy * xhat).sum(axis=leading), dy.sum(axis=leading)
