"""layernorm_backward sums dgamma and dbeta over the features (axis 1), as the forward's
statistics are, instead of over the batch: (N,) gradients for (D,) parameters."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "layer_norm", ("backward_torch", "contract")


def layernorm_backward(dout, cache):
    xhat, gamma, std = cache
    D = dout.shape[1]
    dbeta = np.sum(dout, axis=1)
    dgamma = np.sum(dout * xhat, axis=1)
    dxhat = dout * gamma
    dx = (D * dxhat - np.sum(dxhat, axis=1, keepdims=True)
          - xhat * np.sum(dxhat * xhat, axis=1, keepdims=True)) / (D * std)
    return dx, dgamma, dbeta
