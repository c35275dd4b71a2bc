"""batch_norm normalises with the batch's own statistics in eval mode too, ignoring the
running ones (and leaves them as they were)."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "batch_norm", ("forward", "backward_torch")

batch_norm_backward = impl.batch_norm_backward


def batch_norm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
                       eps=1e-5):
    # momentum 0 keeps the running statistics as they were
    return impl.batch_norm_forward(x, gamma, beta, running_mean, running_var, True,
                                   momentum if training else 0.0, eps)
