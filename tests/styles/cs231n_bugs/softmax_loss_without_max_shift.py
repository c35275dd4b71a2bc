"""softmax_loss exponentiates the raw scores, without subtracting each row's maximum first:
right for moderate scores, but exp overflows for scores in the hundreds (inf/inf = NaN)."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "cross_entropy", ("robustness",)


def softmax_loss(x, y):
    exp = np.exp(x)
    probs = exp / np.sum(exp, axis=1, keepdims=True)
    N = x.shape[0]
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx
