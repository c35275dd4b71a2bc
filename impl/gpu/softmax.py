"""Softmax and log_softmax (catalog §1, docs/notes.md) as Triton kernels, one program per row; the
row helpers serve the cross-entropy fused with the softmax too (losses.py).

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

from ._runtime import block, require_like, require_tensor

ROW_BLOCK = 8192


@triton.jit
def row_max_and_sum(row, n, BLOCK: tl.constexpr):
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
        top, total = row_max_and_sum(x_ptr + offset, n, BLOCK)
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


def row_launch(n: int) -> dict:
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
        _softmax_forward_kernel[(y.numel() // n,)](rows, y, n, LOG=log, **row_launch(n))
    return y.movedim(-1, axis), (y, axis)


def _backward(dy, ctx, log: bool):
    y, axis = ctx
    dy = _rows(require_like("dy", dy, y, "y", y.movedim(-1, axis).shape), axis)
    dx = torch.empty_like(y)
    n = y.shape[-1]
    if dx.numel():
        _softmax_backward_kernel[(dx.numel() // n,)](y, dy, dx, n, LOG=log, **row_launch(n))
    return (dx.movedim(-1, axis),)


def softmax_forward(x, axis=-1):
    return _forward(x, axis, log=False)


def softmax_backward(dy, ctx):
    return _backward(dy, ctx, log=False)


def log_softmax_forward(x, axis=-1):
    return _forward(x, axis, log=True)


def log_softmax_backward(dy, ctx):
    return _backward(dy, ctx, log=True)
