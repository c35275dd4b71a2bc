"""rotary_embedding rotates the interleaved pairs (x[2i], x[2i + 1]) (Meta's Llama
reference, GPT-J, torchtune) instead of the contract's half-split pairs (x[i],
x[i + D/2]): a legitimate layout convention. It is still a rotation by p·θ_i, so the
numeric check and the invariants (norms kept, scores depending on the offset only,
position 0 the identity) pass; torch's outputs and gradients, special values included,
do not, and the report says the convention explains it."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl.transformer import _rotary_base, rotary_angles

OP, CAUGHT_BY = "rotary_embedding", ("forward", "backward_torch", "robustness")
CONVENTION = "interleaved"  # a legitimate convention: undeclared, it fails and says so


def _rotate(x, cos, sin):
    """Each pair (x[2i], x[2i + 1]) turned by its angle: the interleaved layout."""
    even, odd = x[..., 0::2], x[..., 1::2]
    y = np.empty_like(x)
    y[..., 0::2] = even * cos - odd * sin
    y[..., 1::2] = even * sin + odd * cos
    return y


def rotary_embedding_forward(x, positions, base=10000.0):
    base = _rotary_base(x, positions, base)
    cos, sin = (a.astype(x.dtype) for a in rotary_angles(positions, x.shape[-1], base))
    return _rotate(x, cos, sin), (cos, sin)


def rotary_embedding_backward(dy, ctx):
    cos, sin = ctx
    return (_rotate(dy, cos, -sin),)
