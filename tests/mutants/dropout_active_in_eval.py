"""dropout ignores training=False and keeps dropping units at test time."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "dropout", ("forward", "invariants")

dropout_backward = impl.dropout_backward


def dropout_forward(x, mask=None, keep_prob=0.5, training=True, rng=None):
    return impl.dropout_forward(x, mask, keep_prob, True, rng)
