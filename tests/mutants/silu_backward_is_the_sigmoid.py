"""silu's backward returns dy·σ(x), the gate's value, where (x·σ(x))' = σ(x)(1 + x(1 -
σ(x))). The forward is right (its invariant passes); torch's and the numeric gradients
are not."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "silu", ("backward_torch", "backward_numeric")

silu_forward = impl.silu_forward


def silu_backward(dy, ctx):
    x, s = ctx
    return (dy * s,)  # the bug: σ(x), the gate's value, not (x·σ(x))' = σ(1 + x(1 - σ))
