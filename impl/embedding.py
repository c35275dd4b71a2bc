"""Embedding (catalog §2, docs/notes.md): a table of word vectors, one row per index [001]."""

from __future__ import annotations

import numpy as np

from ._checks import require_float, require_same_dtype


def _require_indices(indices, rows):
    if not isinstance(indices, np.ndarray) or indices.dtype.kind not in "iu":
        raise TypeError(f"indices: expected an integer numpy.ndarray, got "
                        f"{getattr(indices, 'dtype', type(indices).__name__)}")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise ValueError(f"indices: expected values in [0, {rows}) (weight's rows), got "
                         f"{indices.min()}..{indices.max()}")


def _require_table(weight):
    require_float("weight", weight)
    if weight.ndim != 2:
        raise ValueError(f"weight: expected a table (num_embeddings, dim), got {weight.shape}")


def embedding_forward(indices, weight):
    """y[...] = weight[indices[...]]: selecting a word's row of the weights is the same as
    multiplying its one-hot vector by them [001]. indices any shape, y indices.shape + (dim,)."""
    _require_table(weight)
    _require_indices(indices, weight.shape[0])
    return weight[indices], (indices.copy(), weight.shape)


def embedding_backward(dy, ctx):
    """Each row of dW is the sum of dy over every position that looked it up: an index
    used twice gets both gradients, not the last one."""
    indices, shape = ctx
    dweight = np.zeros(shape, dtype=dy.dtype)
    np.add.at(dweight, indices.ravel(), dy.reshape(-1, shape[1]))
    return (dweight,)


def embedding_nearest_forward(queries, weight):
    """The row of weight nearest to each query by Euclidean distance, as the notes compare
    word vectors [001]; ties go to the lower index. queries (..., dim) -> index (...,)."""
    _require_table(weight)
    require_float("queries", queries)
    require_same_dtype("queries", queries, weight, "weight")
    if queries.ndim == 0 or queries.shape[-1] != weight.shape[1]:
        raise ValueError(f"queries: last axis must be weight's dim {weight.shape[1]}, got "
                         f"shape {queries.shape}")
    if weight.shape[0] == 0:
        raise ValueError("weight: the table has no rows to be nearest to")
    # ‖q - w‖² = ‖q‖² - 2 q·w + ‖w‖²; ‖q‖² is the same for every row, so it is left out.
    scores = (weight * weight).sum(axis=1) - 2 * queries @ weight.T
    # A query holding NaN or ±inf is equally far (NaN or inf) from every finite row, which
    # the expansion above does not see: its index is the first row, as torch's argmin says.
    scores[~np.isfinite(queries).all(axis=-1)] = 0
    return np.argmin(scores, axis=-1).astype(np.int64), None
