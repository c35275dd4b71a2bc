"""rotary_embedding's frequencies are θ_i = base^(-i/D) (arange(D/2)/D) instead of
base^(-2i/D) (arange(0, D, 2)/D): every pair but the first turns too fast. Forward and
backward agree, so the numeric check passes, and it is still a rotation by an angle
linear in the position, so the invariants pass; torch's outputs and gradients do not
(with D = 2 the one frequency is 1 either way), in the special values too."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl.transformer import _rotary_base, _rotate

OP, CAUGHT_BY = "rotary_embedding", ("forward", "backward_torch", "robustness")


def rotary_angles(positions, dim, base):
    # the bug: θ_i = base^(-i/dim) for i < dim/2, where base^(-2i/dim) was meant
    inverse_frequency = base ** (-np.arange(dim // 2, dtype=np.float64) / dim)
    angle = positions.astype(np.float64)[:, None] * inverse_frequency
    return np.cos(angle), np.sin(angle)


def rotary_embedding_forward(x, positions, base=10000.0):
    base = _rotary_base(x, positions, base)
    cos, sin = (a.astype(x.dtype) for a in rotary_angles(positions, x.shape[-1], base))
    return _rotate(x, cos, sin), (cos, sin)


def rotary_embedding_backward(dy, ctx):
    cos, sin = ctx
    return (_rotate(dy, cos, -sin),)
