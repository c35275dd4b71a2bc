"""temporal_softmax_loss masks the loss but not its gradient: dx is softmax - one_hot
at every position, the masked ones too (a padded step then still trains the model)."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "temporal_softmax_loss", ("backward_torch", "backward_numeric", "invariants")

temporal_softmax_loss_forward = impl.temporal_softmax_loss_forward


def temporal_softmax_loss_backward(dy, ctx):
    log_p, target, mask, scale = ctx
    p = np.exp(log_p)
    one_hot = np.eye(log_p.shape[2], dtype=log_p.dtype)[target]
    return ((dy * scale * (p - one_hot)).astype(log_p.dtype),)  # the bug: no mask
