"""The closed-form oracle for the classic learning rules, the gradient-descent flavours and
the two-layer network (catalog §4 and §5, docs/notes.md): the notes' formulas in NumPy float64,
written out term by term, independent of any implementation.
"""

from __future__ import annotations

import numpy as np


def _f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _sigmoid(u):
    return 1.0 / (1.0 + np.exp(-_f64(u)))


# --- classic rules [000][001][003] -------------------------------------------------------


def mp_neuron(x, w, h):
    """y = f(Σ_i w_i x_i - h), f(u) = 1 if u > 0 else 0 [000]."""
    u = np.einsum("...i,i->...", _f64(x), _f64(w)) - _f64(h)
    return np.where(u > 0, 1.0, 0.0)


def perceptron_step(w, h, x, r, a=0.1):
    """w_i ← w_i + a(r - y)x_i, h ← h - a(r - y) with y the M-P output [000]."""
    y = mp_neuron(x, w, h)
    return _f64(w) + a * (_f64(r) - y) * _f64(x), _f64(h) - a * (_f64(r) - y)


def delta_rule(w, x, r, eta=0.5):
    """Δw_ij = η Σ_examples (r_j - y_j) y_j (1 - y_j) x_i, y_j = σ(Σ_i w_ji x_i) [000]."""
    w, x, r = _f64(w), _f64(x).reshape(-1, w.shape[1]), _f64(r).reshape(-1, w.shape[0])
    dw = np.zeros_like(w)
    for example, target in zip(x, r, strict=True):
        for j in range(w.shape[0]):
            y_j = _sigmoid(w[j] @ example)
            for i in range(w.shape[1]):
                dw[j, i] += eta * (target[j] - y_j) * y_j * (1 - y_j) * example[i]
    return dw


def hot_cold_step(w, x, target, step=0.1):
    """Try w + step and w - step, keep the one with the lower error; a tie keeps w [001]."""
    w, x, target = _f64(w), _f64(x), _f64(target)
    up = np.mean((x * (w + step) - target) ** 2)
    down = np.mean((x * (w - step) - target) ** 2)
    return w + step if up < down else w - step if down < up else w


def logistic_regression_step(w, b, x, y, lr=0.1):
    """The notes' loop over examples: dz = a - y, dw += x dz, db += dz, then / m [003]."""
    w, b, x, y = _f64(w), _f64(b), _f64(x), _f64(y)
    dw, db = np.zeros_like(w), 0.0
    for example, label in zip(x, y, strict=True):
        dz = _sigmoid(example @ w + b) - label
        dw += example * dz
        db += dz
    m = len(x)
    return w - lr * dw / m, b - lr * db / m


# --- gradient-descent flavours [002][003] ------------------------------------------------


def mini_batches(x, y, order, batch_size=64):
    """Shuffle (X, Y) by one permutation, then cut it into batches of batch_size; the last
    batch keeps the remainder [003]."""
    batch = np.concatenate([np.full(len(order[start:start + batch_size]), k)
                            for k, start in enumerate(range(0, len(order), batch_size))]
                           ) if len(order) else np.zeros(0)
    return _f64(x)[order], np.asarray(y)[order].astype(np.float64), batch.astype(np.int64)


def linear_regression(w, b, x, y):
    """L(w, b) = 1/N Σ (w x_i + b - y_i)² [002]."""
    return np.asarray(np.mean((_f64(w) * _f64(x) + _f64(b) - _f64(y)) ** 2))


def _linear_regression_backward(dy, w, b, x, y):
    """The worked example's per-sample gradients (2/N)(ŷ_i - y_i)x_i and (2/N)(ŷ_i - y_i),
    summed over the examples [002]."""
    n = _f64(x).size
    grad_w = sum(2 / n * (w * xi + b - yi) * xi for xi, yi in zip(_f64(x), _f64(y),
                                                                   strict=True))
    grad_b = sum(2 / n * (w * xi + b - yi) for xi, yi in zip(_f64(x), _f64(y), strict=True))
    return _f64(dy) * grad_w, _f64(dy) * grad_b


def least_squares(theta, x, y):
    """J(θ) = ½ (Xθ - Y)ᵀ(Xθ - Y) [002]."""
    residual = (_f64(x) @ _f64(theta) - _f64(y)).reshape(-1)
    return np.asarray(0.5 * residual @ residual)


def _least_squares_backward(dy, theta, x, y):
    """∂J/∂θ = Xᵀ(Xθ - Y) [002]."""
    return (_f64(dy) * _f64(x).T @ (_f64(x) @ _f64(theta) - _f64(y)),)


# --- the two-layer perceptron [000][002][003] --------------------------------------------

_ACTIVATIONS = {"sigmoid": (_sigmoid, lambda a: a * (1 - a)),
                "tanh": (np.tanh, lambda a: 1 - a * a)}


def _mlp_layers(x, w1, b1, w2, b2, activation):
    f, _ = _ACTIVATIONS[activation]
    a1 = f(_f64(x) @ _f64(w1).T + _f64(b1))
    return a1, a1 @ _f64(w2).T + _f64(b2)


def mlp(x, w1, b1, w2, b2, target, activation="sigmoid", lam=0.0):
    """J = -mean[t ln σ(z2) + (1 - t) ln(1 - σ(z2))] + λ/(2m)(‖W1‖² + ‖W2‖²) [003][002]."""
    _, z2 = _mlp_layers(x, w1, b1, w2, b2, activation)
    p, t, m = _sigmoid(z2), _f64(target), len(x)
    bce = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    return np.asarray(bce + lam / (2 * m) * (np.sum(_f64(w1) ** 2) + np.sum(_f64(w2) ** 2)))


def _mlp_backward(dy, x, w1, b1, w2, b2, target, activation="sigmoid", lam=0.0):
    """Backpropagation as the notes write it [002]: the output δ = (σ(z2) - t)/n for the
    mean over n outputs, δ^1 = (δ^2 W2) ⊙ f'(z1), ∂J/∂W^l = Σ_examples δ^l (a^(l-1))ᵀ
    (+ λ/m W^l), ∂J/∂b^l = Σ δ^l, and the input's δ^1 W1."""
    _, derivative = _ACTIVATIONS[activation]
    a1, z2 = _mlp_layers(x, w1, b1, w2, b2, activation)
    m = len(x)
    delta2 = _f64(dy) * (_sigmoid(z2) - _f64(target)) / z2.size
    delta1 = delta2 @ _f64(w2) * derivative(a1)
    dw2 = delta2.T @ a1 + _f64(dy) * lam / m * _f64(w2)
    dw1 = delta1.T @ _f64(x) + _f64(dy) * lam / m * _f64(w1)
    return delta1 @ _f64(w1), dw1, delta1.sum(axis=0), dw2, delta2.sum(axis=0)


FORWARD = {
    "mp_neuron": mp_neuron,
    "perceptron_step": perceptron_step,
    "delta_rule": delta_rule,
    "hot_cold_step": hot_cold_step,
    "logistic_regression_step": logistic_regression_step,
    "mini_batches": mini_batches,
    "linear_regression": linear_regression,
    "least_squares": least_squares,
    "mlp": mlp,
}
BACKWARD = {
    "linear_regression": _linear_regression_backward,
    "least_squares": _least_squares_backward,
    "mlp": _mlp_backward,
}
