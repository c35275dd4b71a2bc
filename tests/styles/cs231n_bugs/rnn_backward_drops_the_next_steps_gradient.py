"""rnn_backward calls rnn_step_backward with dh[:, t] alone, dropping dprev_h, the gradient
flowing back from step t + 1: right for T = 1, truncated to one step beyond."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.rnn_layers import *  # noqa: F403

OP, CAUGHT_BY = "rnn", ("backward_torch", "backward_numeric", "invariants")


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(  # noqa: F405
            dh[:, t, :], cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
