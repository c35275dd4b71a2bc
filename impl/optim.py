"""Optimizers and learning-rate schedules (catalog §4, docs/notes.md), pure: the state is explicit.

    state = NAME_init(param, **hyper)
    param, state = NAME_step(param, grad, state, lr=..., **hyper)

A step returns a new parameter array and a new state dict; the param, grad and state it is
given are never written to. The state holds arrays of param's dtype and shape (adam and
adamw also an int step count "t"), so float32 stays float32 throughout: hyperparameters
are turned into Python floats, which NumPy 2 does not let promote a float32 array.
Defaults are torch.optim's where torch has the optimizer. Each step is the notes' update
rule written as it reads; the lr passed to a step is that step's rate, so a schedule is
the caller's (the suite draws constant and decaying ones).
"""

from __future__ import annotations

import numpy as np

from ._blocks import in_blocks
from ._checks import (
    decay_rate,
    non_negative,
    positive,
    require_float,
    require_same_dtype,
    require_shape,
)


def _param_and_grad(param, grad):
    require_float("param", param)
    require_float("grad", grad)
    require_same_dtype("grad", grad, param, "param")
    require_shape("grad", grad, param.shape, " (param's shape)")


def _state(state, param, arrays, counted=False):
    """The state a step was given: a dict with exactly the keys NAME_init makes, each array
    of param's dtype and shape (the step count a non-negative int)."""
    if not isinstance(state, dict):
        raise TypeError(f"state: expected a dict from NAME_init, got {type(state).__name__}")
    expected = {*arrays, *(("t",) if counted else ())}
    if set(state) != expected:
        raise ValueError(f"state: expected the keys {sorted(expected)}, got {sorted(state)}")
    for key in arrays:
        value = state[key]
        if not isinstance(value, np.ndarray) or value.dtype != param.dtype:
            raise TypeError(f"state: {key!r} must be a numpy.ndarray of param's dtype "
                            f"{param.dtype}, got {getattr(value, 'dtype', type(value).__name__)}")
        if value.shape != param.shape:
            raise ValueError(f"state: {key!r} must have param's shape {param.shape}, got "
                             f"{value.shape}")
    if counted:
        t = state["t"]
        if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 0:
            raise ValueError(f"state: 't' must be a non-negative int step count, got {t!r}")
    return [state[key] for key in arrays]


def _zeros(param, *keys):
    require_float("param", param)
    return {key: np.zeros_like(param) for key in keys}


def _result(param, **state):
    """(param, state) as arrays: NumPy hands back scalars for 0-d operands (a bias)."""
    return np.asarray(param), {key: value if key == "t" else np.asarray(value)
                               for key, value in state.items()}


# --- stochastic gradient descent and its momentum forms -------------------------------------


def sgd_init(param, weight_decay=0.0):
    """Plain SGD keeps no state."""
    non_negative("weight_decay", weight_decay)
    return _zeros(param)


def sgd_step(param, grad, state, lr=0.01, weight_decay=0.0):
    """w ← w - lr·(g + λw) [002][004]: weight decay λ is the L2 term's gradient folded into
    g, as torch.optim.SGD does it."""
    _param_and_grad(param, grad)
    _state(state, param, ())
    lr, weight_decay = non_negative("lr", lr), non_negative("weight_decay", weight_decay)

    def rule(param, grad):
        if weight_decay:
            grad = grad + weight_decay * param
        return (param - lr * grad,)

    return _result(*in_blocks(rule, param, grad))


def _momentum_init(param, beta=0.9):
    decay_rate("beta", beta)
    return _zeros(param, "v")


def _momentum_args(param, grad, state, lr, beta, key="v"):
    _param_and_grad(param, grad)
    (v,) = _state(state, param, (key,))
    return v, non_negative("lr", lr), decay_rate("beta", beta)


momentum_velocity_init = momentum_step_init = momentum_average_init = _momentum_init


def _with_state(rule, param, grad, v, key="v"):
    """(param, {key: v}) after rule(param, grad, v) -> (param, v), run block by block."""
    param, v = in_blocks(rule, param, grad, v)
    return _result(param, **{key: v})


def momentum_velocity_step(param, grad, state, lr=0.01, beta=0.9):
    """Momentum as a velocity [004]: v ← βv - lr·g; w ← w + v."""
    v, lr, beta = _momentum_args(param, grad, state, lr, beta)

    def rule(param, grad, v):
        v = beta * v - lr * grad
        return param + v, v

    return _with_state(rule, param, grad, v)


def momentum_step_step(param, grad, state, lr=0.01, beta=0.9):
    """Momentum with the rate inside the velocity [002]: v ← βv + lr·∇; w ← w - v."""
    v, lr, beta = _momentum_args(param, grad, state, lr, beta)

    def rule(param, grad, v):
        v = beta * v + lr * grad
        return param - v, v

    return _with_state(rule, param, grad, v)


def momentum_average_step(param, grad, state, lr=0.01, beta=0.9):
    """Momentum as an exponentially weighted average of the gradients [003]:
    v ← βv + (1 - β)dW; w ← w - lr·v."""
    v, lr, beta = _momentum_args(param, grad, state, lr, beta)

    def rule(param, grad, v):
        v = beta * v + (1 - beta) * grad
        return param - lr * v, v

    return _with_state(rule, param, grad, v)


def nesterov_init(param, beta=0.9):
    """buf = 0 (torch starts it at g on the first step, which is β·0 + g)."""
    decay_rate("beta", beta)
    return _zeros(param, "buf")


def nesterov_step(param, grad, state, lr=0.01, beta=0.9):
    """Nesterov momentum as torch.optim.SGD(nesterov=True) writes it: buf ← β·buf + g;
    w ← w - lr·(g + β·buf), the gradient taken one momentum step ahead."""
    buf, lr, beta = _momentum_args(param, grad, state, lr, beta, key="buf")

    def rule(param, grad, buf):
        buf = beta * buf + grad
        return param - lr * (grad + beta * buf), buf

    return _with_state(rule, param, grad, buf, key="buf")


def sgd_momentum_init(param, beta=0.9):
    """buf = 0: torch's first step sets buf = g, which is β·0 + g."""
    decay_rate("beta", beta)
    return _zeros(param, "buf")


def sgd_momentum_step(param, grad, state, lr=0.01, beta=0.9):
    """Momentum as torch.optim.SGD(momentum=β) writes it, undampened: buf ← β·buf + g;
    w ← w - lr·buf. At a constant lr this is [004]'s velocity form with v = -lr·buf; once
    lr decays it is not (each step's rate scales the whole buffer)."""
    buf, lr, beta = _momentum_args(param, grad, state, lr, beta, key="buf")

    def rule(param, grad, buf):
        buf = beta * buf + grad
        return param - lr * buf, buf

    return _with_state(rule, param, grad, buf, key="buf")


# --- adaptive learning rates ---------------------------------------------------------------


def adagrad_init(param, eps=1e-10):
    """r = 0 (torch's initial_accumulator_value=0)."""
    positive("eps", eps)
    return _zeros(param, "r")


def adagrad_step(param, grad, state, lr=0.01, eps=1e-10):
    """AdaGrad [000][004]: r ← r + g²; w ← w - lr/(√r + δ)·g. Every past gradient counts,
    so each weight's rate lr/(√r + δ) only shrinks."""
    _param_and_grad(param, grad)
    (r,) = _state(state, param, ("r",))
    lr, eps = non_negative("lr", lr), positive("eps", eps)

    def rule(param, grad, r):
        r = r + grad * grad
        return param - lr / (np.sqrt(r) + eps) * grad, r

    return _with_state(rule, param, grad, r, key="r")


def adadelta_init(param, rho=0.9, eps=1e-6):
    """s = 0 (the average of g²), u = 0 (the average of the squared updates)."""
    decay_rate("rho", rho)
    positive("eps", eps)
    return _zeros(param, "s", "u")


def adadelta_step(param, grad, state, lr=1.0, rho=0.9, eps=1e-6):
    """AdaDelta [000], as torch.optim.Adadelta: s ← ρs + (1 - ρ)g²;
    Δ ← √(u + ε)/√(s + ε)·g; u ← ρu + (1 - ρ)Δ²; w ← w - lr·Δ. The running size of past
    updates takes the learning rate's place (lr = 1 by default)."""
    _param_and_grad(param, grad)
    s, u = _state(state, param, ("s", "u"))
    lr, rho, eps = non_negative("lr", lr), decay_rate("rho", rho), positive("eps", eps)

    def rule(param, grad, s, u):
        s = rho * s + (1 - rho) * grad * grad
        delta = np.sqrt(u + eps) / np.sqrt(s + eps) * grad
        u = rho * u + (1 - rho) * delta * delta
        return param - lr * delta, s, u

    param, s, u = in_blocks(rule, param, grad, s, u)
    return _result(param, s=s, u=u)


def rmsprop_init(param, alpha=0.99, eps=1e-8):
    """s = 0."""
    decay_rate("alpha", alpha)
    positive("eps", eps)
    return _zeros(param, "s")


def rmsprop_step(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    """RMSprop [003][004]: S ← βS + (1 - β)g²; w ← w - lr·g/(√S + ε) (torch names β
    alpha)."""
    _param_and_grad(param, grad)
    (s,) = _state(state, param, ("s",))
    lr, alpha, eps = non_negative("lr", lr), decay_rate("alpha", alpha), positive("eps", eps)

    def rule(param, grad, s):
        s = alpha * s + (1 - alpha) * grad * grad
        return param - lr * grad / (np.sqrt(s) + eps), s

    return _with_state(rule, param, grad, s, key="s")


def _adam_settings(beta1, beta2, eps, weight_decay=0.0):
    return (decay_rate("beta1", beta1), decay_rate("beta2", beta2), positive("eps", eps),
            non_negative("weight_decay", weight_decay))


def adam_init(param, beta1=0.9, beta2=0.999, eps=1e-8):
    """s = 0, r = 0 (stored as "m" and "v"), t = 0: the first step is t = 1."""
    _adam_settings(beta1, beta2, eps)
    return {**_zeros(param, "m", "v"), "t": 0}


def _adam(param, grad, state, lr, beta1, beta2, eps, decay=1.0):
    """t ← t + 1; s ← ρ1 s + (1 - ρ1)g, ŝ = s/(1 - ρ1^t); r ← ρ2 r + (1 - ρ2)g²,
    r̂ = r/(1 - ρ2^t); w ← w - α ŝ/(√r̂ + δ) [003][004], after AdamW's w·decay (w·1 is
    w, also for an infinite or NaN w)."""
    m, v = _state(state, param, ("m", "v"), counted=True)
    t = int(state["t"]) + 1

    def rule(param, grad, m, v):
        param = param * decay
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

    param, m, v = in_blocks(rule, param, grad, m, v)
    return _result(param, m=m, v=v, t=t)


def adam_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam [003][004]: bias-corrected moments, t counted from 1, ε outside the root."""
    _param_and_grad(param, grad)
    beta1, beta2, eps, _ = _adam_settings(beta1, beta2, eps)
    return _adam(param, grad, state, non_negative("lr", lr), beta1, beta2, eps)


def adamw_init(param, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """As adam_init."""
    _adam_settings(beta1, beta2, eps, weight_decay)
    return {**_zeros(param, "m", "v"), "t": 0}


def adamw_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=0.01):
    """AdamW, weight decay decoupled from the gradient as torch.optim.AdamW does it:
    w ← w·(1 - lr·λ) first, then Adam's step (the decay never enters the moments)."""
    _param_and_grad(param, grad)
    beta1, beta2, eps, weight_decay = _adam_settings(beta1, beta2, eps, weight_decay)
    lr = non_negative("lr", lr)
    # w·(1 - lr·λ), as torch writes it: w - lr·λ·w would make an infinite w NaN.
    return _adam(param, grad, state, lr, beta1, beta2, eps, decay=1 - lr * weight_decay)


# --- schedules (forward only)


def lr_decay_forward(epoch, lr0=0.1, decay_rate=1.0):
    """Learning-rate decay [003]: α = lr0/(1 + decay_rate·epoch), per element of epoch (a
    float array of non-negative epoch numbers, any shape). Returns α, None."""
    require_float("epoch", epoch)
    lr0, decay_rate = non_negative("lr0", lr0), non_negative("decay_rate", decay_rate)
    if not (epoch >= 0).all():
        raise ValueError("epoch: expected non-negative epoch numbers")
    return lr0 / (1 + decay_rate * epoch), None


def ewa_forward(series, beta=0.9, bias_correction=False):
    """Exponentially weighted average over axis 0 of series (T, ...) [003]:
    v_t = β v_{t−1} + (1−β) θ_t with v_0 = 0; with bias_correction, v_t/(1−β^t), t from 1,
    which removes the pull towards 0 of the first steps. Returns (v_1..v_T), None."""
    require_float("series", series)
    if series.ndim < 1:
        raise ValueError("series: expected an array (T, ...) with time on axis 0, got 0-d")
    beta = decay_rate("beta", beta)
    if not isinstance(bias_correction, bool | np.bool_):
        raise TypeError(f"bias_correction: expected a bool, got {type(bias_correction).__name__}")
    averages = np.empty_like(series)
    v = np.zeros(series.shape[1:], series.dtype)  # v_0; no steps (T = 0): no averages
    for t, theta in enumerate(series, start=1):
        v = beta * v + (1 - beta) * theta
        averages[t - 1] = v / (1 - beta**t) if bias_correction else v
    return averages, None
