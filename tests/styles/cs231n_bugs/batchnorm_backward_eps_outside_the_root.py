"""batchnorm_backward differentiates 1/√(σ² + ε) as if it were 1/(√σ² + ε): the forward is
right, the gradient of the variance is off by a factor that grows with ε/σ."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "batch_norm", ("backward_torch", "backward_numeric")


def batchnorm_backward(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    N, D = dout.shape
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dvar = -0.5 * divar / (np.sqrt(var) * (np.sqrt(var) + eps) ** 2)
    dxmu2 = 2 * xmu * dvar / N
    dmu = -np.sum(dxmu1 + dxmu2, axis=0)
    return dxmu1 + dxmu2 + dmu / N, dgamma, dbeta
