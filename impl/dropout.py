"""Dropout (catalog §2, docs/notes.md), inverted as in the notes [001][003]."""

from __future__ import annotations

import numpy as np

from ._checks import require_float, require_shape


def dropout_forward(x, mask=None, keep_prob=0.5, training=True, rng=None):
    """Inverted dropout [003]: d = rand < keep_prob, a = a·d / keep_prob, so the expected
    output equals the input and nothing needs rescaling at test time; in eval mode
    (training=False) it is the identity [001].

    mask: a bool array of x's shape saying which units are kept; when None it is drawn
    from `rng`, a numpy.random.Generator (None: a fresh, unseeded one). In eval mode mask
    and rng are not used. Returns y, ctx."""
    require_float("x", x)
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, int | float | np.floating):
        raise TypeError(f"keep_prob: expected a number in (0, 1], got {keep_prob!r}")
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob: expected a number in (0, 1], got {keep_prob!r}")
    if not isinstance(training, bool | np.bool_):
        raise TypeError(f"training: expected a bool, got {type(training).__name__}")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    if not training:
        return x.copy(), None
    if mask is None:
        mask = (rng or np.random.default_rng()).random(x.shape) < keep_prob
    elif not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
        raise TypeError(f"mask: expected a bool numpy.ndarray, got "
                        f"{getattr(mask, 'dtype', type(mask).__name__)}")
    require_shape("mask", mask, x.shape, " (x's shape)")
    scale = mask / x.dtype.type(keep_prob)  # 1/keep_prob where kept, 0 where dropped
    return x * scale.astype(x.dtype), scale.astype(x.dtype)


def dropout_backward(dy, ctx):
    """The same mask and scale: dx = dy·d / keep_prob (dy itself in eval mode)."""
    scale = ctx
    return (dy.copy() if scale is None else dy * scale,)
