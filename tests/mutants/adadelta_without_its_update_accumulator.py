"""adadelta never accumulates its updates Δx: the numerator stays √ε, so after the first
step (where u is 0 anyway) it is RMSprop with the rate √ε."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "adadelta", ("forward",)

adadelta_init = impl.adadelta_init


def adadelta_step(param, grad, state, lr=1.0, rho=0.9, eps=1e-6):
    s = rho * state["s"] + (1 - rho) * grad * grad
    delta = np.sqrt(state["u"] + eps) / np.sqrt(s + eps) * grad
    return param - lr * delta, {"s": s, "u": state["u"]}
