"""dropout zeroes the dropped units but does not divide the kept ones by keep_prob, so the
expected output shrinks to keep_prob·x (the notes' inverted dropout scales it back)."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "dropout", ("forward", "closed_form", "invariants")

dropout_backward = impl.dropout_backward


def dropout_forward(x, mask=None, keep_prob=0.5, training=True, rng=None):
    y, scale = impl.dropout_forward(x, mask, keep_prob, training, rng)
    if scale is None:
        return y, scale
    kept = (scale > 0).astype(x.dtype)
    return x * kept, kept
