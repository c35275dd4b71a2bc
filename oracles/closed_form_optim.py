"""The closed-form oracle for optimizers and schedules: the notes' update rules, one loop
step per gradient, in NumPy float64, independent of any implementation.

An optimizer here maps (param, grads, lr, decay_rate, **settings) to its trajectory: the
parameter after every step, (T, *param.shape), with the notes' decay α_t = lr/(1 +
decay_rate·t) [003] as the learning rate of step t (t from 0).
"""

from __future__ import annotations

import numpy as np


def lr_decay(lr0, decay_rate, epoch):
    """α = α0/(1 + decay_rate·epoch) [003]."""
    return lr0 / (1 + decay_rate * np.asarray(epoch, dtype=np.float64))


def ewa(series, beta=0.9, bias_correction=False):
    """v_t = β v_(t-1) + (1 - β) θ_t from v_0 = 0; bias-corrected v_t/(1 - β^t) [003]."""
    series = np.asarray(series, dtype=np.float64)
    v, out = np.zeros(series.shape[1:]), []
    for t, theta in enumerate(series, start=1):
        v = beta * v + (1 - beta) * theta
        out.append(v / (1 - beta**t) if bias_correction else v)
    return np.array(out).reshape(series.shape)


def _trajectory(update):
    """Run `update(w, g, lr, memory, t, **settings) -> w` over the gradients; `memory` is
    a dict the rule keeps its running quantities in, t counts steps from 1."""

    def run(param, grads, lr=0.01, decay_rate=0.0, **settings):
        w, memory, path = np.asarray(param, dtype=np.float64), {}, []
        for t, g in enumerate(np.asarray(grads, dtype=np.float64), start=1):
            w = update(w, g, float(lr_decay(lr, decay_rate, t - 1)), memory, t, **settings)
            path.append(w)
        return np.array(path).reshape(np.shape(grads))

    return run


def _zeros(memory, key, like):
    return memory.get(key, np.zeros_like(like))


@_trajectory
def sgd(w, g, lr, memory, t, weight_decay=0.0):
    """w = w - α g [002][004]; weight decay adds λw to the gradient."""
    return w - lr * (g + weight_decay * w)


@_trajectory
def momentum_velocity(w, g, lr, memory, t, beta=0.9):
    """v = βv - αg, w = w + v [004]."""
    memory["v"] = beta * _zeros(memory, "v", w) - lr * g
    return w + memory["v"]


@_trajectory
def momentum_step(w, g, lr, memory, t, beta=0.9):
    """v = βv + α∇, w = w - v [002]."""
    memory["v"] = beta * _zeros(memory, "v", w) + lr * g
    return w - memory["v"]


@_trajectory
def momentum_average(w, g, lr, memory, t, beta=0.9):
    """v = βv + (1 - β)dW, w = w - αv [003]."""
    memory["v"] = beta * _zeros(memory, "v", w) + (1 - beta) * g
    return w - lr * memory["v"]


@_trajectory
def adagrad(w, g, lr, memory, t, eps=1e-10):
    """r = r + g², w = w - α/(√r + δ) g [004]."""
    memory["r"] = _zeros(memory, "r", w) + g * g
    return w - lr / (np.sqrt(memory["r"]) + eps) * g


@_trajectory
def rmsprop(w, g, lr, memory, t, alpha=0.99, eps=1e-8):
    """S = βS + (1 - β)g², w = w - α g/(√S + ε) [003][004] (torch calls β alpha)."""
    memory["s"] = alpha * _zeros(memory, "s", w) + (1 - alpha) * g * g
    return w - lr * g / (np.sqrt(memory["s"]) + eps)


@_trajectory
def adam(w, g, lr, memory, t, beta1=0.9, beta2=0.999, eps=1e-8):
    """s = ρ1 s + (1 - ρ1) g, ŝ = s/(1 - ρ1^t); r = ρ2 r + (1 - ρ2) g², r̂ = r/(1 - ρ2^t);
    w = w - α ŝ/(√r̂ + δ), t from 1 [003][004]."""
    memory["s"] = beta1 * _zeros(memory, "s", w) + (1 - beta1) * g
    memory["r"] = beta2 * _zeros(memory, "r", w) + (1 - beta2) * g * g
    s_hat, r_hat = memory["s"] / (1 - beta1**t), memory["r"] / (1 - beta2**t)
    return w - lr * s_hat / (np.sqrt(r_hat) + eps)


FORWARD = {
    "sgd": sgd, "momentum_velocity": momentum_velocity, "momentum_step": momentum_step,
    "momentum_average": momentum_average, "adagrad": adagrad, "rmsprop": rmsprop,
    "adam": adam,
    "lr_decay": lambda epoch, lr0=0.1, decay_rate=1.0: lr_decay(lr0, decay_rate, epoch),
    "ewa": ewa,
}
BACKWARD: dict = {}
