"""word_embedding_backward adds with `dW[x] += dout` instead of np.add.at: fancy-index
assignment writes each repeated word once, so a word used k times gets one gradient."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.rnn_layers import *  # noqa: F403

OP, CAUGHT_BY = "embedding", ("backward_torch", "backward_numeric", "invariants")


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    dW[x] += dout
    return dW
