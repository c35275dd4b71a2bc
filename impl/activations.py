"""Activations (catalog §1, docs/notes.md), forward and hand-written backward in NumPy.

Every op keeps the input's dtype (hyperparameters are turned into Python floats, which
NumPy does not promote), returns fresh arrays and never overflows: exponentials are only
ever taken of non-positive numbers.
"""

from __future__ import annotations

import numpy as np

from ._blocks import in_blocks
from ._checks import hyper_float, require_float, require_same_dtype

# --- threshold units ---------------------------------------------------------------------


def step_forward(x):
    """M-P neuron [000]: 1 if x > 0 else 0, in x's dtype (so step(0) = 0)."""
    require_float("x", x)
    return (x > 0).astype(x.dtype), None


def step_backward(dy, ctx):
    """The derivative is 0 almost everywhere (and taken as 0 at the jump)."""
    return (np.zeros_like(dy),)


def sign_forward(x):
    """Perceptron output [002]: sign(x), with sign(0) = 0."""
    require_float("x", x)
    return np.sign(x), None


def sign_backward(dy, ctx):
    """The derivative is 0 almost everywhere (and taken as 0 at the jump)."""
    return (np.zeros_like(dy),)


# --- smooth squashing functions ----------------------------------------------------------


def sigmoid_forward(x):
    """σ(x) = 1/(1 + e^-x) [000][002][004].

    Two branches on e = e^-|x| ∈ (0, 1]: 1/(1 + e) for x ≥ 0 and e/(1 + e) = σ(x) for
    x < 0, so e^-x is never formed for large negative x (finite, no overflow at ±1e4).
    The numerator, 1 or e, is picked by arithmetic on the 0/1 sign mask (e·m + (1 - m),
    exact) rather than np.where, whose branches on a random sign ran 2x slower. Seven
    operations, so it runs on cache-sized blocks (impl/_blocks.py)."""
    require_float("x", x)

    def rule(x):
        e = np.exp(-np.abs(x))
        negative = (x < 0).astype(x.dtype)
        return ((e * negative + (1 - negative)) / (1 + e),)

    (y,) = in_blocks(rule, x)
    return y, y


def sigmoid_backward(dy, y):
    """σ' = σ(1 - σ), from the saved output."""
    return in_blocks(lambda dy, y: (dy * y * (1 - y),), dy, y)


def tanh_forward(x):
    """tanh(x) [000][002][004]; NumPy's tanh saturates to ±1 without overflow."""
    require_float("x", x)
    y = np.tanh(x)
    return y, y


def tanh_backward(dy, y):
    """tanh' = 1 - tanh², from the saved output."""
    return in_blocks(lambda dy, y: (dy * (1 - y * y),), dy, y)


# --- rectifiers --------------------------------------------------------------------------


def relu_forward(x):
    """max(x, 0) [000][002][003]. Convention at the kink (torch's): relu'(0) = 0."""
    require_float("x", x)
    return np.maximum(x, 0), x > 0  # np.maximum lets NaN through, like torch


def relu_backward(dy, positive):
    """dy where x > 0, else 0 (x == 0 included): dy·[x > 0], a product (np.where's
    branches on a random sign ran 7x slower). Only where a non-finite dy meets x ≤ 0 does
    the product differ (0·inf is NaN): then the select, which gives 0 there."""

    def rule(dy, positive):
        with np.errstate(invalid="ignore"):  # 0·inf: the select below answers it
            dx = dy * positive
        return (dx if np.isfinite(dx).all() else np.where(positive, dy, 0),)

    return in_blocks(rule, dy, positive)


def leaky_relu_forward(x, negative_slope=0.01):
    """x if x > 0 else negative_slope·x [004]. At 0 the derivative is negative_slope
    (torch's convention)."""
    require_float("x", x)
    slope = hyper_float("negative_slope", negative_slope, "a number")  # never promotes
    # max(x, 0) + slope·min(x, 0): the same values as a where on x > 0, without its
    # branches on a random sign (2.5x slower)
    y, positive = in_blocks(lambda x: (np.maximum(x, 0) + slope * np.minimum(x, 0), x > 0), x)
    return y, (positive, slope)


def leaky_relu_backward(dy, ctx):
    """dy·(1 if x > 0 else slope), the factor made by arithmetic on the 0/1 mask p:
    slope·(1 - p) + p is exactly 1 or slope (and dy·1, dy·slope are what a select gives,
    infinities included), without np.where's branches on a random sign."""
    positive, slope = ctx

    def rule(dy, positive):
        p = positive.astype(dy.dtype)
        return (dy * (slope * (1 - p) + p),)

    return in_blocks(rule, dy, positive)


def prelu_forward(x, a):
    """leaky_relu with a learned slope [004]: x if x > 0 else a·x.

    `a` has shape (1,) (one slope shared by every element) or (C,) with C = x.shape[1], one
    slope per channel on axis 1 (torch.nn.functional.prelu). A 1-D x has no channel axis,
    so its `a` has shape (1,)."""
    require_float("x", x)
    require_float("a", a)
    require_same_dtype("a", a, x, "x")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if a.ndim != 1 or a.shape[0] not in (1, channels):
        raise ValueError(f"a: expected shape (1,) or ({channels},) (x.shape[1] channels), "
                         f"got {a.shape}")
    if a.shape[0] > 1:  # per channel: line a up with axis 1
        slope = a.reshape((-1,) + (1,) * (x.ndim - 2))
    else:
        slope = a.reshape(())
    positive = x > 0
    return np.where(positive, x, slope * x), (x, positive, slope, a.shape)


def prelu_backward(dy, ctx):
    """dx = dy or a·dy; da = Σ x·dy over x ≤ 0, summed over every axis but the channel
    axis (every axis when a is shared), since one slope serves all those elements."""
    x, positive, slope, a_shape = ctx
    dx = np.where(positive, dy, slope * dy)
    contribution = np.where(positive, 0, x * dy)
    per_channel = a_shape[0] > 1
    axes = tuple(i for i in range(x.ndim) if not (per_channel and i == 1))
    return dx, contribution.sum(axis=axes).reshape(a_shape)


def identity_forward(x):
    """y = x, the linear output unit of regression [000][001][003] (a copy)."""
    require_float("x", x)
    return x.copy(), None


def identity_backward(dy, ctx):
    return (dy.copy(),)


# --- normalised exponentials -------------------------------------------------------------


def _axis(x, axis):
    """Validate x and the axis to normalise along (negative counts from the end)."""
    require_float("x", x)
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis: expected an int, got {type(axis).__name__}")
    if x.ndim == 0:
        raise ValueError("x: expected at least one axis to normalise along, got a 0-d array")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis: expected an axis of x's {x.ndim} dims, got {axis}")


def softmax_forward(x, axis=-1):
    """exp(x_k)/Σ_q exp(x_q) along `axis` [000][004].

    The row maximum is subtracted first: softmax is unchanged by a constant shift, and
    every exponent is then ≤ 0, so logits of ±1e4 neither overflow nor give 0/0. An empty
    x gives an empty y, as in torch (a max over an empty axis has no value)."""
    _axis(x, axis)
    if x.size == 0:
        p = x.copy()
        return p, (p, axis)

    p = x - x.max(axis=axis, keepdims=True)
    np.exp(p, out=p)  # in place: one buffer per call, not three
    p /= p.sum(axis=axis, keepdims=True)
    return p, (p, axis)


def softmax_backward(dy, ctx):
    """Jᵀdy with J = diag(p) - ppᵀ [004], row by row: p·(dy - Σ dy·p)."""
    p, axis = ctx
    return (p * (dy - (dy * p).sum(axis=axis, keepdims=True)),)


def log_softmax_forward(x, axis=-1):
    """x_k - log Σ_q exp(x_q), as (x - max) - log Σ exp(x - max): the sum is ≥ 1, so the
    log is finite, and no exponent is positive. An empty x gives an empty y, as in torch."""
    _axis(x, axis)
    if x.size == 0:
        y = x.copy()
        return y, (y, axis)
    shifted = x - x.max(axis=axis, keepdims=True)
    y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return y, (y, axis)


def log_softmax_backward(dy, ctx):
    """dx = dy - softmax·Σ dy, with softmax = exp(y) (y ≤ 0: no overflow)."""
    y, axis = ctx
    return (dy - np.exp(y) * dy.sum(axis=axis, keepdims=True),)


# --- maxout ------------------------------------------------------------------------------


def maxout_forward(x, pieces=2):
    """The max over each group of `pieces` consecutive units of the last axis [002]:
    x (..., C·pieces) -> y (..., C), y[..., c] = max x[..., c·pieces:(c+1)·pieces].

    Ties: the first maximum of a group is the one that gets the gradient (torch's max)."""
    require_float("x", x)
    if isinstance(pieces, bool) or not isinstance(pieces, int | np.integer):
        raise TypeError(f"pieces: expected a positive int, got {type(pieces).__name__}")
    if pieces < 1:
        raise ValueError(f"pieces: expected a positive integer, got {pieces}")
    if x.ndim == 0 or x.shape[-1] % pieces:
        raise ValueError(f"x: last axis ({x.shape[-1] if x.ndim else 'none'}) must be "
                         f"divisible by pieces={pieces}")
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces)
    winner = groups.argmax(axis=-1)  # argmax returns the first maximum
    return groups.max(axis=-1), (winner, pieces, x.shape)


def maxout_backward(dy, ctx):
    """dy goes to the winning piece of each group; the others get 0."""
    winner, pieces, shape = ctx
    is_winner = np.arange(pieces) == winner[..., None]
    return (np.where(is_winner, dy[..., None], 0).reshape(shape),)
