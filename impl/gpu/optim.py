"""Optimizer steps (catalog §4, docs/notes.md) as fused Triton kernels: one kernel per step reads
the parameter, the gradient and the state once and writes the new parameter and state, as
new tensors (the contract is pure: nothing given is written). The update rules are
impl/optim.py's, term for term; the hyperparameters reach the kernel as a tensor of the
parameter's dtype, and Adam's bias corrections 1 - β^t are taken on the host in float64.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from .._checks import decay_rate, non_negative, positive
from ._runtime import grid, require_like, require_tensor, scalars

BLOCK = 1024
SGD, VELOCITY, RATE_INSIDE, AVERAGE, NESTEROV, ADAM, ADAMW = range(7)


@triton.jit
def _step_kernel(p_ptr, g_ptr, a_ptr, b_ptr, p_out, a_out, b_out, n, hyper_ptr,
                 RULE: tl.constexpr, BLOCK: tl.constexpr):
    """a, b: the state's arrays (v or buf; Adam's m and v). hyper: lr, then the rule's own
    settings in the order of the `_step` calls below."""
    index = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = index < n
    p = tl.load(p_ptr + index, mask=inside, other=0.0)
    g = tl.load(g_ptr + index, mask=inside, other=0.0)
    lr = tl.load(hyper_ptr)
    if RULE == 0:  # w ← w - lr·(g + λw) [002][004]; no λw term at all when λ = 0
        decay = tl.load(hyper_ptr + 1)
        p = p - lr * tl.where(decay != 0, g + decay * p, g)
    elif RULE <= 4:
        beta = tl.load(hyper_ptr + 1)
        a = tl.load(a_ptr + index, mask=inside, other=0.0)
        if RULE == 1:  # v ← βv - lr·g; w ← w + v [004]
            a = beta * a - lr * g
            p = p + a
        elif RULE == 2:  # v ← βv + lr·∇; w ← w - v [002]
            a = beta * a + lr * g
            p = p - a
        elif RULE == 3:  # v ← βv + (1 - β)g; w ← w - lr·v [003]
            a = beta * a + (1 - beta) * g
            p = p - lr * a
        else:  # buf ← β·buf + g; w ← w - lr·(g + β·buf) (torch's Nesterov)
            a = beta * a + g
            p = p - lr * (g + beta * a)
        tl.store(a_out + index, a, mask=inside)
    else:  # Adam [003][004]; AdamW decays w by lr·λ first, outside the moments
        beta1 = tl.load(hyper_ptr + 1)
        beta2 = tl.load(hyper_ptr + 2)
        eps = tl.load(hyper_ptr + 3)
        if RULE == 6:  # w·(1 - lr·λ), as torch: w - lr·λ·w would make an infinite w NaN
            p = p * (1 - lr * tl.load(hyper_ptr + 4))
        m = beta1 * tl.load(a_ptr + index, mask=inside, other=0.0) + (1 - beta1) * g
        v = beta2 * tl.load(b_ptr + index, mask=inside, other=0.0) + (1 - beta2) * g * g
        m_hat = m / tl.load(hyper_ptr + 5)
        v_hat = v / tl.load(hyper_ptr + 6)
        p = p - lr * m_hat / (tl.sqrt(v_hat) + eps)
        tl.store(a_out + index, m, mask=inside)
        tl.store(b_out + index, v, mask=inside)
    tl.store(p_out + index, p, mask=inside)


def _state(state, param, keys, counted=False) -> list:
    """The arrays of the state a step was given, checked as impl.optim checks them."""
    if not isinstance(state, dict):
        raise TypeError(f"state: expected a dict from NAME_init, got {type(state).__name__}")
    expected = {*keys, *(("t",) if counted else ())}
    if set(state) != expected:
        raise ValueError(f"state: expected the keys {sorted(expected)}, got {sorted(state)}")
    if counted:
        t = state["t"]
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise ValueError(f"state: 't' must be a non-negative int step count, got {t!r}")
    return [require_like(f"state[{key!r}]", state[key], param, "param", param.shape)
            for key in keys]


def _step(rule, param, grad, arrays, *hyper):
    """(new param, new state arrays) by one launch of the fused kernel."""
    outputs = [torch.empty_like(param) for _ in range(1 + len(arrays))]
    a, b = (arrays + [param, param])[:2]  # unread where the rule has fewer
    a_out, b_out = (outputs[1:] + [outputs[0], outputs[0]])[:2]
    if param.numel():
        _step_kernel[grid(param.numel(), BLOCK)](param, grad, a, b, outputs[0], a_out, b_out,
                                                 param.numel(), scalars(param, *hyper),
                                                 RULE=rule, BLOCK=BLOCK)
    return outputs[0], outputs[1:]


def _param_and_grad(param, grad):
    param = require_tensor("param", param)
    return param, require_like("grad", grad, param, "param", param.shape)


def _zeros(param, *keys) -> dict:
    param = require_tensor("param", param)
    return {key: torch.zeros_like(param) for key in keys}


def sgd_init(param, weight_decay=0.0):
    non_negative("weight_decay", weight_decay)
    return _zeros(param)


def sgd_step(param, grad, state, lr=0.01, weight_decay=0.0):
    param, grad = _param_and_grad(param, grad)
    _state(state, param, ())
    lr, weight_decay = non_negative("lr", lr), non_negative("weight_decay", weight_decay)
    return _step(SGD, param, grad, [], lr, weight_decay)[0], {}


def _momentum_init(key):
    def init(param, beta=0.9):
        decay_rate("beta", beta)
        return _zeros(param, key)

    return init


def _momentum_step(rule, key):
    def step(param, grad, state, lr=0.01, beta=0.9):
        param, grad = _param_and_grad(param, grad)
        arrays = _state(state, param, (key,))
        new, (a,) = _step(rule, param, grad, arrays, non_negative("lr", lr),
                          decay_rate("beta", beta))
        return new, {key: a}

    return step


momentum_velocity_init = momentum_step_init = momentum_average_init = _momentum_init("v")
momentum_velocity_step = _momentum_step(VELOCITY, "v")
momentum_step_step = _momentum_step(RATE_INSIDE, "v")
momentum_average_step = _momentum_step(AVERAGE, "v")
nesterov_init = _momentum_init("buf")
nesterov_step = _momentum_step(NESTEROV, "buf")


def _adam_init(param, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    decay_rate("beta1", beta1)
    decay_rate("beta2", beta2)
    positive("eps", eps)
    non_negative("weight_decay", weight_decay)
    return {**_zeros(param, "m", "v"), "t": 0}


def _adam_step(rule, param, grad, state, lr, beta1, beta2, eps, weight_decay=0.0):
    param, grad = _param_and_grad(param, grad)
    arrays = _state(state, param, ("m", "v"), counted=True)
    beta1, beta2 = decay_rate("beta1", beta1), decay_rate("beta2", beta2)
    t = state["t"] + 1
    new, (m, v) = _step(rule, param, grad, arrays, non_negative("lr", lr), beta1, beta2,
                        positive("eps", eps), non_negative("weight_decay", weight_decay),
                        1 - beta1**t, 1 - beta2**t)
    return new, {"m": m, "v": v, "t": t}


def adam_init(param, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_init(param, beta1, beta2, eps)


def adam_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_step(ADAM, param, grad, state, lr, beta1, beta2, eps)


def adamw_init(param, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return _adam_init(param, beta1, beta2, eps, weight_decay)


def adamw_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=0.01):
    return _adam_step(ADAMW, param, grad, state, lr, beta1, beta2, eps, weight_decay)
