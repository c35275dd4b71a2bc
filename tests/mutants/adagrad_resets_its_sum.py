"""adagrad keeps only the last squared gradient instead of the running sum, so its step
sizes do not shrink."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "adagrad", ("forward", "closed_form", "invariants")

adagrad_init = impl.adagrad_init


def adagrad_step(param, grad, state, lr=0.01, eps=1e-10):
    r = grad * grad
    return param - lr * grad / (np.sqrt(r) + eps), {"r": r}
