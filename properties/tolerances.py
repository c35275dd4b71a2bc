"""How close is close enough, and the one comparison every check uses.

The base tolerances are torch.testing's defaults for the dtype of the implementation's
result. Where the op sums K terms (a softmax row, a dot product, a mean), rounding error
grows with K (each addition may lose half an ulp), so both bounds are scaled by K: the
op table states K for each op as a function of the case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# torch.testing.assert_close defaults (rtol, atol) per dtype.
BASE = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    @classmethod
    def for_dtype(cls, dtype, reduction_length: int = 1) -> Tolerance:
        try:
            rtol, atol = BASE[np.dtype(dtype)]
        except KeyError:
            raise TypeError(
                f"no tolerance for dtype {np.dtype(dtype)}; expected a float dtype") from None
        scale = max(1, int(reduction_length))
        return cls(rtol * scale, atol * scale)


def assert_close(actual, expected, *, what: str, dtype=None, reduction_length: int = 1):
    """Assert |actual - expected| <= atol + rtol·|expected| elementwise, NaN and inf matching.

    `dtype` picks the tolerance (default: actual's dtype); the message names `what`, the
    worst element and both bounds."""
    actual_array = np.asarray(actual)
    expected = np.asarray(expected, dtype=np.float64)
    tolerance = Tolerance.for_dtype(dtype or actual_array.dtype, reduction_length)
    if actual_array.shape != expected.shape:
        raise AssertionError(
            f"{what}: shape {actual_array.shape}, expected {expected.shape}"
        )
    actual = actual_array.astype(np.float64)
    same_special = (np.isnan(actual) & np.isnan(expected)) | (
        np.isinf(expected) & (actual == expected)
    )
    with np.errstate(invalid="ignore"):  # inf - inf where both are the same infinity
        error = np.where(same_special, 0.0, np.abs(actual - expected))
    error = np.where(np.isnan(error), np.inf, error)
    allowed = tolerance.atol + tolerance.rtol * np.where(np.isinf(expected), 0, np.abs(expected))
    bad = error > allowed
    if bad.any():
        worst = np.unravel_index(np.argmax(np.where(bad, error - allowed, -np.inf)), error.shape)
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} elements differ; worst at index "
            f"{tuple(int(i) for i in worst)}: got {float(actual[worst])!r}, expected "
            f"{float(expected[worst])!r} (|diff| {error[worst]:.3g} > atol {tolerance.atol:.3g} "
            f"+ rtol {tolerance.rtol:.3g}·|expected|)"
        )
