"""l2 penalty computes λ/m ‖W‖² (no 1/2) while the gradient stays λW/m."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "l2_penalty", ("backward_numeric", "closed_form")


def l2_penalty_forward(w, lam=0.01, m=1):
    return np.asarray(lam / m * np.sum(w * w), dtype=w.dtype), (w, lam / m)


def l2_penalty_backward(dy, ctx):
    w, scale = ctx
    return ((dy * scale * w).astype(w.dtype),)
