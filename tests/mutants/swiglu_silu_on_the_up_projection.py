"""swiglu puts the SiLU on x W₃ᵀ and multiplies by x W₁ᵀ (gate and up projections
swapped), where the contract and the Llama MLP gate with W₁. Forward and backward agree
(the gradients follow the swap), so the numeric check passes; torch's outputs and
gradients do not, nor does the invariant that builds swiglu from silu and linear, and
the special values are compared with torch too."""

from nnconform.impl import *  # noqa: F403
from nnconform.impl.transformer import _swiglu_rows, silu_backward, silu_forward

OP, CAUGHT_BY = "swiglu", ("forward", "backward_torch", "invariants", "robustness")


def swiglu_forward(x, w1, w3):
    rows = _swiglu_rows(x, w1, w3)
    gate, up = rows @ w3.T, rows @ w1.T  # the bug: W₃ taken for the gate, W₁ for the up
    silu, (_, s) = silu_forward(gate)
    y = silu * up
    return y.reshape(*x.shape[:-1], w1.shape[0]), (rows, w1, w3, gate, s, silu, up, x.shape)


def swiglu_backward(dy, ctx):
    rows, w1, w3, gate, s, silu, up, x_shape = ctx
    dy = dy.reshape(-1, w1.shape[0])
    (dgate,) = silu_backward(dy * up, (gate, s))
    dup = dy * silu
    dx = dgate @ w3 + dup @ w1
    return dx.reshape(x_shape), dup.T @ rows, dgate.T @ rows
