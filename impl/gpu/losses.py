"""Losses and penalties (catalog §3, docs/notes.md) as Triton kernels: cross-entropy fused with the
softmax, one program per row of logits, the softmax never written out (each row's loss
and log Σ exp are all the backward needs); the L2 penalty λ/(2m)‖W‖² [002][003]."""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from .._checks import hyper_float, require_choice, require_positive
from . import _reduce
from ._runtime import block, grid, require_like, require_tensor, scalars
from .softmax import ROW_BLOCK, row_launch, row_max_and_sum


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
        top, total = row_max_and_sum(z_ptr + offset, n, BLOCK)
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
        return require_like("target", target, logits, "pred", (n, classes)), False
    if not isinstance(target, torch.Tensor) or target.dtype not in INDEX_DTYPES:
        raise TypeError(f"target: expected a tensor of integer class indices or float "
                        f"probabilities, got {getattr(target, 'dtype', type(target).__name__)}")
    if tuple(target.shape) != (n,):
        raise ValueError(f"target: expected shape ({n},) (class indices, one per row of "
                         f"logits), got {tuple(target.shape)}")
    if n and bool(((target < 0) | (target >= classes)).any()):
        raise ValueError(f"target: class indices must lie in [0, {classes})")
    return target.to(device=logits.device, dtype=torch.int64).contiguous(), True


def cross_entropy_forward(pred, target, reduction="mean"):
    """-Σ_i Σ_j Y_ij log softmax(z)_ij for logits z = pred, "mean" over the N rows [004] or
    "sum" [000], the softmax never written out: each row's loss and log Σ exp are all the
    backward needs."""
    logits = require_tensor("pred", pred)
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(f"pred: expected logits of shape (N, C) with C ≥ 1 classes, got "
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
                                               INDICES=indices, **row_launch(classes))
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


@triton.jit
def _scaled_kernel(w_ptr, dy_ptr, scale_ptr, dw_ptr, n, BLOCK: tl.constexpr):
    """dw = dy·scale·w, dy a 0-d upstream gradient."""
    index = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = index < n
    w = tl.load(w_ptr + index, mask=inside, other=0.0)
    tl.store(dw_ptr + index, tl.load(dy_ptr) * tl.load(scale_ptr) * w, mask=inside)


def l2_penalty_forward(w, lam=0.01, m=1):
    """λ/(2m) ‖W‖²_F, "weight decay" [003]: Σ w² as a (shift 0) centred square sum."""
    w = require_tensor("w", w)
    require_positive("m", m)
    scale = hyper_float("lam", lam, "a number") / hyper_float("m", m, "a positive number")
    flat = w.reshape(-1)
    value = _reduce.channel_sums(flat, 1, 1, flat.numel(), _reduce.CENTRED_SQUARE,
                                 shift=scalars(w, 0.0), scale=scalars(w, scale / 2))
    return value.reshape(()), (w, scalars(w, scale))


def l2_penalty_backward(dy, ctx):
    """d/dW = λ/m · W [002]."""
    w, scale = ctx
    dy = require_like("dy", dy, w, "w", ())
    dw = torch.empty_like(w)
    if dw.numel():
        _scaled_kernel[grid(dw.numel(), 1024)](w, dy, scale, dw, dw.numel(), BLOCK=1024)
    return (dw,)
