"""BCE with logits as ln(1 + exp(-z)) + (1 - y) z: exp overflows at z = -1e4."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "binary_cross_entropy_with_logits", ("robustness",)


def binary_cross_entropy_with_logits_forward(z, target, reduction="mean"):
    losses = np.log(1 + np.exp(-z)) + (1 - target) * z
    scale = 1 / z.size if reduction == "mean" else 1.0
    return np.asarray(scale * losses.sum(), dtype=z.dtype), (z, target, scale)


def binary_cross_entropy_with_logits_backward(dy, ctx):
    z, target, scale = ctx
    return ((dy * scale * (1 / (1 + np.exp(-z)) - target)).astype(z.dtype),)
