"""Adam with the bias corrections folded into the step size and ε added to √v instead of
√v̂ (Kingma & Ba's efficient form, TensorFlow's Adam): a legitimate convention, which
differs from torch's where ε is not negligible against √v."""
import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "adam", ("forward", "closed_form")
CONVENTION = "eps_hat"  # a legitimate convention: undeclared, it fails and says so

adam_init = impl.adam_init


def adam_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grad
    v = beta2 * state["v"] + (1 - beta2) * grad * grad
    rate = float(lr * np.sqrt(1 - beta2**t) / (1 - beta1**t))  # a Python float keeps the dtype
    step = rate * m / (np.sqrt(v) + eps)
    return np.asarray(param - step), {"m": np.asarray(m), "v": np.asarray(v), "t": t}
