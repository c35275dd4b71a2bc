"""binary cross-entropy takes ln(p) unclamped: ln(0) warns and gives inf at p = 0 or 1."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "binary_cross_entropy", ("robustness",)


def binary_cross_entropy_forward(p, target, reduction="mean"):
    losses = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    scale = 1 / p.size if reduction == "mean" else 1.0
    return np.asarray(scale * losses.sum(), dtype=p.dtype), (p, target, scale)


def binary_cross_entropy_backward(dy, ctx):
    p, target, scale = ctx
    return ((dy * scale * (p - target) / (p * (1 - p))).astype(p.dtype),)
