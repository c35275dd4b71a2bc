"""spatial_batchnorm_forward flattens x (N, C, H, W) with `x.reshape(-1, C)`, without
moving C last first: each "channel" column mixes channels and positions, so the statistics
are over the wrong axes (right only where H·W = 1)."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "batch_norm", ("forward", "invariants")


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = batchnorm_forward(x.reshape(-1, C), gamma, beta, bn_param)  # noqa: F405
    return out.reshape(N, C, H, W), cache


def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = batchnorm_backward_alt(dout.reshape(-1, C), cache)  # noqa: F405
    return dx.reshape(N, C, H, W), dgamma, dbeta
