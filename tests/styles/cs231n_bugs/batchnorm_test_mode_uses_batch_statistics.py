"""batchnorm_forward normalises with the batch's mean and variance in test mode too, never
reading the running averages it kept: the train branch's code for both modes."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "batch_norm", ("forward",)


def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    mean = np.mean(x, axis=0)
    xmu = x - mean
    var = np.mean(xmu ** 2, axis=0)
    sqrtvar = np.sqrt(var + eps)
    xhat = xmu / sqrtvar
    out = gamma * xhat + beta
    cache = (xhat, gamma, xmu, 1.0 / sqrtvar, sqrtvar, var, eps)
    if bn_param["mode"] == "train":
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
