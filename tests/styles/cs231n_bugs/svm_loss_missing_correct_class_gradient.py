"""svm_loss adds 1 to the gradient of every class with a positive margin but forgets the
correct class's -(number of positive margins): the loss is right, dx is not."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "multiclass_hinge", ("backward_torch", "backward_numeric")


def svm_loss(x, y):
    N = x.shape[0]
    correct = x[np.arange(N), y]
    margins = np.maximum(0, x - correct[:, np.newaxis] + 1.0)
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N
    dx = np.zeros_like(x)
    dx[margins > 0] = 1
    dx /= N
    return loss, dx
