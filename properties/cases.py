"""What a property is run on: a Case, and the Hypothesis building blocks that draw one.

Hypothesis draws shapes, hyperparameters and a seed; the arrays are made from the seed, so a
failing example shrinks to the smallest shape and the simplest seed while staying cheap to
draw. Values that sit on a kink (relu at 0, a max-pool tie) are moved off it by
construction, so gradient checks never straddle one; the kinks have properties of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

FLOAT_DTYPES = ("float32", "float64")
SMALL = 24  # arrays up to this many elements are printed in full in a counterexample


def _show(array) -> str:
    if array is None:
        return "None"
    array = np.asarray(array)
    head = f"{array.dtype}{list(array.shape)}"
    if array.size <= SMALL:
        values = np.array2string(array, precision=6, separator=", ", threshold=SMALL)
        return f"{head} {' '.join(values.split())}"
    return f"{head} (range {array.min():.4g} .. {array.max():.4g})"


@dataclass(frozen=True)
class Case:
    """The arrays of one call, in the op's argument order, its hyperparameters and a seed
    for whatever else the check draws (the upstream gradient, directions)."""

    arrays: tuple
    hyper: dict = field(default_factory=dict)
    seed: int = 0

    def rng(self, salt: int = 0) -> np.random.Generator:
        return np.random.default_rng([self.seed, salt])

    def as_float64(self) -> tuple:
        return tuple(
            a.astype(np.float64) if a is not None and a.dtype.kind == "f" else a
            for a in self.arrays
        )

    def with_arrays(self, *arrays) -> Case:
        return Case(tuple(arrays), self.hyper, self.seed)

    def __repr__(self) -> str:
        shown = ", ".join(_show(a) for a in self.arrays)
        return f"Case(arrays=({shown}), hyper={self.hyper}, seed={self.seed})"

    def _repr_pretty_(self, printer, cycle) -> None:
        # Hypothesis prints a falsifying example with this hook: keep it compact.
        printer.text(repr(self))


# --- building blocks ---------------------------------------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def shapes(min_dims=1, max_dims=3, min_side=1, max_side=6):
    return st.lists(
        st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims
    ).map(tuple)


def normal(rng: np.random.Generator, shape, dtype, scale=1.0) -> np.ndarray:
    return (scale * rng.standard_normal(shape)).astype(dtype)


def uniform(rng: np.random.Generator, shape, dtype, low, high) -> np.ndarray:
    return rng.uniform(low, high, shape).astype(dtype)


def away_from(x: np.ndarray, kink: float = 0.0, margin: float = 1e-2) -> np.ndarray:
    """Move every value closer than `margin` to `kink` out to kink ± margin, keeping its side."""
    offset = x - kink
    side = np.where(offset < 0, -1.0, 1.0)
    return np.where(np.abs(offset) < margin, kink + side * margin, x).astype(x.dtype)


def untied(x: np.ndarray, axis: int = -1, gap: float = 1e-2) -> np.ndarray:
    """Spread values along `axis` so that no two in a slice are closer than `gap`, keeping
    the draw's order (ties broken by position): maxima are then unique."""
    order = np.argsort(np.argsort(x, axis=axis, kind="stable"), axis=axis)
    ascending = np.sort(x.astype(np.float64), axis=axis)
    steps = np.maximum(np.diff(ascending, axis=axis), gap)
    first = np.take(ascending, [0], axis=axis)
    spread = np.concatenate([first, first + np.cumsum(steps, axis=axis)], axis=axis)
    return np.take_along_axis(spread, order, axis=axis).astype(x.dtype)


@st.composite
def elementwise(draw, dtype, scale=3.0, kink=None, max_dims=3):
    """One float array of any small shape, N(0, scale²), off `kink` when one is given."""
    shape = draw(shapes(max_dims=max_dims), label="shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, shape, np.float64, scale)
    if kink is not None:
        x = away_from(x, kink)
    return Case((x.astype(dtype),), {}, seed)


@st.composite
def at_kinks(draw, dtype, kink=0.0, scale=3.0, max_dims=3):
    """One float array with about a third of its values exactly at `kink` (one at least),
    the rest N(0, scale²): where a piecewise op's derivative is a convention."""
    shape = draw(shapes(max_dims=max_dims), label="shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, shape, np.float64, scale)
    on = rng.random(shape) < 1 / 3
    on.flat[rng.integers(x.size)] = True
    x[on] = kink
    return Case((x.astype(dtype),), {}, seed)


def any_variant(cases, variants):
    """An op's cases under any of its named variants (drawn), for an invariant or the edges."""
    return lambda dtype: st.sampled_from(sorted(variants)).flatmap(
        lambda name: cases(dtype, variants[name]))


def scaled_edges(cases, variants):
    """A strategy for an op's edges: its first input, x, times 1e4 or 1e-4 under any variant
    (a norm's σ² or mean(x²) far above or below ε): outputs and gradients must stay finite
    and right."""

    @st.composite
    def edges(draw, dtype):
        variant = draw(st.sampled_from(sorted(variants)), label="variant")
        case = draw(cases(dtype, variants[variant]))
        factor = draw(st.sampled_from((1e4, 1e-4)), label="scale")
        x, *rest = case.arrays
        return case.with_arrays((x.astype(np.float64) * factor).astype(dtype), *rest)

    return edges
