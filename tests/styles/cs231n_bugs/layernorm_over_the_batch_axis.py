"""layernorm_forward is batchnorm_forward's train branch copied: it normalises each feature
over the batch (axis 0) instead of each example over its features (axis 1)."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "layer_norm", ("forward", "invariants")


def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mean = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mean) / std
    out = gamma * xhat + beta
    return out, (xhat, gamma, std)
