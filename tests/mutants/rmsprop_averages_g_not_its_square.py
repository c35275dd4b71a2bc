"""rmsprop averages g instead of g², so its "root mean square" is the root of a signed
mean: NaN (and a NumPy warning) as soon as the mean goes negative."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "rmsprop", ("forward", "closed_form", "invariants")

rmsprop_init = impl.rmsprop_init


def rmsprop_step(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = alpha * state["s"] + (1 - alpha) * grad
    return param - lr * grad / (np.sqrt(s) + eps), {"s": s}
