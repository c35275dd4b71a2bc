"""Gradient descent in its three flavours (catalog §4, docs/notes.md): the mini-batch partition,
and the two regression losses of the notes' worked examples with their gradients.

Batch, mini-batch and stochastic gradient descent differ only in which examples one
update sees: the whole set, a batch of the partition, or one example [000][002][003]. So
the losses below take whatever examples they are given, and a training loop picks them
with mini_batches (batch_size = m is batch GD, 1 is SGD).
"""

from __future__ import annotations

import numpy as np

from ._checks import require_float, require_positive, require_same_dtype, require_shape
from .losses import mse_backward, mse_forward


def _require_permutation(order, m):
    if not isinstance(order, np.ndarray) or order.dtype.kind not in "iu":
        raise TypeError(f"order: expected an integer numpy.ndarray, got "
                        f"{getattr(order, 'dtype', type(order).__name__)}")
    if order.shape != (m,) or not np.array_equal(np.sort(order), np.arange(m)):
        raise ValueError(f"order: expected a permutation of range({m}) (one entry per "
                         f"example), got {order!r}")


def mini_batches_forward(x, y, order=None, batch_size=64, rng=None):
    """Shuffle (x, y) together and split them into mini-batches [003]: row k of the
    shuffled set is example order[k], and it falls in batch k // batch_size, so every
    example is in exactly one batch and the last batch keeps the m mod batch_size left
    over. order None draws rng.permutation(m) from rng, a numpy.random.Generator (None: a
    fresh unseeded one). x (m, ...) and y (m, ...) have one example per row; returns the
    shuffled x, the shuffled y and batch (m,) int64, the batch of each shuffled row."""
    require_float("x", x)
    if x.ndim == 0:
        raise ValueError("x: expected examples (m, ...), got a 0-d array")
    m = x.shape[0]
    y = np.asarray(y)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"y: expected integer labels or float targets, got {y.dtype}")
    if y.ndim == 0 or y.shape[0] != m:
        raise ValueError(f"y: expected {m} rows (one per example of x), got shape {y.shape}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise TypeError(f"batch_size: expected a positive int, got {type(batch_size).__name__}")
    require_positive("batch_size", batch_size)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    if order is None:
        order = (np.random.default_rng() if rng is None else rng).permutation(m)
    _require_permutation(order, m)
    batch = np.arange(m, dtype=np.int64) // int(batch_size)
    return (x[order], y[order], batch), None


def _require_scalar(name, value, like):
    """A 0-d parameter; a NumPy scalar (what arithmetic on a 0-d array returns) is taken
    as the 0-d array it came from."""
    value = np.asarray(value) if isinstance(value, np.floating) else value
    require_float(name, value)
    require_same_dtype(name, value, like, "x")
    require_shape(name, value, (), " (a 0-d parameter)")
    return value


def _require_targets(y, shape):
    """Float targets y of the prediction's shape (cast to its dtype, as a loss's are)."""
    require_float("y", y)
    require_shape("y", y, shape, " (one target per prediction)")


def linear_regression_forward(w, b, x, y):
    """The notes' worked example's loss [002]: ŷ = w x + b and L(w, b) = 1/N Σ (ŷ_i - y_i)²
    over the N examples given, w and b 0-d, x and y (N,)."""
    require_float("x", x)
    w = _require_scalar("w", w, x)
    b = _require_scalar("b", b, x)
    _require_targets(y, x.shape)
    loss, ctx = mse_forward(w * x + b, y)
    return loss, (x, ctx)


def linear_regression_backward(dy, ctx):
    """∇L(w) = Σ_i (2/N)(ŷ_i - y_i) x_i and ∇L(b) = Σ_i (2/N)(ŷ_i - y_i): the per-example
    gradients of the worked example, summed [002]. With N = 1 they are SGD's 2(ŷ - y)x."""
    x, mse_ctx = ctx
    (dpred,) = mse_backward(dy, mse_ctx)
    return np.asarray(np.sum(dpred * x), x.dtype), np.asarray(np.sum(dpred), x.dtype)


def least_squares_forward(theta, x, y):
    """Linear regression in matrix form [002]: J(θ) = ½ (Xθ - Y)ᵀ(Xθ - Y) with X (m, n),
    one example per row, θ (n,) or (n, k) and Y of Xθ's shape."""
    require_float("x", x)
    if x.ndim != 2:
        raise ValueError(f"x: expected examples (m, n), got shape {x.shape}")
    require_float("theta", theta)
    require_same_dtype("theta", theta, x, "x")
    if theta.ndim not in (1, 2) or theta.shape[0] != x.shape[1]:
        raise ValueError(f"theta: expected (n,) or (n, k) with n = x.shape[1] = {x.shape[1]}, "
                         f"got shape {theta.shape}")
    _require_targets(y, (x.shape[0], *theta.shape[1:]))
    loss, ctx = mse_forward(x @ theta, y, reduction="sum")
    return np.asarray(loss * 0.5, x.dtype), (x, ctx)


def least_squares_backward(dy, ctx):
    """∂J/∂θ = Xᵀ(Xθ - Y) [002] (the loss's ½ cancels the square's 2)."""
    x, mse_ctx = ctx
    (dpred,) = mse_backward(dy * 0.5, mse_ctx)
    return (x.T @ dpred,)
