"""temporal_affine's backward loops over the time steps and assigns dW = dy_tᵀ x_t and
db = Σ_n dy_t at each one instead of adding them up: only the last step's gradient is
left. With T = 1 it is right."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "temporal_affine", ("backward_torch", "backward_numeric", "invariants")

temporal_affine_forward = impl.temporal_affine_forward


def temporal_affine_backward(dy, ctx):
    x, w = ctx
    for step in range(x.shape[0]):
        dw = dy[step].T @ x[step]  # the bug: = where += belongs
        db = dy[step].sum(axis=0)
    return dy @ w, dw, db
