"""batch_norm's running variance is updated with the biased batch variance (÷ m) instead of
PyTorch's unbiased one (÷ (m - 1)); y is right, only the returned statistics drift."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "batch_norm", ("forward", "invariants")
CONVENTION = "biased_running_var"  # a legitimate convention: undeclared, it fails and says so

batch_norm_backward = impl.batch_norm_backward


def batch_norm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
                       eps=1e-5):
    (y, mean, var), ctx = impl.batch_norm_forward(x, gamma, beta, running_mean, running_var,
                                                  training, momentum, eps)
    if training:
        axes = (0, *range(2, x.ndim))
        var = ((1 - momentum) * running_var + momentum * x.var(axis=axes)).astype(x.dtype)
    return (y, mean, var), ctx
