"""rms_norm's backward returns dx = r·w·dy, treating r = 1/√(mean(x²) + ε) as a constant:
it misses - x·r³·mean(w·dy·x), the term through r's dependence on every x of the row.
The forward passes (invariants too); torch's and the numeric dx do not, nor does dx at
the edges (the robustness check)."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "rms_norm", ("backward_torch", "backward_numeric", "robustness")

rms_norm_forward = impl.rms_norm_forward


def rms_norm_backward(dy, ctx):
    x, inv_rms, weight, axes = ctx
    dx = inv_rms * weight * dy  # the bug: r as a constant, no term through r(x)
    leading = tuple(range(dy.ndim - len(axes)))
    return dx, (dy * x * inv_rms).sum(axis=leading)
