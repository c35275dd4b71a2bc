"""The closed-form oracle: the study notes' formulas, transcribed directly in NumPy float64.

``FORWARD[name](*arrays, **hyper)`` is the op's output and ``BACKWARD[name](dy, *arrays,
**hyper)`` the tuple of its gradients, one per differentiable input (targets of losses are
data: a loss has one gradient, for its prediction). Each is the textbook formula of the
note cited beside it ([000]..[004]), written independently of any implementation. The
named claims below (``sigmoid_derivative``, ``softmax_jacobian``, ``compose_linear``, ...)
are the notes' statements as small functions.

Validity: these are the plain forms, not the numerically stable rewrites (no max-shift in
softmax, e^-x in sigmoid). They are meant for moderate inputs, |x| <= 30, where they are
accurate in float64; binary_cross_entropy needs p strictly inside (0, 1). Extremes are
the torch oracle's business.
"""

from __future__ import annotations

import numpy as np


def _f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _reduce(terms: np.ndarray, reduction: str, allowed=("mean", "sum")) -> np.ndarray:
    """The loss over n terms: "mean" 1/n Σ [004][003], "sum" Σ [000], "half" 1/(2n) Σ [002]."""
    return np.asarray(_reduce_scale(terms.size, reduction, allowed) * np.sum(terms))


def _reduce_scale(n: int, reduction: str, allowed=("mean", "sum", "half")) -> float:
    """The factor in front of Σ for a reduction over n terms (and so d loss / d term)."""
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got {reduction!r}")
    return {"mean": 1.0 / n, "sum": 1.0, "half": 1.0 / (2 * n)}[reduction]


# --- activations -------------------------------------------------------------------------


def step(x):
    """M-P neuron: f(u) = 1 if u > 0 else 0 [000]."""
    return np.where(_f64(x) > 0, 1.0, 0.0)


def sign(x):
    """Perceptron: y = sign(u) [002]."""
    return np.sign(_f64(x))


def sigmoid(x):
    """σ(u) = 1 / (1 + e^-u) [000][002][004]."""
    return 1.0 / (1.0 + np.exp(-_f64(x)))


def tanh(x):
    """tanh(u) = (1 - e^-2u) / (1 + e^-2u) [000][002][004]."""
    e = np.exp(-2.0 * _f64(x))
    return (1.0 - e) / (1.0 + e)


def relu(x):
    """max(u, 0) [000][002][003]."""
    return np.maximum(_f64(x), 0.0)


def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, a·x otherwise, a fixed [004]."""
    x = _f64(x)
    return np.where(x > 0, x, negative_slope * x)


def identity(x):
    """The linear output unit of regression: y = u [000][001][003]."""
    return _f64(x).copy()


def softmax(x, axis=-1):
    """y_k = exp(u_k) / Σ_q exp(u_q) [000][004] (no max-shift: moderate inputs only)."""
    e = np.exp(_f64(x))
    return e / np.sum(e, axis=axis, keepdims=True)


# --- losses and penalties ----------------------------------------------------------------


def mse(pred, target, reduction="mean"):
    """1/n Σ (ŷ - y)² [004]; Σ (ŷ - y)² [000]; "half": 1/(2m) Σ (h - y)² [002]."""
    return _reduce((_f64(pred) - _f64(target)) ** 2, reduction, ("mean", "sum", "half"))


def binary_cross_entropy(p, target, reduction="mean"):
    """-1/n Σ [y ln ŷ + (1 - y) ln(1 - ŷ)] [004][003]; the sum form [000]. p in (0, 1)."""
    p, y = _f64(p), _f64(target)
    return _reduce(-(y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)


def binary_cross_entropy_with_logits(z, target, reduction="mean"):
    """The same loss on a = σ(z) [003]: ln a = -ln(1 + e^-z) and ln(1 - a) = ln σ(-z) =
    -ln(1 + e^z), so that 1 - a is not formed by cancellation when a is near 1."""
    z, y = _f64(z), _f64(target)
    log_a, log_one_minus_a = -np.log1p(np.exp(-z)), -np.log1p(np.exp(z))
    return _reduce(-(y * log_a + (1 - y) * log_one_minus_a), reduction)


def _class_matrix(logits, target) -> np.ndarray:
    """Y (N, C): one-hot rows for integer class indices [004], else the probabilities."""
    target = np.asarray(target)
    if np.issubdtype(target.dtype, np.integer):
        return np.eye(logits.shape[1])[target]
    return _f64(target)


def cross_entropy(logits, target, reduction="mean"):
    """-1/N Σ_i Σ_j Y_ij ln Ŷ_ij with Ŷ = softmax(z) row by row [004]; sum form [000]."""
    z = _f64(logits)
    y_hat, y = softmax(z, axis=1), _class_matrix(z, target)
    scale = _reduce_scale(z.shape[0], reduction, ("mean", "sum"))  # 1/N: per example
    return np.asarray(scale * -np.sum(y * np.log(y_hat)))


def l2_penalty(w, lam=0.01, m=1):
    """λ/(2m) ‖W‖²_F, "weight decay" [003]."""
    return np.asarray(lam / (2 * m) * np.sum(_f64(w) ** 2))


def l1_penalty(w, lam=0.01, m=1):
    """λ/m Σ |w|, which makes w sparse [003]."""
    return np.asarray(lam / m * np.sum(np.abs(_f64(w))))


# --- layers ------------------------------------------------------------------------------


def linear(x, w, b=None):
    """z = W a + b with W out × in, "output index first" [002][003]; for rows of x:
    x Wᵀ + b."""
    z = _f64(x) @ _f64(w).T
    return z if b is None else z + _f64(b)


FORWARD = {
    "step": step, "sign": sign, "sigmoid": sigmoid, "tanh": tanh, "relu": relu,
    "leaky_relu": leaky_relu, "identity": identity, "softmax": softmax, "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy, "l2_penalty": l2_penalty, "l1_penalty": l1_penalty,
    "linear": linear,
}


# --- the notes' derivatives --------------------------------------------------------------


def sigmoid_derivative(x):
    """σ'(u) = f(u)(1 - f(u)) [000][002][004]."""
    f = sigmoid(x)
    return f * (1 - f)


def tanh_derivative(x):
    """tanh'(u) = 1 - f(u)² [000][002][004]."""
    return 1 - tanh(x) ** 2


SIGMOID_DERIVATIVE_MAX = (0.0, 0.25)
"""(argmax, max) of σ': σ'(0) = 1/4, so each sigmoid layer scales a gradient by at most a
quarter [002][004]."""

TANH_DERIVATIVE_MAX = (0.0, 1.0)
"""(argmax, max) of tanh': tanh'(0) = 1 [004]."""


def softmax_jacobian(p):
    """∂p_i/∂u_j = p_i(δ_ij - p_j): the Jacobian diag(p) - ppᵀ of a softmax row p [004]."""
    p = _f64(p)
    return np.diag(p) - np.outer(p, p)


def _softmax_backward(dy, x, axis=-1):
    """Jᵀ dy row by row, J = diag(p) - ppᵀ for each row p along `axis` [004]."""
    p = np.moveaxis(softmax(x, axis=axis), axis, -1)
    dy = np.moveaxis(_f64(dy), axis, -1)
    rows_p, rows_dy = p.reshape(-1, p.shape[-1]), dy.reshape(-1, p.shape[-1])
    dx = np.stack([softmax_jacobian(row).T @ g for row, g in zip(rows_p, rows_dy, strict=True)])
    return (np.moveaxis(dx.reshape(p.shape), -1, axis),)


def _bce_backward(dy, p, target, reduction="mean"):
    """∂/∂ŷ of -[y ln ŷ + (1 - y) ln(1 - ŷ)] = -(y/ŷ - (1 - y)/(1 - ŷ)) [003][004]."""
    p, y = _f64(p), _f64(target)
    scale = _reduce_scale(p.size, reduction, ("mean", "sum"))
    return (_f64(dy) * scale * -(y / p - (1 - y) / (1 - p)),)


def _bce_with_logits_backward(dy, z, target, reduction="mean"):
    """With a sigmoid output the gradient w.r.t. the logit is a - y: the σ' of the chain
    rule cancels against the loss's 1/(a(1-a)) ("no σ' term" [002][003])."""
    z, y = _f64(z), _f64(target)
    return (_f64(dy) * _reduce_scale(z.size, reduction, ("mean", "sum")) * (sigmoid(z) - y),)


def _cross_entropy_backward(dy, logits, target, reduction="mean"):
    """softmax + cross-entropy: ∂L/∂z = Ŷ - Y, one-hot Y or probability rows summing to
    1 [003][004]; / N for the mean."""
    z = _f64(logits)
    scale = _reduce_scale(z.shape[0], reduction, ("mean", "sum"))
    return (_f64(dy) * scale * (softmax(z, axis=1) - _class_matrix(z, target)),)


def _linear_backward(dy, x, w, b=None):
    """dx = dy W, dW = dyᵀ x, db = Σ dy over the examples [002]."""
    x, w, dy = _f64(x), _f64(w), _f64(dy)
    rows_x, rows_dy = x.reshape(-1, x.shape[-1]), dy.reshape(-1, dy.shape[-1])
    db = None if b is None else rows_dy.sum(axis=0)
    return dy @ w, rows_dy.T @ rows_x, db


BACKWARD = {
    "step": lambda dy, x: (np.zeros_like(_f64(x)),),  # derivative 0 almost everywhere
    "sign": lambda dy, x: (np.zeros_like(_f64(x)),),
    "sigmoid": lambda dy, x: (_f64(dy) * sigmoid_derivative(x),),
    "tanh": lambda dy, x: (_f64(dy) * tanh_derivative(x),),
    "relu": lambda dy, x: (_f64(dy) * np.where(_f64(x) > 0, 1.0, 0.0),),
    "leaky_relu": lambda dy, x, negative_slope=0.01: (
        _f64(dy) * np.where(_f64(x) > 0, 1.0, negative_slope),),
    "identity": lambda dy, x: (_f64(dy).copy(),),
    "softmax": _softmax_backward,
    # d/dŷ of 1/n Σ (ŷ - y)² is 2(ŷ - y)/n [004]; of Σ: 2(ŷ - y); of 1/(2m) Σ: (ŷ - y)/m.
    "mse": lambda dy, pred, target, reduction="mean": (
        _f64(dy) * 2 * _reduce_scale(np.size(pred), reduction) * (_f64(pred) - _f64(target)),),
    "binary_cross_entropy": _bce_backward,
    "binary_cross_entropy_with_logits": _bce_with_logits_backward,
    "cross_entropy": _cross_entropy_backward,
    # λW/m in the gradient [002][003]; for L1 the subgradient λ/m sign(w), 0 at w = 0.
    "l2_penalty": lambda dy, w, lam=0.01, m=1: (_f64(dy) * lam / m * _f64(w),),
    "l1_penalty": lambda dy, w, lam=0.01, m=1: (_f64(dy) * lam / m * np.sign(_f64(w)),),
    "linear": _linear_backward,
}


# --- the notes' named claims -------------------------------------------------------------


def tanh_from_sigmoid(x):
    """tanh(x) = 2σ(2x) - 1: "tanh is a sigmoid shifted and scaled" [003]."""
    return 2 * sigmoid(2 * _f64(x)) - 1


def compose_linear(w1, b1, w2, b2):
    """A stack of linear layers with no activation between them is one linear layer
    [003][004]: W2(W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)."""
    w1, b1, w2, b2 = (_f64(a) for a in (w1, b1, w2, b2))
    return w2 @ w1, w2 @ b1 + b2


def sgd_step_with_l2(w, g, lr, lam, m=1):
    """One SGD step on loss + λ/(2m)‖W‖²: w - lr (g + λ/m w) [002][003]."""
    w = _f64(w)
    return w - lr * (_f64(g) + lam / m * w)


def sgd_step_with_weight_decay(w, g, lr, decay):
    """Weight decay: (1 - decay) w - lr g. With decay = lr·λ/m it is the same step as
    sgd_step_with_l2: "L2 regularisation is also called weight decay" [003]."""
    return (1 - decay) * _f64(w) - lr * _f64(g)


# --- dropout -----------------------------------------------------------------------------


def dropout(x, mask, keep_prob=0.5, training=True):
    """Inverted dropout with the mask d given: a·d/keep_prob in training, a itself at test
    time [003]."""
    return _f64(x) * mask / keep_prob if training else _f64(x)


def _dropout_backward(dy, x, mask, keep_prob=0.5, training=True):
    return (_f64(dy) * mask / keep_prob if training else _f64(dy),)


FORWARD["dropout"] = dropout
BACKWARD["dropout"] = _dropout_backward


# --- families with modules of their own, one registry --------------------------------

from nnconform.oracles import (  # noqa: E402
    closed_form_classic,
    closed_form_conv,
    closed_form_data,
    closed_form_optim,
    closed_form_pool,
)

for _family in (closed_form_conv, closed_form_pool, closed_form_optim, closed_form_data,
                closed_form_classic):
    FORWARD.update(_family.FORWARD)
    BACKWARD.update(_family.BACKWARD)
