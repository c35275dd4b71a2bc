"""avg_pool2d ignores count_include_pad=False: a window at a padded edge is still divided by
kh·kw, as if its zero padding counted, so edge means shrink toward 0 (forward and backward
agree with each other, so only the oracles and the invariants can tell)."""
from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "avg_pool2d", ("forward", "backward_torch", "closed_form", "invariants")


def avg_pool2d_forward(x, kernel_size=2, stride=None, padding=0, count_include_pad=True):
    return impl.avg_pool2d_forward(x, kernel_size, stride, padding, count_include_pad=True)


avg_pool2d_backward = impl.avg_pool2d_backward
