"""mse backward uses (ŷ - y)/n, forgetting the factor 2 of the square."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "mse", ("backward_torch", "backward_numeric", "closed_form")


def mse_forward(pred, target, reduction="mean"):
    diff = pred - target
    scale = {"mean": 1 / diff.size, "sum": 1.0, "half": 0.5 / diff.size}[reduction]
    return np.asarray(scale * np.sum(diff**2), dtype=pred.dtype), (diff, scale)


def mse_backward(dy, ctx):
    diff, scale = ctx
    return ((dy * scale * diff).astype(diff.dtype),)
