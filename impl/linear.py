"""The fully connected layer (catalog §2, docs/notes.md), forward and hand-written backward."""

from __future__ import annotations

from ._checks import require_float, require_same_dtype, require_shape


def linear_forward(x, w, b=None):
    """y = x Wᵀ + b [002][003]: W is (out, in), "output index first", so for one column
    a, z = W a + b; rows of x (..., in) give y (..., out). b is (out,) or None."""
    require_float("x", x)
    require_float("w", w)
    require_same_dtype("w", w, x, "x")
    if w.ndim != 2:
        raise ValueError(f"w: expected shape (out, in), got {w.shape}")
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"x: last axis must be in = w.shape[1] = {w.shape[1]}, "
                         f"got shape {x.shape}")
    y = x @ w.T
    if b is not None:
        require_float("b", b)
        require_same_dtype("b", b, x, "x")
        require_shape("b", b, (w.shape[0],), " (out = w.shape[0])")
        y = y + b
    return y, (x, w, b is not None)


def linear_backward(dy, ctx):
    """dx = dy W; dW = dyᵀ x and db = Σ dy, both summed over every leading axis (each row
    of x is one more example using the same W and b). db is None when b was None."""
    x, w, has_bias = ctx
    rows_dy = dy.reshape(-1, w.shape[0])  # (examples, out)
    rows_x = x.reshape(-1, w.shape[1])  # (examples, in)
    dx = dy @ w
    dw = rows_dy.T @ rows_x
    db = rows_dy.sum(axis=0) if has_bias else None
    return dx, dw, db
