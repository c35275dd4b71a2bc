"""The numeric oracle: two-sided finite differences in float64 [003].

The notes' gradient check compares (f(θ+ε) - f(θ-ε)) / 2ε with the analytic gradient by the
relative error ‖a - b‖₂ / (‖a‖₂ + ‖b‖₂); below 1e-7 the gradient is taken to be right.

For speed the default check is directional: for a random direction u and an upstream
gradient v it compares the numeric ⟨v, J u⟩ with the analytic ⟨Jᵀv, u⟩, which costs two
forward calls per direction instead of two per input element. When that fails,
`gradient` differences element by element to show where the analytic gradient is wrong.

Nothing here knows any op: it differences whatever function it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

EPSILON = 1e-6
"""Step of the differences. The notes use 1e-7; 1e-6 balances truncation (ε²) against the
roundoff of float64 (eps/ε) better for functions of unit scale."""

THRESHOLD = 1e-7
"""The notes' bound on the relative error for a correct gradient [003]."""

Forward = Callable[..., np.ndarray]


def relative_error(a, b) -> float:
    """‖a - b‖₂ / (‖a‖₂ + ‖b‖₂), the notes' measure; 0 when both are zero."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def _inner(f: Forward, arrays: Sequence, upstream: np.ndarray) -> tuple[float, float]:
    """⟨v, f(arrays)⟩ and the sum of its terms' magnitudes (for the roundoff estimate)."""
    terms = upstream * np.asarray(f(*arrays), dtype=np.float64)
    return float(terms.sum()), float(np.abs(terms).sum())


def _shifted(arrays: Sequence, index: int, shift: np.ndarray) -> list:
    moved = list(arrays)
    moved[index] = arrays[index] + shift
    return moved


@dataclass(frozen=True)
class DirectionalResult:
    """The outcome of the directional check for one input."""

    numeric: np.ndarray  # ⟨v, J u⟩ by differences, one per direction
    analytic: np.ndarray  # ⟨Jᵀv, u⟩ from the gradient under test
    roundoff: float  # the differences' own error bound from float64 roundoff
    error: float  # the notes' relative error between the two

    @property
    def ok(self) -> bool:
        # Either the notes' criterion holds, or the two differ by no more than the
        # differences themselves can resolve (a directional derivative near zero).
        gap = float(np.linalg.norm(self.numeric - self.analytic))
        return self.error < THRESHOLD or gap <= self.roundoff


def directional_check(
    f: Forward,
    arrays: Sequence[np.ndarray],
    index: int,
    gradient: np.ndarray,
    upstream: np.ndarray,
    rng: np.random.Generator,
    directions: int = 2,
    eps: float = EPSILON,
) -> DirectionalResult:
    """Compare ⟨v, J u⟩ by two-sided differences with ⟨gradient, u⟩ for random u.

    `f` maps the float64 `arrays` to an output; `gradient` is the claimed Jᵀv with respect
    to `arrays[index]` for the upstream gradient v = `upstream`.
    """
    x = np.asarray(arrays[index], dtype=np.float64)
    numeric, analytic, magnitude = [], [], 0.0
    for _ in range(directions):
        u = rng.standard_normal(x.shape)
        plus, size_plus = _inner(f, _shifted(arrays, index, eps * u), upstream)
        minus, size_minus = _inner(f, _shifted(arrays, index, -eps * u), upstream)
        numeric.append((plus - minus) / (2 * eps))
        analytic.append(float(np.sum(np.asarray(gradient, dtype=np.float64) * u)))
        magnitude = max(magnitude, size_plus + size_minus)
    numeric, analytic = np.array(numeric), np.array(analytic)
    # f's own rounding is eps times the size of what it computes, which can exceed its
    # output: the cross-entropy of a confident prediction is a small difference of logits
    # of size |x|. So the bound takes the larger of the output's size and Σ|v|·max|x|.
    inputs = max((float(np.abs(a).max()) for a in arrays
                  if a is not None and np.asarray(a).dtype.kind == "f" and np.size(a)),
                 default=0.0)
    magnitude = max(magnitude, float(np.abs(upstream).sum()) * inputs)
    roundoff = 16 * np.finfo(np.float64).eps * magnitude / (2 * eps)
    return DirectionalResult(numeric, analytic, roundoff, relative_error(numeric, analytic))


def gradient(
    f: Forward, arrays: Sequence[np.ndarray], index: int, upstream: np.ndarray,
    eps: float = EPSILON,
) -> np.ndarray:
    """Jᵀv with respect to `arrays[index]`, element by element, by two-sided differences."""
    x = np.asarray(arrays[index], dtype=np.float64)
    result = np.zeros_like(x)
    for position in np.ndindex(x.shape):
        unit = np.zeros_like(x)
        unit[position] = eps
        plus, _ = _inner(f, _shifted(arrays, index, unit), upstream)
        minus, _ = _inner(f, _shifted(arrays, index, -unit), upstream)
        result[position] = (plus - minus) / (2 * eps)
    return result


def jacobian(f: Forward, x: np.ndarray, eps: float = EPSILON) -> np.ndarray:
    """The full Jacobian ∂f/∂x, shape f(x).shape + x.shape, by two-sided differences."""
    x = np.asarray(x, dtype=np.float64)
    columns = []
    for position in np.ndindex(x.shape):
        unit = np.zeros_like(x)
        unit[position] = eps
        columns.append((np.asarray(f(x + unit)) - np.asarray(f(x - unit))) / (2 * eps))
    out_shape = np.shape(f(x))
    return np.stack(columns, axis=-1).reshape(out_shape + x.shape)


def one_sided_jacobian(f: Forward, x: np.ndarray, eps: float = EPSILON) -> np.ndarray:
    """∂f/∂x by one-sided differences (f(x + ε) - f(x))/ε, whose error is O(ε) where the
    two-sided one's is O(ε²) [003]. No check uses it: it is here to show why they don't."""
    x = np.asarray(x, dtype=np.float64)
    base = np.asarray(f(x))
    columns = []
    for position in np.ndindex(x.shape):
        unit = np.zeros_like(x)
        unit[position] = eps
        columns.append((np.asarray(f(x + unit)) - base) / eps)
    return np.stack(columns, axis=-1).reshape(base.shape + x.shape)
