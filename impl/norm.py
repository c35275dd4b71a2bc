"""Normalisation layers (catalog §2, docs/notes.md). Batch norm: z_norm = (z - μ)/√(σ² + ε)
per channel, with μ and σ² taken over the batch in train mode, the running statistics in
eval mode, then scaled and shifted by the learned γ and β [003]. Layer norm and group norm
(beyond the notes) take the same statistics per example instead: over its trailing axes,
or over each group of its channels."""

from __future__ import annotations

import numpy as np

from ._blocks import in_row_blocks
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


# --- layer norm and group norm: the same statistics, taken per example ----------------------


def _normalise(x, axes, eps):
    """(x̂, 1/σ) with μ and the biased σ² over `axes`, kept for broadcasting."""
    centred = x - x.mean(axis=axes, keepdims=True)
    inv_std = 1 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
    return centred * inv_std, inv_std


def _normalise_backward(dxhat, xhat, inv_std, axes):
    """dx = (1/σ)(dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂)) over `axes`: batch norm's three terms
    [003], the means over whatever set shares one μ and σ."""
    return inv_std * (dxhat - dxhat.mean(axis=axes, keepdims=True)
                      - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True))


def _affine(x, gamma, beta, shape, why):
    for name, vector in (("gamma", gamma), ("beta", beta)):
        require_float(name, vector)
        require_same_dtype(name, vector, x, "x")
        require_shape(name, vector, shape, why)


def layer_norm_forward(x, gamma, beta, eps=1e-5):
    """y = γ (x - μ)/√(σ² + ε) + β with μ and the biased σ² of each example over the
    trailing axes γ covers (Ba, Kiros & Hinton 2016; torch's F.layer_norm with
    normalized_shape = gamma.shape): x (..., *gamma.shape), gamma and beta alike."""
    require_float("x", x)
    require_float("gamma", gamma)
    if gamma.ndim < 1:
        raise ValueError("gamma: expected the normalised shape (x's trailing axes), got 0-d")
    k = gamma.ndim
    if x.ndim < k or x.shape[x.ndim - k:] != gamma.shape:
        raise ValueError(f"x: trailing axes must be gamma's shape {gamma.shape}, got "
                         f"shape {x.shape}")
    _affine(x, gamma, beta, gamma.shape, " (gamma's: the normalised shape)")
    eps = positive("eps", eps)
    rows = x.reshape(-1, gamma.size)  # one row per example: its normalised values
    g, b = gamma.reshape(-1), beta.reshape(-1)

    def rule(rows):
        xhat, inv_std = _normalise(rows, 1, eps)
        y = xhat * g
        y += b
        return y, xhat, inv_std

    # whole rows in cache-sized groups (impl/_blocks.py): the temporaries stay in L2
    y, xhat, inv_std = in_row_blocks(rule, rows)
    return y.reshape(x.shape), (xhat, inv_std, g, x.shape, gamma.shape)


def layer_norm_backward(dy, ctx):
    """dβ = Σ dy and dγ = Σ dy·x̂ over the examples; dx as batch norm's with the statistics
    of each example: dx̂ = γ dy, then _normalise_backward, on groups of whole rows."""
    xhat, inv_std, g, x_shape, gamma_shape = ctx
    rows = dy.reshape(xhat.shape)
    (dx,) = in_row_blocks(lambda dy, xhat, inv_std: (
        _normalise_backward(dy * g, xhat, inv_std, 1),), rows, xhat, inv_std)
    dgamma = np.einsum("ij,ij->j", rows, xhat)  # Σ dy·x̂ without a full-size product
    return dx.reshape(x_shape), dgamma.reshape(gamma_shape), rows.sum(axis=0).reshape(gamma_shape)


def group_norm_forward(x, gamma, beta, groups=1, eps=1e-5):
    """Group norm (Wu & He 2018; torch's F.group_norm): x (N, C, *spatial) with its C
    channels split into `groups` consecutive groups of C/groups; μ and the biased σ² of
    each example's group over its channels and positions; then γ, β (C,) per channel.
    groups = 1 is layer norm over (C, *spatial), groups = C instance norm."""
    require_float("x", x)
    if x.ndim < 2:
        raise ValueError(f"x: expected shape (N, C, *spatial), got {x.shape}")
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer):
        raise TypeError(f"groups: expected a positive int, got {type(groups).__name__}")
    if groups < 1 or x.shape[1] % groups:
        raise ValueError(f"groups: expected a positive divisor of the channels C = "
                         f"{x.shape[1]}, got {groups}")
    _affine(x, gamma, beta, (x.shape[1],), " (one per channel, x's axis 1)")
    per_group = x.shape[1] // groups * int(np.prod(x.shape[2:]))  # C/G · spatial
    grouped = x.reshape(x.shape[0], int(groups), per_group)  # (N, G, C/G · spatial)
    xhat, inv_std = _normalise(grouped, 2, positive("eps", eps))
    g, b = (v.reshape(1, -1, *[1] * (x.ndim - 2)) for v in (gamma, beta))
    return xhat.reshape(x.shape) * g + b, (xhat, inv_std, g)


def group_norm_backward(dy, ctx):
    """dβ = Σ dy and dγ = Σ dy·x̂ over every axis but the channels; dx̂ = γ dy, taken back
    through each group's statistics as in _normalise_backward."""
    xhat, inv_std, g = ctx
    axes = (0, *range(2, dy.ndim))
    dxhat = (dy * g).reshape(xhat.shape)
    dx = _normalise_backward(dxhat, xhat, inv_std, 2).reshape(dy.shape)
    return dx, (dy * xhat.reshape(dy.shape)).sum(axis=axes), dy.sum(axis=axes)
