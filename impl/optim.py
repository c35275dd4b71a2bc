"""Optimizers and learning-rate schedules (CATALOG section 5), pure: the state is explicit.

    state = NAME_init(param, **hyper)
    param, state = NAME_step(param, grad, state, lr=..., **hyper)

A step returns a NEW parameter array and a NEW state dict; the param, grad and state it is
given are never written to. The state holds arrays of param's dtype and shape (adam and
adamw also an int step count "t"), so float32 stays float32 throughout. Hyperparameters
are turned into Python floats, which NumPy 2 does not let promote a float32 array.
Defaults are torch.optim's where torch has the optimizer.

Each step writes its results into the arrays it creates (out=, in-place on fresh arrays):
a 10M-parameter step is bound by memory traffic, and every temporary is one more pass.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._checks import require_float, require_same_dtype, require_shape


def _number(name, value, what):
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")
    return float(value)


def _non_negative(name, value):
    if not _number(name, value, "a non-negative number") >= 0:
        raise ValueError(f"{name}: expected a non-negative number, got {value!r}")
    return float(value)


def _positive(name, value):
    if not _number(name, value, "a positive number") > 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}")
    return float(value)


def _decay(name, value):
    """A decay rate (β, ρ, α): in [0, 1), so the averages forget and 1 - β^t > 0."""
    if not 0 <= _number(name, value, "a number in [0, 1)") < 1:
        raise ValueError(f"{name}: expected a number in [0, 1), got {value!r}")
    return float(value)


def _param(param):
    return require_float("param", param)


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
    return {key: np.zeros_like(param) for key in keys}


def _scalars_too(step):
    """NumPy's ufuncs return scalars, not arrays, for 0-d operands, and the steps write
    into what they return: a 0-d parameter (a scalar bias) is stepped as shape (1,) and
    its new param and state come back 0-d."""

    @functools.wraps(step)
    def stepped(param, grad, state, **hyper):
        _param_and_grad(param, grad)
        if param.ndim:
            return step(param, grad, state, **hyper)
        flat = {key: value.reshape(1) if isinstance(value, np.ndarray) and value.ndim == 0
                else value for key, value in state.items()} if isinstance(state, dict) else state
        new_param, new_state = step(param.reshape(1), grad.reshape(1), flat, **hyper)
        return new_param.reshape(()), {key: value.reshape(()) if isinstance(value, np.ndarray)
                                       else value for key, value in new_state.items()}

    return stepped


# --- stochastic gradient descent and its momentum forms


def sgd_init(param, weight_decay=0.0):
    """Plain SGD keeps no state."""
    _param(param)
    _non_negative("weight_decay", weight_decay)
    return {}


@_scalars_too
def sgd_step(param, grad, state, lr=0.01, weight_decay=0.0):
    """w ← w − lr·(g + weight_decay·w) [002][004]; weight_decay is the L2 term's gradient
    (λw) folded into g, as torch.optim.SGD does."""
    _param_and_grad(param, grad)
    _state(state, param, ())
    lr, weight_decay = _non_negative("lr", lr), _non_negative("weight_decay", weight_decay)
    if weight_decay:
        new_param = np.multiply(param, weight_decay)
        new_param += grad
        new_param *= -lr
    else:
        new_param = np.multiply(grad, -lr)
    new_param += param
    return new_param, {}


def _momentum_init(param, beta=0.9):
    _param(param)
    _decay("beta", beta)
    return _zeros(param, "v")


def momentum_velocity_init(param, beta=0.9):
    """v = 0."""
    return _momentum_init(param, beta)


@_scalars_too
def momentum_velocity_step(param, grad, state, lr=0.01, beta=0.9):
    """Momentum as a velocity [004]: v ← βv − lr·g; w ← w + v."""
    _param_and_grad(param, grad)
    (v,) = _state(state, param, ("v",))
    lr, beta = _non_negative("lr", lr), _decay("beta", beta)
    v = np.multiply(v, beta)
    new_param = np.multiply(grad, lr)  # lr·g, then reused for w
    v -= new_param
    np.add(param, v, out=new_param)
    return new_param, {"v": v}


def momentum_step_init(param, beta=0.9):
    """v = 0."""
    return _momentum_init(param, beta)


@_scalars_too
def momentum_step_step(param, grad, state, lr=0.01, beta=0.9):
    """Momentum with lr inside the step [002]: v ← βv + lr·g; w ← w − v."""
    _param_and_grad(param, grad)
    (v,) = _state(state, param, ("v",))
    lr, beta = _non_negative("lr", lr), _decay("beta", beta)
    v = np.multiply(v, beta)
    new_param = np.multiply(grad, lr)  # lr·g, then reused for w
    v += new_param
    np.subtract(param, v, out=new_param)
    return new_param, {"v": v}


def momentum_average_init(param, beta=0.9):
    """v = 0."""
    return _momentum_init(param, beta)


@_scalars_too
def momentum_average_step(param, grad, state, lr=0.01, beta=0.9):
    """Momentum as an exponentially weighted average of gradients [003]:
    v ← βv + (1−β)g; w ← w − lr·v."""
    _param_and_grad(param, grad)
    (v,) = _state(state, param, ("v",))
    lr, beta = _non_negative("lr", lr), _decay("beta", beta)
    v = np.multiply(v, beta)
    new_param = np.multiply(grad, 1 - beta)  # (1−β)g, then reused for w
    v += new_param
    np.multiply(v, -lr, out=new_param)
    new_param += param
    return new_param, {"v": v}


def nesterov_init(param, beta=0.9):
    """buf = 0 (torch starts it at g on the first step, which is β·0 + g)."""
    return {"buf": _momentum_init(param, beta)["v"]}


@_scalars_too
def nesterov_step(param, grad, state, lr=0.01, beta=0.9):
    """Nesterov momentum as torch.optim.SGD(nesterov=True, dampening=0) writes it:
    buf ← β·buf + g; w ← w − lr·(g + β·buf), the gradient at the look-ahead point."""
    _param_and_grad(param, grad)
    (buf,) = _state(state, param, ("buf",))
    lr, beta = _non_negative("lr", lr), _decay("beta", beta)
    buf = np.multiply(buf, beta)
    buf += grad
    new_param = np.multiply(buf, beta)
    new_param += grad
    new_param *= -lr
    new_param += param
    return new_param, {"buf": buf}


# --- adaptive learning rates


def adagrad_init(param, eps=1e-10):
    """r = 0 (torch's initial_accumulator_value=0)."""
    _param(param)
    _positive("eps", eps)
    return _zeros(param, "r")


@_scalars_too
def adagrad_step(param, grad, state, lr=0.01, eps=1e-10):
    """AdaGrad [000][004]: r ← r + g²; w ← w − lr·g/(√r + eps). Every past gradient counts,
    so each weight's rate lr/(√r + eps) only shrinks (torch.optim.Adagrad, lr_decay=0)."""
    _param_and_grad(param, grad)
    (old_r,) = _state(state, param, ("r",))
    lr, eps = _non_negative("lr", lr), _positive("eps", eps)
    r = np.square(grad)
    r += old_r
    new_param = np.sqrt(r)
    new_param += eps
    np.divide(grad, new_param, out=new_param)
    new_param *= -lr
    new_param += param
    return new_param, {"r": r}


def adadelta_init(param, rho=0.9, eps=1e-6):
    """s = 0 (average of g²), u = 0 (average of squared updates)."""
    _param(param)
    _decay("rho", rho)
    _positive("eps", eps)
    return _zeros(param, "s", "u")


@_scalars_too
def adadelta_step(param, grad, state, lr=1.0, rho=0.9, eps=1e-6):
    """AdaDelta [000], as torch.optim.Adadelta: only recent gradients count.
    s ← ρs + (1−ρ)g²; Δ ← √(u + eps)/√(s + eps)·g; u ← ρu + (1−ρ)Δ²; w ← w − lr·Δ."""
    _param_and_grad(param, grad)
    s, u = _state(state, param, ("s", "u"))
    lr, rho, eps = _non_negative("lr", lr), _decay("rho", rho), _positive("eps", eps)
    s = np.multiply(s, rho)
    scratch = np.multiply(grad, grad)
    scratch *= 1 - rho
    s += scratch
    delta = np.add(u, eps)
    np.sqrt(delta, out=delta)
    np.add(s, eps, out=scratch)
    np.sqrt(scratch, out=scratch)
    delta /= scratch
    delta *= grad
    new_u = np.multiply(u, rho)
    np.multiply(delta, delta, out=scratch)
    scratch *= 1 - rho
    new_u += scratch
    delta *= -lr
    delta += param
    return delta, {"s": s, "u": new_u}


def rmsprop_init(param, alpha=0.99, eps=1e-8):
    """s = 0."""
    _param(param)
    _decay("alpha", alpha)
    _positive("eps", eps)
    return _zeros(param, "s")


@_scalars_too
def rmsprop_step(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    """RMSprop [003][004], as torch.optim.RMSprop: s ← αs + (1−α)g²;
    w ← w − lr·g/(√s + eps)."""
    _param_and_grad(param, grad)
    (s,) = _state(state, param, ("s",))
    lr, alpha, eps = _non_negative("lr", lr), _decay("alpha", alpha), _positive("eps", eps)
    s = np.multiply(s, alpha)
    new_param = np.multiply(grad, grad)
    new_param *= 1 - alpha
    s += new_param
    np.sqrt(s, out=new_param)
    new_param += eps
    np.divide(grad, new_param, out=new_param)
    new_param *= -lr
    new_param += param
    return new_param, {"s": s}


def _adam_hyper(beta1, beta2, eps, weight_decay):
    return (_decay("beta1", beta1), _decay("beta2", beta2), _positive("eps", eps),
            _non_negative("weight_decay", weight_decay))


def adam_init(param, beta1=0.9, beta2=0.999, eps=1e-8):
    """m = 0, v = 0, t = 0 (the first step is t = 1)."""
    _param(param)
    _adam_hyper(beta1, beta2, eps, 0.0)
    return {**_zeros(param, "m", "v"), "t": 0}


def _adam(param, grad, state, lr, beta1, beta2, eps, decay):
    """The Adam step on w' = (1 − decay)·w (decay = lr·weight_decay, 0 for plain Adam)."""
    m, v = _state(state, param, ("m", "v"), counted=True)
    t = int(state["t"]) + 1
    new_param = np.multiply(grad, 1 - beta1)  # scratch until the last lines: one array less
    m = np.multiply(m, beta1)
    m += new_param
    np.square(grad, out=new_param)
    new_param *= 1 - beta2
    v = np.multiply(v, beta2)
    v += new_param
    # m̂/(√v̂ + eps) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t): the corrections are scalars, so
    # they divide √v and scale the step instead of making two more arrays.
    np.sqrt(v, out=new_param)
    new_param /= math.sqrt(1 - beta2**t)
    new_param += eps
    np.divide(m, new_param, out=new_param)
    new_param *= -lr / (1 - beta1**t)
    new_param += np.multiply(param, 1 - decay) if decay else param
    return new_param, {"m": m, "v": v, "t": t}


@_scalars_too
def adam_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam [003][004], bias-corrected, t counted from 1, eps outside the root:
    t ← t+1; m ← β1 m + (1−β1)g; v ← β2 v + (1−β2)g²; m̂ = m/(1−β1^t); v̂ = v/(1−β2^t);
    w ← w − lr·m̂/(√v̂ + eps)."""
    _param_and_grad(param, grad)
    lr = _non_negative("lr", lr)
    beta1, beta2, eps, _ = _adam_hyper(beta1, beta2, eps, 0.0)
    return _adam(param, grad, state, lr, beta1, beta2, eps, 0.0)


def adamw_init(param, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """As adam_init."""
    _param(param)
    _adam_hyper(beta1, beta2, eps, weight_decay)
    return {**_zeros(param, "m", "v"), "t": 0}


@_scalars_too
def adamw_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=0.01):
    """AdamW, weight decay decoupled from the gradient as torch.optim.AdamW does it:
    w ← w − lr·weight_decay·w first, then the adam step (the decay never enters m or v)."""
    _param_and_grad(param, grad)
    lr = _non_negative("lr", lr)
    beta1, beta2, eps, weight_decay = _adam_hyper(beta1, beta2, eps, weight_decay)
    return _adam(param, grad, state, lr, beta1, beta2, eps, lr * weight_decay)


# --- schedules (forward only)


def lr_decay_forward(epoch, lr0=0.1, decay_rate=1.0):
    """Learning-rate decay [003]: α = lr0/(1 + decay_rate·epoch), per element of epoch (a
    float array of non-negative epoch numbers, any shape). Returns α, None."""
    require_float("epoch", epoch)
    lr0, decay_rate = _non_negative("lr0", lr0), _non_negative("decay_rate", decay_rate)
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
    beta = _decay("beta", beta)
    if not isinstance(bias_correction, bool | np.bool_):
        raise TypeError(f"bias_correction: expected a bool, got {type(bias_correction).__name__}")
    averages = np.empty_like(series)
    v = np.zeros_like(series[0])
    for t, theta in enumerate(series, start=1):
        v = beta * v + (1 - beta) * theta
        averages[t - 1] = v / (1 - beta**t) if bias_correction else v
    return averages, None
