"""Embedding (catalog §2, docs/notes.md): lookup and Euclidean nearest neighbour, their table
entries and their invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from nnconform.properties.cases import Case, normal, seeds, shapes
from nnconform.properties.optable import Op, invariant
from nnconform.properties.tolerances import assert_close


@st.composite
def embedding_cases(draw, dtype, variant=None):
    """A table (V, dim) and indices of any small shape; V is small, so indices repeat."""
    rows = draw(st.integers(1, 5), label="V")
    dim = draw(st.integers(1, 4), label="dim")
    shape = draw(shapes(max_dims=2), label="indices shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, rows, shape)
    return Case((indices, normal(rng, (rows, dim), dtype)), {}, seed)


def embedding_reduction(case: Case) -> int:
    indices, _ = case.arrays
    return int(np.bincount(indices.ravel()).max()) if indices.size else 1


SEPARATION = 0.5  # the least distance between two rows of a drawn table
NOISE = 0.1  # a query's distance from the row it was drawn near


@st.composite
def nearest_cases(draw, dtype, variant=None):
    """A table whose rows are at least SEPARATION apart, and queries each within NOISE of
    one row, so the nearest row is that one by a margin float32 resolves."""
    rows = draw(st.integers(1, 6), label="V")
    dim = draw(st.integers(1, 4), label="dim")
    count = draw(st.integers(1, 5), label="queries")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    table = normal(rng, (rows, dim), np.float64, 2.0)
    gaps = np.linalg.norm(table[:, None] - table[None], axis=-1) + np.eye(rows) * SEPARATION
    assume(gaps.min() >= SEPARATION)
    chosen = rng.integers(0, rows, count)
    step = rng.standard_normal((count, dim))
    step *= NOISE * rng.uniform(0, 1, (count, 1)) / np.linalg.norm(step, axis=1, keepdims=True)
    return Case(((table[chosen] + step).astype(dtype), table.astype(dtype)), {}, seed)


# --- invariants ------------------------------------------------------------------------


@invariant()
def embedding_repeated_indices_add_up(impl, case):
    """Row r of dW is the sum of dy over every position whose index is r: an index looked
    up k times gets k gradients added, none overwritten."""
    indices, weight = case.arrays
    dy = case.rng(1).standard_normal((*indices.shape, weight.shape[1])).astype(weight.dtype)
    (dweight,) = impl.grads("embedding", case.arrays, {}, dy, 1)
    flat_dy = dy.reshape(-1, weight.shape[1]).astype(np.float64)
    for row in range(weight.shape[0]):
        expected = flat_dy[indices.ravel() == row].sum(axis=0)
        assert_close(dweight[row], expected, what=f"dW[{row}] vs the sum of its positions' dy",
                     dtype=weight.dtype, reduction_length=embedding_reduction(case))


@invariant()
def embedding_is_a_one_hot_product(impl, case):
    """Looking a row up is multiplying its one-hot vector by the table [001]."""
    indices, weight = case.arrays
    one_hot = np.eye(weight.shape[0])[indices]
    assert_close(impl("embedding", indices, weight), one_hot @ weight.astype(np.float64),
                 what="lookup vs one-hot @ W", dtype=weight.dtype)


@invariant(cases=nearest_cases)
def embedding_nearest_row_is_itself(impl, case):
    """Every row of a table of distinct rows is its own nearest neighbour."""
    _, table = case.arrays
    found = impl("embedding_nearest", table, table)
    assert np.array_equal(found, np.arange(len(table))), f"rows' nearest rows are {found}"


OPS = [
    Op("embedding", family="embedding", formula="y = W[indices], a row per index [001]",
       inputs=("indices", "weight"), grads=("weight",), cases=embedding_cases,
       oracles=("torch", "numeric"), reduction=embedding_reduction,
       invariants=(embedding_repeated_indices_add_up, embedding_is_a_one_hot_product)),
    Op("embedding_nearest", family="embedding",
       formula="index = argmin_r ‖query - W[r]‖₂, ties to the lower r [001]",
       inputs=("queries", "weight"), cases=nearest_cases, outputs=("index",),
       integer_outputs=("index",), no_backward="an index has no gradient",
       oracles=("torch",), invariants=(embedding_nearest_row_is_itself,)),
]
