"""RMSprop with ε under the root, g/√(S + ε) (Hinton's slides, TensorFlow), where torch
and the notes put it outside: a legitimate convention."""
import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "rmsprop", ("forward", "closed_form")
CONVENTION = "eps_inside_sqrt"  # a legitimate convention: undeclared, it fails and says so

rmsprop_init = impl.rmsprop_init


def rmsprop_step(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = alpha * state["s"] + (1 - alpha) * grad * grad
    return np.asarray(param - lr * grad / np.sqrt(s + eps)), {"s": np.asarray(s)}
