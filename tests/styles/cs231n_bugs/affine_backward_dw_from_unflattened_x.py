"""affine_backward computes dw = x.T·dout from x as it came in, not reshaped to (N, D):
right for 2-D x, wrong shape for the (N, d_1, ..., d_k) inputs the layer takes."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "linear", ("backward_torch", "contract")


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = np.dot(x.T, dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
