"""Losses and weight penalties (catalog §3, docs/notes.md), forward and hand-written backward.

A loss is a 0-d array of the prediction's dtype. Targets are data: they are cast to the
prediction's dtype (never the other way round) and get no gradient, so every backward
returns the 1-tuple (d_pred,). `dy`, the upstream gradient, is a 0-d array and scales the
whole gradient.
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    hyper_float,
    non_negative,
    require_choice,
    require_float,
    require_positive,
    require_shape,
)
from .activations import log_softmax_forward, sigmoid_forward

LOG_FLOOR = -100.0  # torch clamps each log of binary_cross_entropy here: finite at p = 0, 1
# torch's floor on p(1 - p) in the BCE gradient: 1e-12 held in a C float, in every dtype.
GRAD_EPS = float(np.float32(1e-12))


def _scale(n: int, reduction: str, allowed=("mean", "sum")) -> float:
    """The factor in front of Σ over n terms: "mean" 1/n [004], "sum" 1 [000], "half"
    1/(2n) [002]. A Python float, so it never promotes float32; 0/0 is NaN like torch."""
    require_choice("reduction", reduction, allowed)
    if reduction == "sum":
        return 1.0
    per_term = 1.0 / n if n else float("nan")
    return per_term / 2 if reduction == "half" else per_term


def _loss(value, like: np.ndarray) -> np.ndarray:
    return np.asarray(value, dtype=like.dtype)


def _target(target, pred: np.ndarray, name: str = "target") -> np.ndarray:
    """Float targets of pred's shape, cast to pred's dtype (a float32 loss stays float32)."""
    target = np.asarray(target)
    if target.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating dtype, got {target.dtype}")
    require_shape(name, target, pred.shape, " (the prediction's)")
    return target.astype(pred.dtype, copy=False)


# --- regression ----------------------------------------------------------------------------


def mse_forward(pred, target, reduction="mean"):
    """Squared error Σ (pred - target)² scaled by the reduction: "mean" 1/n [004], "sum"
    [000], "half" 1/(2n), i.e. J = 1/(2m) Σ (h - y)² [002]."""
    require_float("pred", pred)
    scale = _scale(pred.size, reduction, ("mean", "sum", "half"))
    diff = pred - _target(target, pred)
    return _loss(scale * np.sum(diff * diff), pred), (diff, scale)


def mse_backward(dy, ctx):
    """d/d pred = 2·scale·(pred - target)."""
    diff, scale = ctx
    return (dy * (2 * scale) * diff,)


# --- binary classification -----------------------------------------------------------------


def binary_cross_entropy_forward(pred, target, reduction="mean"):
    """-[t·log p + (1 - t)·log(1 - p)] per element [003][004], "mean" or "sum"; pred holds
    the probabilities p.

    Each log is clamped at -100 (torch's convention), so p exactly 0 or 1 gives a finite
    loss. The log is only evaluated where its argument is positive (-100 elsewhere), so
    log(0) is never computed; log1p(-p) keeps log(1 - p) accurate for small p."""
    p = require_float("pred", pred)
    if not np.all((p >= 0) & (p <= 1)):  # NaN is no probability either (torch agrees)
        raise ValueError("pred: expected probabilities in [0, 1]")
    scale = _scale(p.size, reduction)
    t = _target(target, p)
    log_p = np.maximum(np.log(p, out=np.full_like(p, LOG_FLOOR), where=p > 0), LOG_FLOOR)
    log_q = np.maximum(np.log1p(-p, out=np.full_like(p, LOG_FLOOR), where=p < 1), LOG_FLOOR)
    terms = -(t * log_p + (1 - t) * log_q)
    return _loss(scale * np.sum(terms), p), (p, t, scale)


def binary_cross_entropy_backward(dy, ctx):
    """torch's gradient (p - t)/max(p(1 - p), 1e-12): the exact derivative
    -(t/p - (1 - t)/(1 - p)) inside (0, 1), finite at p = 0 and 1."""
    p, t, scale = ctx
    return (dy * scale * (p - t) / np.maximum(p * (1 - p), GRAD_EPS),)


def binary_cross_entropy_with_logits_forward(pred, target, reduction="mean"):
    """BCE(σ(z), t) fused, for logits z = pred: max(z, 0) - z·t + log(1 + e^-|z|).

    Equal to the BCE of σ(z) but never forms σ(z), 1 - σ(z) or e^|z|: finite and without
    overflow at z = ±1e4."""
    z = require_float("pred", pred)
    scale = _scale(z.size, reduction)
    t = _target(target, z)
    terms = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
    return _loss(scale * np.sum(terms), z), (z, t, scale)


def binary_cross_entropy_with_logits_backward(dy, ctx):
    """d/dz = σ(z) - t: the σ' of the chain rule cancels the loss's 1/(σ(1 - σ)) [002][003]."""
    z, t, scale = ctx
    return (dy * scale * (sigmoid_forward(z)[0] - t),)


# --- multiclass ----------------------------------------------------------------------------


def _class_matrix(logits: np.ndarray, target) -> np.ndarray:
    """Y (N, C) in the logits' dtype: one-hot rows for integer class indices (N,), or the
    given probability rows (N, C)."""
    target = np.asarray(target)
    n, classes = logits.shape
    if target.dtype.kind in "iu":
        require_shape("target", target, (n,), " (class indices, one per row of pred)")
        if np.any((target < 0) | (target >= classes)):
            raise ValueError(f"target: class indices must lie in [0, {classes})")
        return np.eye(classes, dtype=logits.dtype)[target]
    if target.dtype.kind == "f":
        require_shape("target", target, (n, classes), " (class probabilities, like pred)")
        return target.astype(logits.dtype, copy=False)
    raise TypeError(f"target: expected integer class indices or float probabilities, "
                    f"got dtype {target.dtype}")


def cross_entropy_forward(pred, target, reduction="mean"):
    """-Σ_i Σ_j Y_ij log softmax(z)_ij [004] for logits z = pred (N, C), "mean" dividing by
    N (per example, not per element) and "sum" [000]. Y: one-hot rows of integer indices
    or probability rows.

    Built on the max-shifted log_softmax, so logits of ±1e4 stay finite."""
    logits = require_float("pred", pred)
    if logits.ndim != 2:
        raise ValueError(f"pred: expected logits of shape (N, C), got {logits.shape}")
    scale = _scale(logits.shape[0], reduction)
    y = _class_matrix(logits, target)
    log_p, _ = log_softmax_forward(logits, axis=1)
    return _loss(-scale * np.sum(y * log_p), logits), (log_p, y, scale)


def cross_entropy_backward(dy, ctx):
    """d/dz = softmax(z)·Σ_j Y_ij - Y, i.e. softmax(z) - Y when rows of Y sum to 1."""
    log_p, y, scale = ctx
    p = np.exp(log_p)  # log_p ≤ 0: no overflow
    return (dy * scale * (p * y.sum(axis=1, keepdims=True) - y),)


def multiclass_hinge_forward(scores, target, margin=1.0, reduction="mean"):
    """The multiclass SVM loss (CS231n's svm_loss): L_i = Σ_{j≠y_i} max(0, s_j - s_{y_i} +
    margin) for scores (N, C) and class indices y (N,), "mean" over the N examples or
    "sum". Only margins > 0 count: one of exactly 0 adds nothing to the loss or the
    gradient, and a NaN one is not > 0 either (torch's multi_margin_loss does both)."""
    s = require_float("scores", scores)
    if s.ndim != 2:
        raise ValueError(f"scores: expected shape (N, C), got {s.shape}")
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"target: expected integer class indices, got dtype {target.dtype}")
    require_shape("target", target, (s.shape[0],), " (class indices, one per row of scores)")
    if np.any((target < 0) | (target >= s.shape[1])):
        raise ValueError(f"target: class indices must lie in [0, {s.shape[1]})")
    margin = hyper_float("margin", margin, "a number")
    scale = _scale(s.shape[0], reduction)
    rows = np.arange(s.shape[0])
    margins = (margin - s[rows, target])[:, None] + s  # torch's order: margin - s_y + s_j
    counted = margins > 0
    counted[rows, target] = False  # j = y_i is not a term
    return _loss(scale * np.sum(margins, where=counted), s), (counted, target, scale)


def multiclass_hinge_backward(dy, ctx):
    """d/ds_j = 1 for each counted margin j, and d/ds_{y_i} = -(the number counted in row
    i) (CS231n's svm_loss_vectorized), times the reduction's scale."""
    counted, target, scale = ctx
    grad = counted.astype(dy.dtype)
    grad[np.arange(len(target)), target] = -grad.sum(axis=1)
    return (dy * scale * grad,)


# --- weight penalties ----------------------------------------------------------------------


def l2_penalty_forward(w, lam=0.01, m=1):
    """λ/(2m) ‖W‖²_F, "weight decay" [003]."""
    require_float("w", w)
    require_positive("m", m)
    scale = non_negative("lam", lam) / float(m)  # Python floats: no promotion of float32
    return _loss(scale / 2 * np.sum(w * w), w), (w, scale)


def l2_penalty_backward(dy, ctx):
    """d/dW = λ/m · W [002]."""
    w, scale = ctx
    return (dy * scale * w,)


def l1_penalty_forward(w, lam=0.01, m=1):
    """λ/m Σ |w|, which drives weights to exactly 0 [003]."""
    require_float("w", w)
    require_positive("m", m)
    scale = non_negative("lam", lam) / float(m)
    return _loss(scale * np.sum(np.abs(w)), w), (w, scale)


def l1_penalty_backward(dy, ctx):
    """d/dw = λ/m · sign(w); the subgradient at w = 0 is taken as 0."""
    w, scale = ctx
    return (dy * scale * np.sign(w),)
