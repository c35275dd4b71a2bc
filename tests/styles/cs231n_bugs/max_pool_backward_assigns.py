"""max_pool_backward_naive assigns each window's gradient to dx (`dx[...] = mask * dout`)
instead of adding it: where windows overlap (stride < pool size) a later window overwrites
what an earlier one gave, zeros included. Without overlap it is right."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "max_pool2d", ("backward_torch", "backward_numeric", "invariants")


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    window = x[n, c, hs:hs + ph, ws:ws + pw]
                    mask = window == np.max(window)
                    dx[n, c, hs:hs + ph, ws:ws + pw] = mask * dout[n, c, i, j]
    return dx
