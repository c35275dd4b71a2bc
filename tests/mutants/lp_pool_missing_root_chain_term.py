"""lp_pool2d backward drops the p-th root's factor y^(1-p) from the chain rule: dx = Σ dy·x^(p-1)
instead of Σ dy·x^(p-1)·y^(1-p). Right at p = 1 only."""
from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "lp_pool2d", ("backward_torch", "backward_numeric", "closed_form")


def lp_pool2d_forward(x, norm_type=2.0, kernel_size=2, stride=None):
    y, _ = impl.lp_pool2d_forward(x, norm_type, kernel_size, stride)
    return y, (x, float(norm_type), kernel_size, stride)


def lp_pool2d_backward(dy, ctx):
    x, p, kernel_size, stride = ctx
    # Σ over the windows of dy: sum pooling's backward, i.e. avg pooling's at dy·kh·kw.
    _, avg_ctx = impl.avg_pool2d_forward(x, kernel_size, stride)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    (spread,) = impl.avg_pool2d_backward(dy * (kh * kw), avg_ctx)
    return (spread * x ** (p - 1.0),)
