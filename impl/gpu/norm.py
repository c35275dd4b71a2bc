"""Batch norm (catalog §2, docs/notes.md) in Triton: y = γ (x - μ)/√(σ² + ε) + β per channel [003],
with μ and σ² over every axis but 1 in train mode, the running statistics in eval mode.

Train mode takes two per-channel passes over x (μ, then Σ (x - μ)², which stays accurate
when |μ| is large against σ), one kernel for the O(C) work (1/σ and the running statistics,
updated as PyTorch does with the unbiased variance) and one elementwise pass for y. The
backward takes dβ = Σ dy and dγ = Σ dy·x̂ per channel, then one elementwise pass for
dx = (γ/σ)(dy - dβ/m - x̂·dγ/m) (train) or γ dy/σ (eval). Nothing is updated in place.

Layer norm takes the same statistics per example, over x's trailing gamma.ndim axes: one
program per row (two passes over registers, or Chan's merge of per-block statistics for a
row longer than a block), one per row for dx, and tiled column sums for dγ and dβ. RMS norm
(transformer.py) runs the same row kernels without the centring and the bias.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import triton
import triton.language as tl

from .._checks import positive, require_fraction
from . import _reduce
from ._runtime import INTERPRET, block, grid, require_like, require_tensor, scalars

BLOCK = 1024


@triton.jit
def _statistics_kernel(mean_ptr, var_ptr, running_mean_ptr, running_var_ptr, inv_std_ptr,
                       new_mean_ptr, new_var_ptr, C, hyper_ptr, TRAINING: tl.constexpr,
                       BLOCK: tl.constexpr):
    """1/√(σ² + ε) and the new running statistics, for every channel; hyper holds
    (momentum, ε, m/(m - 1))."""
    c = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = c < C
    running_mean = tl.load(running_mean_ptr + c, mask=inside, other=0.0)
    running_var = tl.load(running_var_ptr + c, mask=inside, other=1.0)
    momentum = tl.load(hyper_ptr)
    if TRAINING:
        var = tl.load(var_ptr + c, mask=inside, other=1.0)
        new_mean = (1 - momentum) * running_mean + momentum * tl.load(mean_ptr + c, mask=inside)
        new_var = (1 - momentum) * running_var + momentum * var * tl.load(hyper_ptr + 2)
    else:
        var = running_var
        new_mean = running_mean
        new_var = running_var
    tl.store(inv_std_ptr + c, 1 / tl.sqrt(var + tl.load(hyper_ptr + 1)), mask=inside)
    tl.store(new_mean_ptr + c, new_mean, mask=inside)
    tl.store(new_var_ptr + c, new_var, mask=inside)


@triton.jit
def _normalize_kernel(x_ptr, mean_ptr, inv_std_ptr, gamma_ptr, beta_ptr, y_ptr, total, C,
                      inner, BLOCK: tl.constexpr):
    """y = (x - μ_c)·(γ_c/σ_c) + β_c."""
    index = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = index < total
    c = (index // inner) % C
    x = tl.load(x_ptr + index, mask=inside, other=0.0)
    mean = tl.load(mean_ptr + c, mask=inside, other=0.0)
    scale = tl.load(gamma_ptr + c, mask=inside, other=0.0) * tl.load(inv_std_ptr + c,
                                                                      mask=inside, other=0.0)
    y = (x - mean) * scale + tl.load(beta_ptr + c, mask=inside, other=0.0)
    tl.store(y_ptr + index, y, mask=inside)


@triton.jit
def _dx_kernel(dy_ptr, x_ptr, mean_ptr, inv_std_ptr, gamma_ptr, dbeta_ptr, dgamma_ptr, dx_ptr,
               total, C, inner, inv_m_ptr, TRAINING: tl.constexpr, BLOCK: tl.constexpr):
    """dx = (γ/σ)(dy - dβ/m - x̂·dγ/m) in train mode (μ and σ depend on x: three terms),
    γ dy/σ in eval mode."""
    index = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = index < total
    c = (index // inner) % C
    dy = tl.load(dy_ptr + index, mask=inside, other=0.0)
    inv_std = tl.load(inv_std_ptr + c, mask=inside, other=0.0)
    scale = tl.load(gamma_ptr + c, mask=inside, other=0.0) * inv_std
    if TRAINING:
        inv_m = tl.load(inv_m_ptr)
        x_hat = (tl.load(x_ptr + index, mask=inside, other=0.0)
                 - tl.load(mean_ptr + c, mask=inside, other=0.0)) * inv_std
        dy = (dy - tl.load(dbeta_ptr + c, mask=inside, other=0.0) * inv_m
              - x_hat * tl.load(dgamma_ptr + c, mask=inside, other=0.0) * inv_m)
    tl.store(dx_ptr + index, dy * scale, mask=inside)


def batch_norm_forward(x, gamma, beta, running_mean, running_var, training=True,
                       momentum=0.1, eps=1e-5):
    """(y, new running mean, new running var), ctx; x is (N, C) or (N, C, ...)."""
    x = require_tensor("x", x)
    if x.ndim < 2:
        raise ValueError(f"x: expected shape (N, C) or (N, C, ...), got {tuple(x.shape)}")
    if not isinstance(training, bool | np.bool_):
        raise TypeError(f"training: expected a bool, got {type(training).__name__}")
    training = bool(training)
    require_fraction("momentum", momentum)
    positive("eps", eps)
    channels = x.shape[1]
    gamma, beta, running_mean, running_var = (
        require_like(name, v, x, "x", (channels,)) for name, v in (
            ("gamma", gamma), ("beta", beta), ("running_mean", running_mean),
            ("running_var", running_var)))
    outer, inner = x.shape[0], math.prod(x.shape[2:])
    m = outer * inner  # values per channel
    if training and m < 2:
        raise ValueError(f"x: train mode needs more than one value per channel to take a "
                         f"variance, got shape {tuple(x.shape)}")
    mean, var = running_mean, running_var
    if training:
        per_value = torch.full((channels,), 1 / m, dtype=x.dtype, device=x.device)
        mean = _reduce.channel_sums(x, outer, channels, inner, scale=per_value)
        var = _reduce.channel_sums(x, outer, channels, inner, _reduce.CENTRED_SQUARE,
                                   shift=mean, scale=per_value)
    inv_std, new_mean, new_var = (torch.empty_like(gamma) for _ in range(3))
    hyper = scalars(x, momentum, eps, m / (m - 1) if m > 1 else 1.0)
    _statistics_kernel[grid(channels, BLOCK)](mean, var, running_mean, running_var, inv_std,
                                              new_mean, new_var, channels, hyper,
                                              TRAINING=training, BLOCK=BLOCK)
    y = torch.empty_like(x)
    if y.numel():
        _normalize_kernel[grid(y.numel(), BLOCK)](x, mean, inv_std, gamma, beta, y, y.numel(),
                                                  channels, inner, BLOCK=BLOCK)
    return (y, new_mean, new_var), (x, mean, inv_std, gamma, training, m)


def batch_norm_backward(dy, ctx):
    """dx, dγ = Σ dy·x̂ and dβ = Σ dy over every axis but 1."""
    x, mean, inv_std, gamma, training, m = ctx
    dy = require_like("dy", dy, x, "x", x.shape)
    outer, channels, inner = x.shape[0], x.shape[1], math.prod(x.shape[2:])
    dbeta = _reduce.channel_sums(dy, outer, channels, inner)
    dgamma = _reduce.channel_sums(dy, outer, channels, inner, _reduce.PRODUCT, b=x,
                                  shift=mean, scale=inv_std)
    dx = torch.empty_like(x)
    if dx.numel():
        _dx_kernel[grid(dx.numel(), BLOCK)](dy, x, mean, inv_std, gamma, dbeta, dgamma, dx,
                                            dx.numel(), channels, inner, scalars(x, 1 / max(m, 1)),
                                            TRAINING=training, BLOCK=BLOCK)
    return dx, dgamma, dbeta


# --- layer norm, and the row kernels RMS norm (transformer.py) shares -----------------------
#
# A row is one example's normalised slice: x's trailing weight.ndim axes, flattened. One
# program per row, the row kept in registers when it fits ROW_BLOCK, read in blocks
# otherwise. The backward's per-column sums (dγ, dβ) take tiles of rows × columns, each
# chunk of rows summed by its own program, then the chunks' partial sums by _reduce.

ROW_BLOCK = 4096  # a Llama-sized row (4096) stays in registers
COLUMN_CHUNKS = 1 if INTERPRET else 128  # row chunks per column block (one: interpreter)
TILE_ROWS, TILE_COLUMNS = 16, 64


@triton.jit
def _row_statistics(row, n, CENTRED: tl.constexpr, BLOCK: tl.constexpr):
    """(μ, Σ (x - μ)²) of a row longer than one block, μ = 0 unless CENTRED. Each block's
    mean and centred sum of squares are merged into the running pair by Chan, Golub and
    LeVeque's update: no Σx² - nμ² cancellation when |μ| is large against σ."""
    lanes = tl.arange(0, BLOCK)
    count = tl.full([], 0.0, row.dtype.element_ty)
    mean = tl.full([], 0.0, row.dtype.element_ty)
    square = tl.full([], 0.0, row.dtype.element_ty)
    for start in range(0, n, BLOCK):
        inside = start + lanes < n
        x = tl.load(row + start + lanes, mask=inside, other=0.0)
        if CENTRED:
            size = tl.minimum(n - start, BLOCK).to(row.dtype.element_ty)
            block_mean = tl.sum(x, axis=0) / size
            centred = tl.where(inside, x - block_mean, 0.0)
            total = count + size
            delta = block_mean - mean
            mean += delta * (size / total)
            square += tl.sum(centred * centred, axis=0) + delta * delta * (count * size / total)
            count = total
        else:
            square += tl.sum(x * x, axis=0)
    return mean, square


@triton.jit
def _rows_forward_kernel(x_ptr, w_ptr, b_ptr, y_ptr, mean_ptr, rstd_ptr, n, eps_ptr,
                         CENTRED: tl.constexpr, HAS_BIAS: tl.constexpr,
                         SINGLE: tl.constexpr, BLOCK: tl.constexpr):
    """y = (x - μ)·r·w (+ b), r = 1/√(mean((x - μ)²) + ε); saves μ and r per row. Layer
    norm is CENTRED with a bias; RMS norm is neither (μ = 0)."""
    row = tl.program_id(0).to(tl.int64)
    x_row = x_ptr + row * n
    y_row = y_ptr + row * n
    lanes = tl.arange(0, BLOCK)
    eps = tl.load(eps_ptr)
    if SINGLE:  # two passes over registers: μ, then Σ (x - μ)²
        inside = lanes < n
        x = tl.load(x_row + lanes, mask=inside, other=0.0)
        mean = tl.full([], 0.0, x_ptr.dtype.element_ty)
        if CENTRED:
            mean = tl.sum(x, axis=0) / n
        centred = tl.where(inside, x - mean, 0.0)
        rstd = 1 / tl.sqrt(tl.sum(centred * centred, axis=0) / n + eps)
        y = centred * rstd * tl.load(w_ptr + lanes, mask=inside, other=0.0)
        if HAS_BIAS:
            y += tl.load(b_ptr + lanes, mask=inside, other=0.0)
        tl.store(y_row + lanes, y, mask=inside)
    else:
        mean, square = _row_statistics(x_row, n, CENTRED, BLOCK)
        rstd = 1 / tl.sqrt(square / n + eps)
        for start in range(0, n, BLOCK):
            inside = start + lanes < n
            x = tl.load(x_row + start + lanes, mask=inside, other=0.0)
            y = (x - mean) * rstd * tl.load(w_ptr + start + lanes, mask=inside, other=0.0)
            if HAS_BIAS:
                y += tl.load(b_ptr + start + lanes, mask=inside, other=0.0)
            tl.store(y_row + start + lanes, y, mask=inside)
    tl.store(mean_ptr + row, mean)
    tl.store(rstd_ptr + row, rstd)


@triton.jit
def _rows_backward_kernel(dy_ptr, x_ptr, w_ptr, mean_ptr, rstd_ptr, dx_ptr, n, eps_ptr,
                          CENTRED: tl.constexpr, UNIT: tl.constexpr, SINGLE: tl.constexpr,
                          BLOCK: tl.constexpr):
    """dx = r·(g - mean(g) - x̂·mean(g·x̂)), g = w·dy, x̂ = (x - μ)·r: the chain rule through
    μ and r of the row. Without CENTRED (RMS norm) μ = 0 is no function of x and the
    mean(g) term goes: dx = w·dy·r - x·r³·mean(dy·w·x). UNIT: RMS norm of one element,
    where g·(1 - x̂²) cancels to the exact g·ε·r²."""
    row = tl.program_id(0).to(tl.int64)
    lanes = tl.arange(0, BLOCK)
    mean = tl.load(mean_ptr + row)
    rstd = tl.load(rstd_ptr + row)
    if SINGLE:
        inside = lanes < n
        g = (tl.load(dy_ptr + row * n + lanes, mask=inside, other=0.0)
             * tl.load(w_ptr + lanes, mask=inside, other=0.0))
        x_hat = tl.where(inside, (tl.load(x_ptr + row * n + lanes, mask=inside, other=0.0)
                                  - mean) * rstd, 0.0)
        mean_gx = tl.sum(g * x_hat, axis=0) / n
        if CENTRED:
            g -= tl.sum(g, axis=0) / n
        dx = rstd * (g - x_hat * mean_gx)
        if UNIT:
            dx = rstd * g * (tl.load(eps_ptr) * rstd * rstd)
        tl.store(dx_ptr + row * n + lanes, dx, mask=inside)
    else:
        sum_g = tl.zeros((BLOCK,), dx_ptr.dtype.element_ty)
        sum_gx = tl.zeros((BLOCK,), dx_ptr.dtype.element_ty)
        for start in range(0, n, BLOCK):
            inside = start + lanes < n
            g = (tl.load(dy_ptr + row * n + start + lanes, mask=inside, other=0.0)
                 * tl.load(w_ptr + start + lanes, mask=inside, other=0.0))
            x = tl.load(x_ptr + row * n + start + lanes, mask=inside, other=0.0)
            sum_g += g
            sum_gx += g * tl.where(inside, (x - mean) * rstd, 0.0)
        mean_g = tl.sum(sum_g, axis=0) / n
        mean_gx = tl.sum(sum_gx, axis=0) / n
        for start in range(0, n, BLOCK):
            inside = start + lanes < n
            g = (tl.load(dy_ptr + row * n + start + lanes, mask=inside, other=0.0)
                 * tl.load(w_ptr + start + lanes, mask=inside, other=0.0))
            if CENTRED:
                g -= mean_g
            x_hat = (tl.load(x_ptr + row * n + start + lanes, mask=inside, other=0.0)
                     - mean) * rstd
            tl.store(dx_ptr + row * n + start + lanes, rstd * (g - x_hat * mean_gx),
                     mask=inside)


@triton.jit
def _column_sums_kernel(dy_ptr, x_ptr, mean_ptr, rstd_ptr, dw_ptr, db_ptr, rows, n,
                        per_chunk, HAS_BIAS: tl.constexpr, BLOCK_R: tl.constexpr,
                        BLOCK_N: tl.constexpr):
    """dw[chunk, j] = Σ dy·x̂ and db[chunk, j] = Σ dy over the chunk's rows, for a block of
    columns j: tiles BLOCK_R rows × BLOCK_N columns, read along the rows (contiguous)."""
    columns = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    chunk = tl.program_id(1)
    begin = chunk.to(tl.int64) * per_chunk
    end = tl.minimum(begin + per_chunk, rows)
    acc_w = tl.zeros((BLOCK_R, BLOCK_N), dw_ptr.dtype.element_ty)
    acc_b = tl.zeros((BLOCK_R, BLOCK_N), dw_ptr.dtype.element_ty)
    for start in range(begin, end, BLOCK_R):
        r = start + tl.arange(0, BLOCK_R)
        inside = (r < end)[:, None] & (columns < n)[None, :]
        offsets = r[:, None] * n + columns[None, :]
        dy = tl.load(dy_ptr + offsets, mask=inside, other=0.0)
        x = tl.load(x_ptr + offsets, mask=inside, other=0.0)
        mean = tl.load(mean_ptr + r, mask=r < end, other=0.0)
        rstd = tl.load(rstd_ptr + r, mask=r < end, other=0.0)
        acc_w += dy * ((x - mean[:, None]) * rstd[:, None])
        if HAS_BIAS:
            acc_b += dy
    tl.store(dw_ptr + chunk * n + columns, tl.sum(acc_w, axis=0), mask=columns < n)
    if HAS_BIAS:
        tl.store(db_ptr + chunk * n + columns, tl.sum(acc_b, axis=0), mask=columns < n)


def _row_launch(n: int) -> dict:
    size = block(n, most=ROW_BLOCK)
    return {"SINGLE": n <= size, "BLOCK": size,
            "num_warps": 4 if size <= 1024 else 8}


def normalise_rows(x, weight, bias, eps: float, centred: bool):
    """y, ctx for x (..., *weight.shape) normalised over its trailing weight.ndim axes:
    layer norm (centred, bias β) or RMS norm (neither, bias None). Validated by the caller."""
    n = weight.numel()
    rows = x.numel() // n if n else 0
    y = torch.empty_like(x)
    mean, rstd = (torch.empty(rows, dtype=x.dtype, device=x.device) for _ in range(2))
    eps = scalars(x, eps)
    if y.numel():
        _rows_forward_kernel[(rows,)](x, weight, weight if bias is None else bias, y, mean,
                                      rstd, n, eps, CENTRED=centred,
                                      HAS_BIAS=bias is not None, **_row_launch(n))
    return y, (x, weight, mean, rstd, eps, centred)


def normalise_rows_backward(dy, ctx):
    """(dx, dweight, dbias) for normalise_rows' ctx; dbias is None without centring."""
    x, weight, mean, rstd, eps, centred = ctx
    dy = require_like("dy", dy, x, "x", x.shape)
    n = weight.numel()
    rows = x.numel() // n if n else 0
    dx = torch.empty_like(x)
    if dx.numel():
        _rows_backward_kernel[(rows,)](dy, x, weight, mean, rstd, dx, n, eps, CENTRED=centred,
                                       UNIT=n == 1 and not centred, **_row_launch(n))
    chunks = max(1, min(COLUMN_CHUNKS, triton.cdiv(rows, TILE_ROWS)))
    partial = [torch.empty((chunks, n), dtype=x.dtype, device=x.device) for _ in range(2)]
    if n:
        _column_sums_kernel[(triton.cdiv(n, TILE_COLUMNS), chunks)](
            dy, x, mean, rstd, *partial, rows, n, triton.cdiv(max(rows, 1), chunks),
            HAS_BIAS=centred, BLOCK_R=TILE_ROWS, BLOCK_N=TILE_COLUMNS)
    dweight, dbias = (_reduce.channel_sums(p, chunks, n, 1) if chunks > 1 else p.reshape(n)
                      for p in partial)
    return dx, dweight.reshape(weight.shape), dbias.reshape(weight.shape) if centred else None


def normalised_shape(x, weight, name: str):
    """Check that weight (name) is x's trailing axes, of x's dtype."""
    weight = require_like(name, weight, x, "x")
    k = weight.ndim
    if k < 1:
        raise ValueError(f"{name}: expected the normalised shape (x's trailing axes), got 0-d")
    if x.ndim < k or tuple(x.shape[x.ndim - k:]) != tuple(weight.shape):
        raise ValueError(f"x: trailing axes must be {name}'s shape {tuple(weight.shape)}, "
                         f"got shape {tuple(x.shape)}")
    return weight


def layer_norm_forward(x, gamma, beta, eps=1e-5):
    """y = γ (x - μ)/√(σ² + ε) + β with μ and the biased σ² of each example over the
    trailing axes γ covers (torch's F.layer_norm(x, gamma.shape, gamma, beta, eps))."""
    x = require_tensor("x", x)
    gamma = normalised_shape(x, gamma, "gamma")
    beta = require_like("beta", beta, x, "x", gamma.shape)
    return normalise_rows(x, gamma, beta, positive("eps", eps), centred=True)


def layer_norm_backward(dy, ctx):
    """dx as batch norm's with each example's statistics; dγ = Σ dy·x̂, dβ = Σ dy over the
    leading (example) axes."""
    return normalise_rows_backward(dy, ctx)
