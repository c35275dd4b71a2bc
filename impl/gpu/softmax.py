"""Softmax, log_softmax and cross-entropy fused with the softmax (CATALOG sections 1 and 3)
as Triton kernels, one program per row.

A row that fits one block (up to 8192 elements) is read once and kept in registers; a
longer one is read in blocks, its maximum and Σ exp kept online (rescaled whenever the
running maximum grows), then read again to write. The row maximum is subtracted before
every exponential, so no exponent is positive and logits of ±1e4 stay finite [000][004].
"""

from __future__ import annotations

import operator

import torch
import triton
import triton.language as tl

from .._checks import require_choice
from . import _reduce
from ._runtime import block, require_like, require_tensor

ROW_BLOCK = 8192


@triton.jit
def _row_max_and_sum(row, n, BLOCK: tl.constexpr):
    """(m, Σ exp(x - m)) of a row longer than one block, m its maximum."""
    lanes = tl.arange(0, BLOCK)
    m = tl.full((BLOCK,), float("-inf"), row.dtype.element_ty)
    s = tl.zeros((BLOCK,), row.dtype.element_ty)
    for start in range(0, n, BLOCK):
        x = tl.load(row + start + lanes, mask=start + lanes < n, other=float("-inf"))
        grown = tl.maximum(m, x)
        empty = grown == float("-inf")  # nothing but padding so far: no exp(-inf + inf)
        s = tl.where(empty, 0.0, s * tl.exp(m - grown) + tl.exp(x - grown))
        m = grown
    top = tl.max(m, axis=0)
    return top, tl.sum(tl.where(m == float("-inf"), 0.0, s * tl.exp(m - top)), axis=0)


@triton.jit
def _softmax_forward_kernel(x_ptr, y_ptr, n, LOG: tl.constexpr, SINGLE: tl.constexpr,
                            BLOCK: tl.constexpr):
    offset = tl.program_id(0).to(tl.int64) * n
    lanes = tl.arange(0, BLOCK)
    if SINGLE:
        x = tl.load(x_ptr + offset + lanes, mask=lanes < n, other=float("-inf"))
        shifted = x - tl.max(x, axis=0)
        e = tl.exp(shifted)
        total = tl.sum(e, axis=0)
        y = shifted - tl.log(total) if LOG else e / total
        tl.store(y_ptr + offset + lanes, y, mask=lanes < n)
    else:
        top, total = _row_max_and_sum(x_ptr + offset, n, BLOCK)
        for start in range(0, n, BLOCK):
            inside = start + lanes < n
            x = tl.load(x_ptr + offset + start + lanes, mask=inside, other=float("-inf"))
            y = (x - top) - tl.log(total) if LOG else tl.exp(x - top) / total
            tl.store(y_ptr + offset + start + lanes, y, mask=inside)


@triton.jit
def _softmax_backward_kernel(y_ptr, dy_ptr, dx_ptr, n, LOG: tl.constexpr,
                             SINGLE: tl.constexpr, BLOCK: tl.constexpr):
    """softmax: dx = y·(dy - Σ dy·y) (Jᵀdy with J = diag(p) - ppᵀ [004]);
    log_softmax: dx = dy - exp(y)·Σ dy."""
    offset = tl.program_id(0).to(tl.int64) * n
    lanes = tl.arange(0, BLOCK)
    if SINGLE:
        inside = lanes < n
        y = tl.load(y_ptr + offset + lanes, mask=inside, other=0.0)
        dy = tl.load(dy_ptr + offset + lanes, mask=inside, other=0.0)
        if LOG:
            dx = dy - tl.exp(y) * tl.sum(dy, axis=0)
        else:
            dx = y * (dy - tl.sum(dy * y, axis=0))
        tl.store(dx_ptr + offset + lanes, dx, mask=inside)
    else:
        acc = tl.zeros((BLOCK,), y_ptr.dtype.element_ty)
        for start in range(0, n, BLOCK):
            inside = start + lanes < n
            dy = tl.load(dy_ptr + offset + start + lanes, mask=inside, other=0.0)
            if LOG:
                acc += dy
            else:
                acc += dy * tl.load(y_ptr + offset + start + lanes, mask=inside, other=0.0)
        dot = tl.sum(acc, axis=0)
        for start in range(0, n, BLOCK):
            inside = start + lanes < n
            y = tl.load(y_ptr + offset + start + lanes, mask=inside, other=0.0)
            dy = tl.load(dy_ptr + offset + start + lanes, mask=inside, other=0.0)
            dx = dy - tl.exp(y) * dot if LOG else y * (dy - dot)
            tl.store(dx_ptr + offset + start + lanes, dx, mask=inside)


def _row_launch(n: int) -> dict:
    """Block size, path and warps for rows of n elements."""
    size = block(n, most=ROW_BLOCK)
    return {"SINGLE": n <= size, "BLOCK": size,
            "num_warps": 4 if size <= 1024 else 8 if size <= 4096 else 16}


def _axis(x, axis) -> int:
    if x.ndim == 0:
        raise ValueError("x: expected at least one axis to normalise along, got a 0-d tensor")
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"axis: expected an int, got {type(axis).__name__}") from None
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis: expected an int in [{-x.ndim}, {x.ndim}) for x of shape "
                         f"{tuple(x.shape)}, got {axis}")
    return axis % x.ndim


def _rows(x, axis: int) -> torch.Tensor:
    """x with `axis` moved last, contiguous: one row per softmax."""
    return x.movedim(axis, -1).contiguous()


def _forward(x, axis, log: bool):
    x = require_tensor("x", x)
    axis = _axis(x, axis)
    rows = _rows(x, axis)
    y = torch.empty_like(rows)
    n = rows.shape[-1]
    if y.numel():
        _softmax_forward_kernel[(y.numel() // n,)](rows, y, n, LOG=log, **_row_launch(n))
    return y.movedim(-1, axis), (y, axis)


def _backward(dy, ctx, log: bool):
    y, axis = ctx
    dy = _rows(require_like("dy", dy, y, "y", y.movedim(-1, axis).shape), axis)
    dx = torch.empty_like(y)
    n = y.shape[-1]
    if dx.numel():
        _softmax_backward_kernel[(dx.numel() // n,)](y, dy, dx, n, LOG=log, **_row_launch(n))
    return (dx.movedim(-1, axis),)


def softmax_forward(x, axis=-1):
    return _forward(x, axis, log=False)


def softmax_backward(dy, ctx):
    return _backward(dy, ctx, log=False)


def log_softmax_forward(x, axis=-1):
    return _forward(x, axis, log=True)


def log_softmax_backward(dy, ctx):
    return _backward(dy, ctx, log=True)


# --- cross-entropy, fused with the softmax ---------------------------------------------


@triton.jit
def _cross_entropy_forward_kernel(z_ptr, t_ptr, loss_ptr, lse_ptr, n, scale_ptr,
                                  INDICES: tl.constexpr, SINGLE: tl.constexpr,
                                  BLOCK: tl.constexpr):
    """loss_i = scale·Σ_j Y_ij (lse_i - z_ij) = -scale·Σ_j Y_ij log softmax(z)_ij [004],
    with lse_i = log Σ_j exp(z_ij); Y_i is one-hot at t_i (INDICES) or the row t_i."""
    row = tl.program_id(0).to(tl.int64)
    offset = row * n
    lanes = tl.arange(0, BLOCK)
    if SINGLE:
        z = tl.load(z_ptr + offset + lanes, mask=lanes < n, other=float("-inf"))
        top = tl.max(z, axis=0)
        lse = top + tl.log(tl.sum(tl.exp(z - top), axis=0))
    else:
        top, total = _row_max_and_sum(z_ptr + offset, n, BLOCK)
        lse = top + tl.log(total)
    if INDICES:
        loss = lse - tl.load(z_ptr + offset + tl.load(t_ptr + row))
    else:
        acc = tl.zeros((BLOCK,), z_ptr.dtype.element_ty)
        for start in range(0, n, BLOCK):
            inside = start + lanes < n
            z = tl.load(z_ptr + offset + start + lanes, mask=inside, other=0.0)
            y = tl.load(t_ptr + offset + start + lanes, mask=inside, other=0.0)
            acc += y * (lse - z)
        loss = tl.sum(acc, axis=0)
    tl.store(loss_ptr + row, loss * tl.load(scale_ptr))
    tl.store(lse_ptr + row, lse)


@triton.jit
def _cross_entropy_backward_kernel(z_ptr, t_ptr, lse_ptr, dy_ptr, dz_ptr, n, scale_ptr,
                                   INDICES: tl.constexpr, BLOCK: tl.constexpr):
    """dz_ij = dy·scale·(p_ij Σ_j Y_ij - Y_ij), p = exp(z - lse): softmax(z) - Y when the
    rows of Y sum to 1 [002][003]."""
    row = tl.program_id(0).to(tl.int64)
    offset = row * n
    lanes = tl.arange(0, BLOCK)
    lse = tl.load(lse_ptr + row)
    factor = tl.load(dy_ptr) * tl.load(scale_ptr)
    if INDICES:
        target = tl.load(t_ptr + row)
        mass = 1.0
    else:
        acc = tl.zeros((BLOCK,), z_ptr.dtype.element_ty)
        for start in range(0, n, BLOCK):
            acc += tl.load(t_ptr + offset + start + lanes, mask=start + lanes < n, other=0.0)
        mass = tl.sum(acc, axis=0)
    for start in range(0, n, BLOCK):
        inside = start + lanes < n
        z = tl.load(z_ptr + offset + start + lanes, mask=inside, other=float("-inf"))
        p = tl.exp(z - lse)
        if INDICES:
            y = tl.where(start + lanes == target, 1.0, 0.0)
        else:
            y = tl.load(t_ptr + offset + start + lanes, mask=inside, other=0.0)
        tl.store(dz_ptr + offset + start + lanes, factor * (p * mass - y), mask=inside)


INDEX_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def _target(logits, target) -> tuple[torch.Tensor, bool]:
    """(target, True) for class indices (N,), (target, False) for probability rows (N, C)."""
    n, classes = logits.shape
    if isinstance(target, torch.Tensor) and target.dtype.is_floating_point:
        return require_like("target", target, logits, "logits", (n, classes)), False
    if not isinstance(target, torch.Tensor) or target.dtype not in INDEX_DTYPES:
        raise TypeError(f"target: expected a tensor of integer class indices or float "
                        f"probabilities, got {getattr(target, 'dtype', type(target).__name__)}")
    if tuple(target.shape) != (n,):
        raise ValueError(f"target: expected shape ({n},) (class indices, one per row of "
                         f"logits), got {tuple(target.shape)}")
    if n and bool(((target < 0) | (target >= classes)).any()):
        raise ValueError(f"target: class indices must lie in [0, {classes})")
    return target.to(device=logits.device, dtype=torch.int64).contiguous(), True


def cross_entropy_forward(logits, target, reduction="mean"):
    """-Σ_i Σ_j Y_ij log softmax(z)_ij, "mean" over the N rows [004] or "sum" [000], the
    softmax never written out: each row's loss and log Σ exp are all the backward needs."""
    logits = require_tensor("logits", logits)
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(f"logits: expected shape (N, C) with C ≥ 1 classes, got "
                         f"{tuple(logits.shape)}")
    require_choice("reduction", reduction, ("mean", "sum"))
    target, indices = _target(logits, target)
    rows, classes = logits.shape
    scale = logits.new_tensor([1.0 if reduction == "sum" else 1.0 / rows if rows else
                               float("nan")])
    losses = logits.new_empty(rows)
    lse = logits.new_empty(rows)
    if rows:
        _cross_entropy_forward_kernel[(rows,)](logits, target, losses, lse, classes, scale,
                                               INDICES=indices, **_row_launch(classes))
    ctx = (logits, target, indices, lse, scale)
    if not rows:  # no terms: the sum is 0, the mean 0/0 (torch's NaN)
        return scale[0] * 0.0 if reduction == "sum" else scale[0], ctx
    return _reduce.total(losses), ctx


def cross_entropy_backward(dy, ctx):
    logits, target, indices, lse, scale = ctx
    dy = require_like("dy", dy, logits, "logits", ())
    dz = torch.empty_like(logits)
    rows, classes = logits.shape
    if dz.numel():
        _cross_entropy_backward_kernel[(rows,)](
            logits, target, lse, dy, dz, classes, scale, INDICES=indices,
            BLOCK=block(classes, most=ROW_BLOCK))
    return (dz,)
