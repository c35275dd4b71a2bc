"""The oracles of the legitimate conventions that compute something other than torch does
(docs/conventions.md), in float64 NumPy, each written from its definition. Where only a
derivative at a kink or a tie differs, the rest is torch's, so it comes from
oracles/torch.py.

Each forward takes (arrays, hyper) and returns the op's outputs; each vjp takes (arrays,
hyper, dys) and returns the gradients of the op's differentiable inputs in order.
"""

from __future__ import annotations

import numpy as np

from nnconform.oracles import torch as torch_oracle
from nnconform.oracles.closed_form_optim import lr_decay


def _pair(value) -> tuple[int, int]:
    return (value, value) if np.isscalar(value) else tuple(value)


# --- derivatives at a kink: 1 at x = 0, as a mask `x >= 0` gives ---------------------------


def relu_vjp_one_at_zero(arrays, hyper, dys):
    (x,), (dy,) = arrays, dys
    return (dy * (x >= 0),)


def leaky_relu_vjp_one_at_zero(arrays, hyper, dys):
    (x,), (dy,) = arrays, dys
    return (dy * np.where(x >= 0, 1.0, hyper.get("negative_slope", 0.01)),)


def prelu_vjp_one_at_zero(arrays, hyper, dys):
    (x, a), (dy,) = arrays, dys
    per_channel = a.size > 1 and x.ndim > 1
    slope = a.reshape([a.size if i == 1 else 1 for i in range(x.ndim)]) if per_channel \
        else a.reshape(())
    dx = dy * np.where(x >= 0, 1.0, slope)
    axes = tuple(i for i in range(x.ndim) if not (per_channel and i == 1))
    da = np.where(x < 0, x * dy, 0.0).sum(axis=axes).reshape(a.shape)
    return dx, da


def step_fires_at_zero(arrays, hyper):
    """The Heaviside step with H(0) = 1 (`x >= 0`); its derivative is 0 everywhere."""
    (x,) = arrays
    return (x >= 0).astype(np.float64)


def step_vjp(arrays, hyper, dys):
    return (np.zeros_like(arrays[0]),)


# --- ties: every tied maximum takes the whole upstream gradient --------------------------


def max_pool2d_vjp_ties_all(arrays, hyper, dys):
    """Each window's dy goes to every element equal to the window's maximum (a mask
    `window == window.max()`), summed over overlapping windows."""
    (x,), (dy,) = arrays, dys
    kh, kw = _pair(hyper.get("kernel_size", 2))
    stride = hyper.get("stride")
    sh, sw = _pair((kh, kw) if stride is None else stride)
    ph, pw = _pair(hyper.get("padding", 0))
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    dx = np.zeros_like(padded)
    for r, q in np.ndindex(*dy.shape[2:]):
        rows, cols = slice(r * sh, r * sh + kh), slice(q * sw, q * sw + kw)
        window = padded[:, :, rows, cols]
        peak = window.max(axis=(2, 3), keepdims=True)
        dx[:, :, rows, cols] += (window == peak) * dy[:, :, r, q][:, :, None, None]
    return (dx[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]],)


def maxout_vjp_ties_all(arrays, hyper, dys):
    (x,), (dy,) = arrays, dys
    pieces = hyper.get("pieces", 2)
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces)
    winners = groups == groups.max(axis=-1, keepdims=True)
    return ((winners * dy[..., None]).reshape(x.shape),)


# --- batch norm's running variance: the biased batch variance -----------------------------


def batch_norm_biased_running_var(arrays, hyper):
    """torch's outputs, but the running variance is updated with the biased variance of
    the batch (np.var, as most course code keeps it) rather than the unbiased one."""
    y, running_mean, running_var = torch_oracle.forward("batch_norm", arrays, hyper)
    x, _, _, _, old_var = arrays
    if hyper.get("training", True):
        axes = tuple(i for i in range(x.ndim) if i != 1)
        momentum = hyper.get("momentum", 0.1)
        running_var = (1 - momentum) * old_var + momentum * x.var(axis=axes)
    return y, running_mean, running_var


# --- optimizers: where ε goes ---------------------------------------------------------------


def _rates(hyper, steps):
    return [float(lr_decay(hyper["lr"], hyper.get("decay_rate", 0.0), t))
            for t in range(steps)]


def _run(arrays, hyper, update):
    param, grads = (np.array(a, dtype=np.float64) for a in arrays)
    state, path = {}, []
    for t, (grad, lr) in enumerate(zip(grads, _rates(hyper, len(grads)), strict=True)):
        param = param - update(state, grad, lr, t + 1)
        path.append(param)
    return np.stack(path)


def rmsprop_eps_inside_sqrt(arrays, hyper):
    """v = αv + (1 − α)g²; w −= lr·g/√(v + ε) (ε under the root, as in Hinton's slides and
    TensorFlow's RMSprop)."""
    alpha, eps = hyper.get("alpha", 0.99), hyper.get("eps", 1e-8)

    def update(state, grad, lr, t):
        state["v"] = alpha * state.get("v", 0.0) + (1 - alpha) * grad**2
        return lr * grad / np.sqrt(state["v"] + eps)

    return _run(arrays, hyper, update)


def adagrad_eps_inside_sqrt(arrays, hyper):
    """G += g²; w −= lr·g/√(G + ε)."""
    eps = hyper.get("eps", 1e-10)

    def update(state, grad, lr, t):
        state["sum"] = state.get("sum", 0.0) + grad**2
        return lr * grad / np.sqrt(state["sum"] + eps)

    return _run(arrays, hyper, update)


def adam_eps_hat(arrays, hyper):
    """Adam with the bias corrections folded into the step size and ε added to √v, not
    to √v̂ (Kingma & Ba's "efficient" ordering, TensorFlow's and Keras's Adam):
    w −= lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε)."""
    beta1, beta2 = hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)
    eps = hyper.get("eps", 1e-8)

    def update(state, grad, lr, t):
        state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * grad
        state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * grad**2
        rate = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        return rate * state["m"] / (np.sqrt(state["v"]) + eps)

    return _run(arrays, hyper, update)


# --- initialisers: the name read as Glorot's ------------------------------------------------


def xavier_as_glorot(arrays, hyper):
    """xavier_normal read as torch's xavier_normal_: Glorot's √(2/(fan_in + fan_out))."""
    return torch_oracle.forward("glorot_normal", arrays, hyper)
