"""max_pool_forward_naive reads pool_height and pool_width the wrong way round: square pools
are right, a 2×3 pool pools 3×2 windows (and gives the wrong output size). The forward
and contract checks meet a non-square pool in every run; the backward checks only when
their few draws inside cs231n's declared domain include one, which depends on
Hypothesis's draws (it mixes the literals of local source files into them, so adding the
transformer ops' literals changed them): backward_torch is not required."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "max_pool2d", ("forward", "contract")


def max_pool_forward_naive(x, pool_param):
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_width"], pool_param["pool_height"]
    stride = pool_param["stride"]
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    out[n, c, i, j] = np.max(x[n, c, hs:hs + ph, ws:ws + pw])
    cache = (x, pool_param)
    return out, cache
