"""rms_norm divides by √mean(x²) + ε instead of √(mean(x²) + ε), ε outside the root,
and keeps the reference's backward. Torch's outputs and gradients differ (by about
ε/rms relative, plain in float64; far off at the edges, where mean(x²) is of ε's order
and √mean(x²) far above ε), the scale invariance fails (√(c²m) + c²ε is not
c(√m + ε)), the special values and edges are compared with torch, and the backward
(written for ε under the root) is not this forward's derivative: the numeric check sees
it where a row has one element."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403
from nnconform.impl._checks import positive
from nnconform.impl.transformer import _normalised_axes

OP, CAUGHT_BY = ("rms_norm",
                 ("forward", "backward_torch", "backward_numeric", "invariants", "robustness"))

rms_norm_backward = impl.rms_norm_backward


def rms_norm_forward(x, weight, eps=1e-6):
    axes = _normalised_axes(x, weight)
    # the bug: 1/(√mean(x²) + ε), ε added to the root instead of under it
    inv_rms = 1 / (np.sqrt((x * x).mean(axis=axes, keepdims=True)) + positive("eps", eps))
    return x * inv_rms * weight, (x, inv_rms, weight, axes)
