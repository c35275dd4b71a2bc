"""rotary_embedding's backward rotates dy by +a, as the forward does, where the transpose
of a rotation is the rotation by -a: dx = R(a) dy instead of R(-a) dy. The forward
passes (invariants too); torch's and the numeric gradients do not, except at position
0 where the angle is 0."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403
from nnconform.impl.transformer import _rotate

OP, CAUGHT_BY = "rotary_embedding", ("backward_torch", "backward_numeric")

rotary_embedding_forward = impl.rotary_embedding_forward


def rotary_embedding_backward(dy, ctx):
    cos, sin = ctx
    return (_rotate(dy, cos, sin),)  # the bug: R(a) dy, where the transpose is R(-a)
