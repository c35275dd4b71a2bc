"""lstm reads the forget gate's bias as the input gate's and the other way round (the
blocks of b_ih and b_hh taken in the order f, i, g, o instead of i, f, g, o)."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "lstm", ("forward", "backward_torch", "invariants")

lstm_backward = impl.lstm_backward


def _swap_i_f(b):
    i, f, g, o = np.split(b, 4)
    return np.concatenate([f, i, g, o])


def lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    return impl.lstm_forward(x, h0, c0, w_ih, w_hh, _swap_i_f(b_ih), _swap_i_f(b_hh))
