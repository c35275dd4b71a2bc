"""Batch norm (catalog §2, docs/notes.md): z_norm = (z - μ)/√(σ² + ε) per channel, with μ and σ²
taken over the batch in train mode, the running statistics in eval mode, then scaled and
shifted by the learned γ and β [003]."""

from __future__ import annotations

import numpy as np

from ._checks import (
    positive,
    require_float,
    require_fraction,
    require_same_dtype,
    require_shape,
)


def _per_channel(x, name, vector):
    """Check a per-channel vector (C,) and return it shaped to broadcast along axis 1."""
    require_float(name, vector)
    require_same_dtype(name, vector, x, "x")
    require_shape(name, vector, (x.shape[1],), " (one per channel, x's axis 1)")
    return vector.reshape(1, -1, *[1] * (x.ndim - 2))


# --- batch norm --------------------------------------------------------------------------


def batch_norm_forward(x, gamma, beta, running_mean, running_var, training=True,
                       momentum=0.1, eps=1e-5):
    """y = γ (x - μ)/√(σ² + ε) + β per channel [003]. x is (N, C) or (N, C, ...): the
    statistics of channel c are over every axis but 1, so N·H·W values for (N, C, H, W).

    Train mode uses the batch's μ and (biased) σ², and returns the running statistics
    updated as PyTorch does: new = (1 - momentum)·old + momentum·batch, with the unbiased
    batch variance (× m/(m-1)). Eval mode uses running_mean and running_var and returns
    them unchanged. Nothing is updated in place: returns (y, new_mean, new_var), ctx."""
    require_float("x", x)
    if x.ndim < 2:
        raise ValueError(f"x: expected shape (N, C) or (N, C, ...), got {x.shape}")
    if not isinstance(training, bool | np.bool_):
        raise TypeError(f"training: expected a bool, got {type(training).__name__}")
    require_fraction("momentum", momentum)
    positive("eps", eps)
    g, b, mean, var = (_per_channel(x, name, v) for name, v in (
        ("gamma", gamma), ("beta", beta), ("running_mean", running_mean),
        ("running_var", running_var)))
    axes = (0, *range(2, x.ndim))
    m = x.size // x.shape[1]  # values per channel
    if training:
        if m < 2:
            raise ValueError(f"x: train mode needs more than one value per channel to take "
                             f"a variance, got shape {x.shape}")
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean  # once: the variance, y and the backward all start from it
        var = (centred * centred).mean(axis=axes, keepdims=True)
        new_mean = (1 - momentum) * running_mean + momentum * mean.ravel()
        new_var = (1 - momentum) * running_var + momentum * var.ravel() * (m / (m - 1))
    else:
        centred = x - mean
        new_mean, new_var = running_mean.copy(), running_var.copy()
    inv_std = 1 / np.sqrt(var + eps)
    y = centred * (g * inv_std)  # γ x̂ without forming x̂ = (x - μ)/σ on its own
    y += b
    return (y, new_mean.astype(x.dtype), new_var.astype(x.dtype)), (
        centred, g, inv_std, training, m)


def batch_norm_backward(dy, ctx):
    """dβ = Σ dy and dγ = Σ dy·x̂ over every axis but 1, with x̂ = (x - μ)/σ. In train mode
    μ and σ² depend on x, so dx has three terms: dx = (γ/σ)(dy - mean(dy) - x̂·mean(dy·x̂)),
    where the two means are dβ/m and dγ/m, the sums just taken. In eval mode the
    statistics are constants and dx = γ dy / σ."""
    centred, g, inv_std, training, m = ctx
    axes = (0, *range(2, dy.ndim))
    per_channel = (1, -1, *[1] * (dy.ndim - 2))
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * centred).sum(axis=axes) * inv_std.ravel()
    if training:
        dx = dy - dbeta.reshape(per_channel) / m
        dx -= centred * (inv_std * dgamma.reshape(per_channel) / m)  # x̂·dγ/m
        dx *= g * inv_std
    else:
        dx = dy * (g * inv_std)
    return dx, dgamma, dbeta
