"""gelu's backward returns dy·Φ(x) for the exact form, missing the x·φ(x) of the product
rule (x·Φ(x))' = Φ(x) + x·φ(x). The forward and the tanh form are right; torch's and the
numeric gradients of the exact form are not."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403
from nnconform.impl.transformer import SQRT_2_OVER_PI, TANH_CUBIC

OP, CAUGHT_BY = "gelu", ("backward_torch", "backward_numeric")

gelu_forward = impl.gelu_forward


def gelu_backward(dy, ctx):
    x, saved, approximate = ctx
    if approximate == "tanh":
        du = SQRT_2_OVER_PI * (1 + 3 * TANH_CUBIC * x * x)
        return (dy * (0.5 * (1 + saved) + 0.5 * x * (1 - saved * saved) * du),)
    return (dy * saved,)  # the bug: Φ(x) alone, as if Φ did not depend on x (no x·φ(x))
