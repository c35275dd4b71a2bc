"""batch_norm's running statistics use momentum the other way round (Keras's convention in a
PyTorch-convention API): new = momentum·old + (1 - momentum)·batch."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "batch_norm", ("forward", "invariants")

batch_norm_backward = impl.batch_norm_backward


def batch_norm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
                       eps=1e-5):
    return impl.batch_norm_forward(x, gamma, beta, running_mean, running_var, training,
                                   1 - momentum, eps)
