"""dropout reads its probability argument as the drop probability (torch's p, Keras's
rate) where the contract's keep_prob keeps: a legitimate convention of the argument."""
from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "dropout", ("forward", "backward_torch")
CONVENTION = "p_is_drop"  # a legitimate convention: undeclared, it fails and says so


def dropout_forward(x, mask=None, keep_prob=0.5, training=True, rng=None):
    return impl.dropout_forward(x, mask, keep_prob=1 - keep_prob, training=training, rng=rng)


dropout_backward = impl.dropout_backward
