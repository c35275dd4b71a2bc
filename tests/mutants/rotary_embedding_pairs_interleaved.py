"""rotary_embedding rotates the interleaved pairs (x[2i], x[2i + 1]) (Meta's Llama
reference, GPT-J, torchtune) instead of the contract's half-split pairs (x[i],
x[i + D/2]): a legitimate layout convention. It is still a rotation by p·θ_i, so the
numeric check and the invariants (norms kept, scores depending on the offset only,
position 0 the identity) pass; torch's outputs and gradients, special values included,
do not, and the report says the convention explains it."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl._checks import hyper_float, require_float
from nnconform.impl.transformer import rotary_angles

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
    require_float("x", x)
    if x.ndim != 4 or x.shape[-1] % 2:
        raise ValueError(f"x: expected shape (B, H, S, D) with D even, got {x.shape}")
    if not isinstance(positions, np.ndarray) or positions.dtype.kind not in "iu":
        raise TypeError(f"positions: expected an integer numpy.ndarray, got "
                        f"{getattr(positions, 'dtype', type(positions).__name__)}")
    if positions.shape != (x.shape[2],):
        raise ValueError(f"positions: expected shape ({x.shape[2]},) (one per row of x's "
                         f"axis 2), got {positions.shape}")
    base = hyper_float("base", base, "a number > 1")
    if not base > 1:
        raise ValueError(f"base: expected a number > 1, got {base!r}")
    cos, sin = (a.astype(x.dtype) for a in rotary_angles(positions, x.shape[-1], base))
    return _rotate(x, cos, sin), (cos, sin)


def rotary_embedding_backward(dy, ctx):
    cos, sin = ctx
    return (_rotate(dy, cos, -sin),)
