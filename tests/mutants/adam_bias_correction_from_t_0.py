"""adam counts t from 0: the bias correction uses t before it is incremented, so the first
step divides by 1 - β^0 = 0."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "adam", ("forward", "closed_form", "contract", "invariants")

adam_init = impl.adam_init


def adam_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"]
    m = beta1 * state["m"] + (1 - beta1) * grad
    v = beta2 * state["v"] + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t + 1}
