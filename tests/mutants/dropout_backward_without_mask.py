"""dropout's backward scales dy by 1/keep_prob everywhere, sending gradient to the units the
forward dropped."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "dropout", ("backward_torch", "backward_numeric", "closed_form", "invariants")


def dropout_forward(x, mask=None, keep_prob=0.5, training=True, rng=None):
    y, scale = impl.dropout_forward(x, mask, keep_prob, training, rng)
    return y, (None if scale is None else 1 / keep_prob)


dropout_backward = impl.dropout_backward
