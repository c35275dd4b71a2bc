"""lstm keeps its gate blocks in the order i, f, o, g (CS231n's) where torch's is
i, f, g, o: a legitimate layout convention of the weights."""
import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "lstm", ("forward", "backward_torch")
CONVENTION = "gates_ifog"  # a legitimate convention: undeclared, it fails and says so


def _swap(rows):
    i, f, g, o = np.split(rows, 4, axis=0)
    return np.concatenate([i, f, o, g], axis=0)


def lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    # read the blocks as i, f, o, g: reorder them to the built-in's i, f, g, o
    return impl.lstm_forward(x, h0, c0, *(_swap(a) for a in (w_ih, w_hh, b_ih, b_hh)))


def lstm_backward(dy, dh_n, dc_n, ctx):
    grads = impl.lstm_backward(dy, dh_n, dc_n, ctx)
    return (*grads[:3], *(_swap(g) for g in grads[3:]))
