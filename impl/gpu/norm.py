"""Batch norm (catalog §2, docs/notes.md) in Triton: y = γ (x - μ)/√(σ² + ε) + β per channel [003],
with μ and σ² over every axis but 1 in train mode, the running statistics in eval mode.

Train mode takes two per-channel passes over x (μ, then Σ (x - μ)², which stays accurate
when |μ| is large against σ), one kernel for the O(C) work (1/σ and the running statistics,
updated as PyTorch does with the unbiased variance) and one elementwise pass for y. The
backward takes dβ = Σ dy and dγ = Σ dy·x̂ per channel, then one elementwise pass for
dx = (γ/σ)(dy - dβ/m - x̂·dγ/m) (train) or γ dy/σ (eval). Nothing is updated in place.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import triton
import triton.language as tl

from .._checks import positive, require_fraction
from . import _reduce
from ._runtime import grid, require_like, require_tensor, scalars

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
