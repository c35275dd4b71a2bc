"""spatial_groupnorm_forward splits the channels with `x.reshape(N, C // G, G, H, W)` and
takes statistics over axis 1: channels c, c + G, c + 2G, ... form a group, not G blocks of
consecutive channels (right only with one group, or one channel per group)."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "group_norm", ("forward", "invariants")


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, C // G, G, H, W)
    mean = np.mean(xg, axis=(1, 3, 4), keepdims=True)
    var = np.var(xg, axis=(1, 3, 4), keepdims=True)
    xhat = ((xg - mean) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out = gamma * xhat + beta
    return out, (x, gamma, beta, G, eps)


def spatial_groupnorm_backward(dout, cache):
    x, gamma, beta, G, eps = cache
    N, C, H, W = x.shape
    xg = x.reshape(N, C // G, G, H, W)
    mean = np.mean(xg, axis=(1, 3, 4), keepdims=True)
    std = np.sqrt(np.var(xg, axis=(1, 3, 4), keepdims=True) + eps)
    xhat = (xg - mean) / std
    dbeta = np.sum(dout, axis=(0, 2, 3), keepdims=True)
    dgamma = np.sum(dout * xhat.reshape(N, C, H, W), axis=(0, 2, 3), keepdims=True)
    dxhat = (dout * gamma).reshape(N, C // G, G, H, W)
    m = C // G * H * W
    dx = (m * dxhat - np.sum(dxhat, axis=(1, 3, 4), keepdims=True)
          - xhat * np.sum(dxhat * xhat, axis=(1, 3, 4), keepdims=True)) / (m * std)
    return dx.reshape(N, C, H, W), dgamma, dbeta
