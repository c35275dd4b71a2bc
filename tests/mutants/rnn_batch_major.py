"""rnn takes and returns sequences batch-major, x and y (N, T, ·), as CS231n and Keras
do (torch's batch_first=True): a legitimate layout convention."""
import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "rnn", ("forward", "backward_torch", "contract")
CONVENTION = "batch_major"  # a legitimate convention: undeclared, it fails and says so


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    (y, h_n), ctx = impl.rnn_forward(np.swapaxes(x, 0, 1), h0, w_ih, w_hh, b_ih, b_hh)
    return (np.swapaxes(y, 0, 1), h_n), ctx


def rnn_backward(dy, dh_n, ctx):
    dx, *rest = impl.rnn_backward(np.swapaxes(dy, 0, 1), dh_n, ctx)
    return (np.swapaxes(dx, 0, 1), *rest)
