"""cross-entropy divides by N under reduction="sum" and not under "mean"."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "cross_entropy", ("forward", "backward_torch", "closed_form")


def cross_entropy_forward(logits, target, reduction="mean"):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    y = np.eye(logits.shape[1], dtype=logits.dtype)[target] if target.ndim == 1 else target
    scale = 1.0 if reduction == "mean" else 1 / logits.shape[0]  # the bug: swapped
    return np.asarray(-scale * (y * log_p).sum(), dtype=logits.dtype), (np.exp(log_p), y, scale)


def cross_entropy_backward(dy, ctx):
    p, y, scale = ctx
    return ((dy * scale * (p - y)).astype(p.dtype),)
