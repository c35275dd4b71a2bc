"""A convolution that supports neither dilation nor groups and says so: NotImplementedError
for both, and a SUPPORT declaring the subset it has (tests/test_declared_support.py)."""
from nnconform import impl

SUPPORT = {"conv2d": {"dilation": [1], "groups": [1]}}


def _unsupported(dilation, groups):
    if any(d != 1 for d in ((dilation,) if isinstance(dilation, int) else dilation)):
        raise NotImplementedError(f"dilation={dilation}: only 1")
    if groups != 1:
        raise NotImplementedError(f"groups={groups}: only 1")


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    _unsupported(dilation, groups)
    return impl.conv2d_forward(x, w, b, stride=stride, padding=padding)


conv2d_backward = impl.conv2d_backward
