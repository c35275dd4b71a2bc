"""relu's forward raises NumPy's "overflow encountered in exp" RuntimeWarning: an op must
not overflow on the suite's inputs, so that is a failure. sigmoid's forward is right but
leaves the "invalid value encountered in matmul" a BLAS product may leave after an earlier
product's NaN (properties/harness.py): not a failure."""
import warnings

from nnconform import impl
from nnconform.impl import relu_backward, sigmoid_backward  # noqa: F401

EXPECTED = ("forward", "fail", "overflow encountered in exp")


def relu_forward(x):
    warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
    return impl.relu_forward(x)


def sigmoid_forward(x):
    warnings.warn("invalid value encountered in matmul", RuntimeWarning, stacklevel=1)
    return impl.sigmoid_forward(x)
