"""gelu computes the tanh approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))) whatever
`approximate` says (the cheaper kernel for both), with the tanh form's derivative: the
default, exact GELU is off by up to 4.7e-4 (near x = -2.7). Forward and backward agree,
so the numeric check passes, and the tanh form is odd like Φ - ½, so gelu(x) - gelu(-x)
= x still holds; torch's exact outputs and gradients do not, in the special values too.
The tanh variant is right."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403
from nnconform.impl._checks import require_choice, require_float
from nnconform.impl.transformer import GELU_APPROXIMATIONS, SQRT_2_OVER_PI, TANH_CUBIC

OP, CAUGHT_BY = "gelu", ("forward", "backward_torch", "robustness")

gelu_backward = impl.gelu_backward


def gelu_forward(x, approximate="none"):
    require_float("x", x)
    require_choice("approximate", approximate, GELU_APPROXIMATIONS)
    # the bug: the tanh form whatever `approximate` says (and its derivative after it)
    t = np.tanh(SQRT_2_OVER_PI * (x + TANH_CUBIC * x**3))
    return 0.5 * x * (1 + t), (x, t, "tanh")
