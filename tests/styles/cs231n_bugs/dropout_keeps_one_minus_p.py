"""dropout_forward keeps a unit where rand > p, with probability 1 - p, though p is the
keep probability (the docstring's "We keep each neuron output with probability p"), and
still divides by p: the expectation is x·(1 - p)/p."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.layers import *  # noqa: F403

OP, CAUGHT_BY = "dropout", ("invariants",)


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) > p) / p
        out = x * mask
    else:
        out = x
    return out.astype(x.dtype, copy=False), (dropout_param, mask)
