"""Data preparation (CATALOG section 6): input normalisation."""

from __future__ import annotations

import numpy as np

from ._checks import require_float, require_same_dtype, require_shape


def normalize_forward(x, mean=None, std=None):
    """Input normalisation [003]: y = (x - μ)/σ per feature, one example per row of x (m,
    ...). With mean and std None it fits them on x (μ the mean over rows, σ the population
    standard deviation, 1/m); given both (a training set's), it applies them, which is how
    a test set is normalised. A feature with σ exactly 0 is only centred (divided by 1).
    Returns (y, mean, std), None: no backward, this is preprocessing of data."""
    require_float("x", x)
    if x.ndim < 1 or x.shape[0] < 1:
        raise ValueError(f"x: expected at least one example (row), got shape {x.shape}")
    if (mean is None) != (std is None):
        raise ValueError("mean, std: pass both (apply a fit) or neither (fit on x)")
    if mean is None:
        mean, std = x.mean(axis=0), x.std(axis=0)
    else:
        for name, value in (("mean", mean), ("std", std)):
            require_float(name, value)
            require_same_dtype(name, value, x, "x")
            require_shape(name, value, x.shape[1:], " (one per feature, x's shape after axis 0)")
        if (std < 0).any():
            raise ValueError("std: expected non-negative standard deviations")
        mean, std = mean.copy(), std.copy()
    scale = np.where(std > 0, std, 1).astype(x.dtype)
    return ((x - mean) / scale, mean, std), None
