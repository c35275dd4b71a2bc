"""Adagrad with ε under the root, g/√(r + ε), where torch and the notes put it outside:
a legitimate convention."""
import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "adagrad", ("forward", "closed_form")
CONVENTION = "eps_inside_sqrt"  # a legitimate convention: undeclared, it fails and says so

adagrad_init = impl.adagrad_init


def adagrad_step(param, grad, state, lr=0.01, eps=1e-10):
    r = state["r"] + grad * grad
    return np.asarray(param - lr * grad / np.sqrt(r + eps)), {"r": np.asarray(r)}
