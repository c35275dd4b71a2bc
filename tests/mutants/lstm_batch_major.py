"""lstm takes and returns sequences batch-major, x and y (N, T, ·), as CS231n and Keras
do (torch's batch_first=True): a legitimate layout convention."""
import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "lstm", ("forward", "backward_torch", "contract")
CONVENTION = "batch_major"  # a legitimate convention: undeclared, it fails and says so


def batch_major(forward, backward):
    """An LSTM's forward and backward, time-major, made batch-major."""
    def lstm_forward(x, *rest):
        (y, h_n, c_n), ctx = forward(np.swapaxes(x, 0, 1), *rest)
        return (np.swapaxes(y, 0, 1), h_n, c_n), ctx

    def lstm_backward(dy, dh_n, dc_n, ctx):
        dx, *rest = backward(np.swapaxes(dy, 0, 1), dh_n, dc_n, ctx)
        return (np.swapaxes(dx, 0, 1), *rest)

    return lstm_forward, lstm_backward


lstm_forward, lstm_backward = batch_major(impl.lstm_forward, impl.lstm_backward)
