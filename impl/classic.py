"""Classic learning rules (catalog §5, docs/notes.md): the M-P neuron, the perceptron's error
correction, the delta rule, hot/cold learning and a logistic-regression step.

Each rule is one forward-only op: its result is the neuron's output or the parameters
after one update, compared with the oracles as they are; the training loops built on them
are the invariants in properties/ops/classic.py. Parameters are never updated in place.
"""

from __future__ import annotations

import numpy as np

from ._checks import require_float, require_positive, require_same_dtype, require_shape
from .activations import sigmoid_forward, step_forward
from .linear import linear_forward


def _array(value, like):
    """A 0-d result as an array of like's dtype: NumPy turns 0-d arithmetic into scalars."""
    return np.asarray(value, dtype=like.dtype)


def _require_like(name, array, like, like_name, shape, why=""):
    require_float(name, array)
    require_same_dtype(name, array, like, like_name)
    require_shape(name, array, shape, why)


# --- the M-P neuron and the perceptron [000] ---------------------------------------------


def mp_neuron_forward(x, w, h):
    """y = f(Σ w_i x_i - h) with f the step, 1 if u > 0 else 0 [000]. x (..., n) holds one
    pattern per row, w (n,) the connection weights, h a 0-d threshold; y is x.shape[:-1].
    OR is w = (1, 1), h = 0.5 and AND is w = (1, 1), h = 1.5."""
    require_float("x", x)
    if x.ndim == 0:
        raise ValueError("x: expected patterns (..., n), got a 0-d array")
    _require_like("w", w, x, "x", (x.shape[-1],), " (one weight per input)")
    _require_like("h", h, x, "x", (), " (a 0-d threshold)")
    y, _ = step_forward(np.asarray(x @ w - h))  # one pattern: a 0-d array, not a scalar
    return y, None


def perceptron_step_forward(w, h, x, r, a=0.1):
    """One error-correction update on one pattern [000]: y = f(w·x - h), then
    w_i ← w_i + a(r - y)x_i and h ← h - a(r - y). Nothing changes when y = r; when y = 0
    but r = 1 the threshold drops and the weights of the inputs that are 1 grow, and the
    other way round. w (n,), h and r 0-d (r is 0 or 1), x (n,); returns (w, h)."""
    require_float("w", w)
    if w.ndim != 1:
        raise ValueError(f"w: expected weights (n,), got shape {w.shape}")
    _require_like("h", h, w, "w", (), " (a 0-d threshold)")
    _require_like("x", x, w, "w", w.shape, " (one pattern, like w)")
    _require_like("r", r, w, "w", (), " (the 0-d expected output)")
    if r not in (0, 1):
        raise ValueError(f"r: expected a target of 0 or 1, got {r}")
    require_positive("a", a)
    y, _ = mp_neuron_forward(x, w, h)
    correction = float(a) * (r - y)  # a Python float times a 0-d array: dtype kept
    return (w + correction * x, _array(h - correction, h)), None


# --- the delta rule [000] ----------------------------------------------------------------


def delta_rule_forward(w, x, r, eta=0.5):
    """Δw_ij = η (r_j - y_j) y_j (1 - y_j) x_i for sigmoid units y = σ(x Wᵀ) [000]: the
    weight change needs only its connection's input x_i and output y_j. W (out, in) like a
    linear layer's; x (..., in) and r (..., out) hold examples whose changes add up, which
    is -η ∂E/∂W for E = ½ Σ (r - y)². Returns ΔW (out, in)."""
    require_float("w", w)
    require_float("x", x)
    require_positive("eta", eta)
    u, _ = linear_forward(x, w)
    y, _ = sigmoid_forward(u)
    _require_like("r", r, x, "x", y.shape, " (one target per output unit)")
    delta = ((r - y) * y * (1 - y)).reshape(-1, w.shape[0])  # (examples, out)
    return float(eta) * delta.T @ x.reshape(-1, w.shape[1]), None


# --- hot/cold learning [001] -------------------------------------------------------------


def _squared_error(weight, x, target):
    error = weight * x - target
    return np.mean(error * error)


def hot_cold_step_forward(w, x, target, step=0.1):
    """One step of hot/cold learning for the prediction w·x [001]: predict with w + step
    and with w - step and keep the move whose mean squared error is lower; equal errors
    leave w. It takes two predictions per update where gradient descent takes one, and
    with too large a step it swings around the target. w 0-d, x and target (m,)."""
    require_float("w", w)
    require_shape("w", w, (), " (one weight)")
    _require_like("x", x, w, "w", x.shape)
    if x.size == 0:
        raise ValueError("x: expected at least one example; no errors to compare")
    _require_like("target", target, w, "w", x.shape, " (x's)")
    require_positive("step", step)
    step = float(step)
    up, down = _squared_error(w + step, x, target), _squared_error(w - step, x, target)
    if down < up:
        return _array(w - step, w), None
    if up < down:
        return _array(w + step, w), None
    return w.copy(), None


# --- logistic regression [003] -----------------------------------------------------------


def logistic_regression_step_forward(w, b, x, y, lr=0.1):
    """One gradient-descent step of logistic regression on m examples [003]: a = σ(x w + b),
    dz = a - y, dw = xᵀ dz / m, db = mean(dz); returns (w - lr·dw, b - lr·db). x (m, n)
    holds one example per row, w (n,), b 0-d, y (m,) labels 0 or 1."""
    require_float("x", x)
    if x.ndim != 2:
        raise ValueError(f"x: expected examples (m, n), got shape {x.shape}")
    _require_like("w", w, x, "x", (x.shape[1],), " (one weight per feature)")
    _require_like("b", b, x, "x", (), " (a 0-d bias)")
    _require_like("y", y, x, "x", (x.shape[0],), " (one label per example)")
    if x.shape[0] == 0:
        raise ValueError("x: expected at least one example (a row) to average the gradient over")
    require_positive("lr", lr)
    a, _ = sigmoid_forward(x @ w + b)
    dz = a - y
    dw = x.T @ dz / x.shape[0]
    db = np.mean(dz)
    lr = float(lr)
    return (w - lr * dw, _array(b - lr * db, b)), None
