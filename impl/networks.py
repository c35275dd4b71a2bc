"""A whole network (catalog §5, docs/notes.md): a two-layer perceptron and its loss, composed from
this package's own layers, so its backward is backpropagation through them [000][002].

Nothing is derived anew here: the forward chains linear, the hidden activation, linear,
the fused sigmoid + binary cross-entropy and the L2 penalty, and the backward calls their
backwards in reverse order, δ^l = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^l) [002].
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    non_negative,
    require_choice,
    require_float,
    require_same_dtype,
    require_shape,
)
from .activations import sigmoid_backward, sigmoid_forward, tanh_backward, tanh_forward
from .linear import linear_backward, linear_forward
from .losses import (
    binary_cross_entropy_with_logits_backward,
    binary_cross_entropy_with_logits_forward,
    l2_penalty_backward,
    l2_penalty_forward,
)

ACTIVATIONS = {"sigmoid": (sigmoid_forward, sigmoid_backward),
               "tanh": (tanh_forward, tanh_backward)}


def _require_shapes(x, w1, b1, w2, b2, target):
    """x (m, in), W1 (hidden, in), b1 (hidden,), W2 (out, hidden), b2 (out,), all of x's
    float dtype, and a float target (m, out)."""
    require_float("x", x)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x: expected examples (m, in) with m ≥ 1, got shape {x.shape}")
    for name, array in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)):
        require_float(name, array)
        require_same_dtype(name, array, x, "x")
    if w1.ndim != 2 or w1.shape[1] != x.shape[1]:
        raise ValueError(f"w1: expected (hidden, in) with in = x.shape[1] = {x.shape[1]}, "
                         f"got shape {w1.shape}")
    require_shape("b1", b1, w1.shape[:1], " (hidden = w1.shape[0])")
    if w2.ndim != 2 or w2.shape[1] != w1.shape[0]:
        raise ValueError(f"w2: expected (out, hidden) with hidden = w1.shape[0] = "
                         f"{w1.shape[0]}, got shape {w2.shape}")
    require_shape("b2", b2, w2.shape[:1], " (out = w2.shape[0])")
    require_float("target", target)
    require_shape("target", target, (x.shape[0], w2.shape[0]), " (m = x.shape[0], out)")


def mlp_forward(x, w1, b1, w2, b2, target, activation="sigmoid", lam=0.0):
    """The loss of a two-layer perceptron on a batch [000][002][003]:
    a1 = f(x W1ᵀ + b1), z2 = a1 W2ᵀ + b2, J = BCE(σ(z2), target) + λ/(2m)(‖W1‖² + ‖W2‖²)
    with f the hidden activation ("sigmoid" or "tanh"), the BCE the mean over every output
    and m the number of examples. x (m, in), W1 (hidden, in), W2 (out, hidden), target
    (m, out) of values in [0, 1]; J is 0-d."""
    _require_shapes(x, w1, b1, w2, b2, target)
    require_choice("activation", activation, tuple(ACTIVATIONS))
    lam = non_negative("lam", lam)
    act_forward, _ = ACTIVATIONS[activation]
    z1, layer1 = linear_forward(x, w1, b1)
    a1, hidden = act_forward(z1)
    z2, layer2 = linear_forward(a1, w2, b2)
    loss, output = binary_cross_entropy_with_logits_forward(z2, target)
    penalties = None
    if lam:
        m = x.shape[0]
        p1, penalty1 = l2_penalty_forward(w1, lam, m)
        p2, penalty2 = l2_penalty_forward(w2, lam, m)
        loss = loss + p1 + p2
        penalties = (penalty1, penalty2)
    ctx = (activation, layer1, hidden, layer2, output, penalties)
    return np.asarray(loss, x.dtype), ctx


def mlp_backward(dloss, ctx):
    """Backpropagation: the output's δ = σ(z2) - target (over the mean), then each layer's
    backward in reverse; with L2 each weight's gradient gains λ/m · W [002].
    Returns (dx, dW1, db1, dW2, db2)."""
    activation, layer1, hidden, layer2, output, penalties = ctx
    _, act_backward = ACTIVATIONS[activation]
    (dz2,) = binary_cross_entropy_with_logits_backward(dloss, output)
    da1, dw2, db2 = linear_backward(dz2, layer2)
    (dz1,) = act_backward(da1, hidden)
    dx, dw1, db1 = linear_backward(dz1, layer1)
    if penalties is not None:
        dw1 = dw1 + l2_penalty_backward(dloss, penalties[0])[0]
        dw2 = dw2 + l2_penalty_backward(dloss, penalties[1])[0]
    return dx, dw1, db1, dw2, db2
