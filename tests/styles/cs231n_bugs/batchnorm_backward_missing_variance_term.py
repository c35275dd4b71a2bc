"""batchnorm_backward (the simplified form) leaves out the term through the batch variance,
x̂·Σ(dx̂·x̂): dx = (N·dx̂ - Σdx̂)/(N·σ). Under an upstream gradient of all ones the missing
term is 0, which is why the suite never uses one."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "batch_norm", ("backward_torch", "backward_numeric")


def batchnorm_backward(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dx = ivar / N * (N * dxhat - np.sum(dxhat, axis=0))
    return dx, dgamma, dbeta
