"""temporal_softmax_loss sums the loss and the gradient over every position, the padding
(mask False) included: right only for captions of full length."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.rnn_layers import *  # noqa: F403

OP, CAUGHT_BY = "temporal_softmax_loss", ("forward", "backward_torch", "invariants")


def temporal_softmax_loss(x, y, mask, verbose=False):
    N, T, V = x.shape
    x_flat, y_flat = x.reshape(N * T, V), y.reshape(N * T)
    shifted = x_flat - np.max(x_flat, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(log_probs[np.arange(N * T), y_flat]) / N
    dx_flat = np.exp(log_probs)
    dx_flat[np.arange(N * T), y_flat] -= 1
    dx_flat /= N
    return loss, dx_flat.reshape(N, T, V)
