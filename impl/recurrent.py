"""Recurrent layers: a tanh RNN and an LSTM over whole sequences, forward and hand-written
backpropagation through time, and the layers around them that a captioning model uses at
every time step (CS231n's rnn_layers): an affine map and a masked softmax loss.

Layout and parameters are torch's single-layer nn.RNN / nn.LSTM: x is time-major (T, N, I),
states are (N, H), w_ih (G·H, I), w_hh (G·H, H) and two biases b_ih, b_hh (G·H,), with G = 1
for the RNN and G = 4 gate blocks i, f, g, o for the LSTM. The input's share of every step,
x_t W_ihᵀ, is one GEMM over all T·N rows, and so are dW_ih, dW_hh and dx after the backward
loop: only the recurrence itself, h_{t-1} W_hhᵀ and its gradient, goes step by step.
"""

from __future__ import annotations

import numpy as np

from ._checks import require_float, require_same_dtype, require_shape
from .activations import log_softmax_forward
from .losses import _scale


def _validate(x, states, w_ih, w_hh, b_ih, b_hh, gates):
    """Check the arguments of either layer; `states` maps h0 (and c0) to their arrays and
    `gates` is G, the number of H-row blocks in the weights. Returns H."""
    require_float("x", x)
    arrays = {"w_ih": w_ih, "w_hh": w_hh, "b_ih": b_ih, "b_hh": b_hh, **states}
    for name, array in arrays.items():
        require_float(name, array)
        require_same_dtype(name, array, x, "x")
    if x.ndim != 3 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x: expected shape (T, N, I) with T ≥ 1 and N ≥ 1, got {x.shape}")
    rows = "H" if gates == 1 else f"{gates}H"
    if w_hh.ndim != 2 or w_hh.shape[0] != gates * w_hh.shape[1]:
        raise ValueError(f"w_hh: expected shape ({rows}, H), got {w_hh.shape}")
    hidden = w_hh.shape[1]
    require_shape("w_ih", w_ih, (gates * hidden, x.shape[2]),
                  f" ({rows} rows, H = w_hh.shape[1]; I = x.shape[2] columns)")
    for name in ("b_ih", "b_hh"):
        require_shape(name, arrays[name], (gates * hidden,), f" ({rows} = w_hh.shape[0])")
    for name, state in states.items():
        require_shape(name, state, (x.shape[1], hidden), " (N = x.shape[1], H = w_hh.shape[1])")
    return hidden


def _input_share(x, w_ih, b_ih, b_hh):
    """x_t W_ihᵀ + b_ih + b_hh for every t at once: (T, N, G·H), a fresh array."""
    t, n, i = x.shape
    share = (x.reshape(t * n, i) @ w_ih.T).reshape(t, n, -1)
    share += b_ih + b_hh
    return share


def _parameter_grads(dz, x, h0, y, w_ih):
    """dx = dZ W_ih, dW_ih = dZᵀ X, dW_hh = dZᵀ H_prev and db = Σ dZ, each one GEMM (or sum)
    over all T·N rows, where dZ (T, N, G·H) is the gradient of every step's pre-activation and
    H_prev stacks h_0..h_{T-1}, the states each step read."""
    t, n, i = x.shape
    rows = dz.reshape(t * n, -1)
    previous = np.concatenate([h0[None], y[:-1]]).reshape(t * n, -1)
    dx = (rows @ w_ih).reshape(t, n, i)
    db = rows.sum(axis=0)
    return dx, rows.T @ x.reshape(t * n, i), rows.T @ previous, db, db.copy()


# --- tanh RNN ----------------------------------------------------------------------------


def rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh):
    """h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) for t = 1..T.

    x (T, N, I), h0 (N, H), w_ih (H, I), w_hh (H, H), b_ih and b_hh (H,). Returns
    ((y, h_n), ctx): y (T, N, H) stacks h_1..h_T and h_n = h_T."""
    _validate(x, {"h0": h0}, w_ih, w_hh, b_ih, b_hh, gates=1)
    z = _input_share(x, w_ih, b_ih, b_hh)
    y = np.empty_like(z)
    previous = h0
    for step in range(x.shape[0]):
        z[step] += previous @ w_hh.T
        previous = np.tanh(z[step], out=y[step])
    return (y, y[-1].copy()), (x, h0, w_ih, w_hh, y)


def rnn_backward(dy, dh_n, ctx):
    """Back through time: the gradient reaching h_t is dy_t plus what step t+1 sends back
    (dh_n at t = T); dz_t = that · (1 - h_t²) and step t sends dz_t W_hh on to h_{t-1}.
    Returns (dx, dh0, dw_ih, dw_hh, db_ih, db_hh); both biases get Σ dz."""
    x, h0, w_ih, w_hh, y = ctx
    dz = np.empty_like(y)
    carry = dh_n  # the gradient of h_t from the steps after t
    for step in reversed(range(y.shape[0])):
        dz[step] = (dy[step] + carry) * (1 - y[step] * y[step])
        carry = dz[step] @ w_hh
    dx, dw_ih, dw_hh, db_ih, db_hh = _parameter_grads(dz, x, h0, y, w_ih)
    return dx, carry, dw_ih, dw_hh, db_ih, db_hh


# --- LSTM --------------------------------------------------------------------------------


def lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    """[i, f, g, o] = x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh, split in 4 along the last axis;
    i, f, o = σ(.), g = tanh(.); c_t = f c_{t-1} + i g and h_t = o tanh(c_t).

    x (T, N, I), h0 and c0 (N, H), w_ih (4H, I), w_hh (4H, H), b_ih and b_hh (4H,), gate
    blocks in torch's order i, f, g, o. Returns ((y, h_n, c_n), ctx): y (T, N, H) stacks
    h_1..h_T, h_n = h_T and c_n = c_T."""
    hidden = _validate(x, {"h0": h0, "c0": c0}, w_ih, w_hh, b_ih, b_hh, gates=4)
    z = _input_share(x, w_ih, b_ih, b_hh)
    gates = np.empty_like(z)  # the activated i, f, g, o of every step
    c = np.empty(z.shape[:2] + (hidden,), dtype=x.dtype)
    tanh_c, y = np.empty_like(c), np.empty_like(c)
    # One tanh per step for all four blocks: σ(z) = (1 + tanh(z/2))/2 for i, f and o (no
    # exponential to overflow), tanh(z) for g.
    half = np.full(4 * hidden, 0.5, dtype=x.dtype)
    half[2 * hidden:3 * hidden] = 1
    h_previous, c_previous = h0, c0
    for step in range(x.shape[0]):
        z[step] += h_previous @ w_hh.T
        act = np.tanh(np.multiply(z[step], half, out=gates[step]), out=gates[step])
        for block in (act[:, :2 * hidden], act[:, 3 * hidden:]):
            block *= 0.5
            block += 0.5
        i, f, g, o = np.split(act, 4, axis=1)
        c_previous = np.multiply(f, c_previous, out=c[step])
        c_previous += i * g
        h_previous = np.multiply(o, np.tanh(c_previous, out=tanh_c[step]), out=y[step])
    return (y, y[-1].copy(), c[-1].copy()), (x, h0, c0, w_ih, w_hh, y, c, tanh_c, gates)


def lstm_backward(dy, dh_n, dc_n, ctx):
    """Back through time with two carries: dh_t = dy_t + (what step t+1 sends to h_t) and
    dc_t = (what step t+1 sends to c_t) + dh_t o (1 - tanh²c_t). Then do = dh_t tanh c_t,
    di = dc_t g, df = dc_t c_{t-1}, dg = dc_t i, each times its activation's derivative
    (σ' = σ(1 - σ), tanh' = 1 - tanh²); step t sends dz_t W_hh to h_{t-1} and dc_t f to
    c_{t-1}. Returns (dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh); both biases get Σ dz."""
    x, h0, c0, w_ih, w_hh, y, c, tanh_c, gates = ctx
    dz = np.empty_like(gates)
    dh_carry, dc_carry = dh_n, dc_n  # the gradients of h_t and c_t from the steps after t
    for step in reversed(range(y.shape[0])):
        i, f, g, o = np.split(gates[step], 4, axis=1)
        c_previous = c[step - 1] if step else c0
        dh = dy[step] + dh_carry
        dc = dc_carry + dh * o * (1 - tanh_c[step] * tanh_c[step])
        np.concatenate([dc * g * i * (1 - i), dc * c_previous * f * (1 - f),
                        dc * i * (1 - g * g), dh * tanh_c[step] * o * (1 - o)],
                       axis=1, out=dz[step])
        dh_carry, dc_carry = dz[step] @ w_hh, dc * f
    dx, dw_ih, dw_hh, db_ih, db_hh = _parameter_grads(dz, x, h0, y, w_ih)
    return dx, dh_carry, dc_carry, dw_ih, dw_hh, db_ih, db_hh


# --- the layers around a recurrent core (CS231n's rnn_layers) -------------------------------


def temporal_affine_forward(x, w, b):
    """y_t = x_t Wᵀ + b at every time step: x (T, N, D), w (M, D) as linear's (out, in),
    b (M,); y (T, N, M). CS231n's temporal_affine_forward, in torch's weight layout."""
    require_float("x", x)
    for name, array in (("w", w), ("b", b)):
        require_float(name, array)
        require_same_dtype(name, array, x, "x")
    if w.ndim != 2:
        raise ValueError(f"w: expected shape (M, D), got {w.shape}")
    if x.ndim != 3 or x.shape[2] != w.shape[1]:
        raise ValueError(f"x: expected shape (T, N, D) with D = w.shape[1] = {w.shape[1]}, "
                         f"got {x.shape}")
    require_shape("b", b, (w.shape[0],), " (M = w.shape[0])")
    return x @ w.T + b, (x, w)


def temporal_affine_backward(dy, ctx):
    """dx = dy W; dW = Σ_t dy_tᵀ x_t and db = Σ_t Σ_n dy, the same W and b at every step:
    one GEMM over all T·N rows."""
    x, w = ctx
    rows_dy = dy.reshape(-1, w.shape[0])
    return dy @ w, rows_dy.T @ x.reshape(-1, w.shape[1]), rows_dy.sum(axis=0)


def temporal_softmax_loss_forward(x, target, mask, reduction="mean"):
    """-Σ_{t,n} mask_tn · log softmax(x_tn)[target_tn] for scores x (T, N, V), class
    indices target (T, N) and a bool mask (T, N); "mean" divides by the batch size N, as
    CS231n's temporal_softmax_loss does (not by T·N nor by the mask's count), "sum" by 1.
    A masked position contributes nothing, not even a NaN (torch's ignore_index agrees)."""
    x = require_float("x", x)
    if x.ndim != 3:
        raise ValueError(f"x: expected scores of shape (T, N, V), got {x.shape}")
    target, mask = np.asarray(target), np.asarray(mask)
    if target.dtype.kind not in "iu":
        raise TypeError(f"target: expected integer class indices, got dtype {target.dtype}")
    require_shape("target", target, x.shape[:2], " (T, N: one index per position of x)")
    if np.any((target < 0) | (target >= x.shape[2])):
        raise ValueError(f"target: class indices must lie in [0, {x.shape[2]})")
    if mask.dtype != bool:
        raise TypeError(f"mask: expected a bool array, got dtype {mask.dtype}")
    require_shape("mask", mask, x.shape[:2], " (T, N, like target)")
    scale = _scale(x.shape[1], reduction)
    log_p, _ = log_softmax_forward(x, axis=2)
    picked = np.take_along_axis(log_p, target[..., None], axis=2)[..., 0]
    loss = -scale * np.sum(picked, where=mask)
    return np.asarray(loss, dtype=x.dtype), (log_p, target, mask, scale)


def temporal_softmax_loss_backward(dy, ctx):
    """dx = scale·mask·(softmax(x) - one_hot(target)): cross-entropy's gradient at every
    unmasked position, 0 at the masked ones."""
    log_p, target, mask, scale = ctx
    dx = np.exp(log_p)  # log_p ≤ 0: no overflow
    np.put_along_axis(dx, target[..., None], np.take_along_axis(dx, target[..., None], 2) - 1,
                      axis=2)
    return (np.where(mask[..., None], dy * scale * dx, 0).astype(log_p.dtype),)
