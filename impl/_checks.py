"""Argument validation shared by the families: each helper names the argument it rejects
and says what was expected, so a misuse fails at the call, not deep inside NumPy."""

from __future__ import annotations

import numpy as np


def require_float(name: str, x) -> np.ndarray:
    """`x` as given, if it is a NumPy array of a floating dtype; TypeError otherwise."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected a numpy.ndarray, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating dtype, got {x.dtype}")
    return x


def require_same_dtype(name: str, x: np.ndarray, like: np.ndarray, like_name: str) -> None:
    """A parameter array must share the input's dtype (float32 stays float32)."""
    if x.dtype != like.dtype:
        raise TypeError(f"{name}: dtype {x.dtype} does not match {like_name}'s {like.dtype}")


def require_shape(name: str, x: np.ndarray, shape: tuple, why: str = "") -> None:
    """`x.shape` must equal `shape` exactly (no broadcasting)."""
    if x.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}{why}, got {x.shape}")


def require_choice(name: str, value, allowed) -> None:
    """`value` must be one of `allowed`."""
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {tuple(allowed)}, got {value!r}")


def require_positive(name: str, value) -> None:
    """A count or divisor (m, pieces) must be a positive number."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected a positive number, got {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}")


def hyper_float(name, value, what):
    """A real hyperparameter as a Python float (which never promotes float32); TypeError
    saying `what` was expected otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")
    return float(value)


def non_negative(name, value):
    """A rate or a weight decay: a float >= 0."""
    if not hyper_float(name, value, "a non-negative number") >= 0:
        raise ValueError(f"{name}: expected a non-negative number, got {value!r}")
    return float(value)


def positive(name, value):
    """An ε: a float > 0."""
    if not hyper_float(name, value, "a positive number") > 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}")
    return float(value)


def decay_rate(name, value):
    """A decay rate (β, ρ, α): in [0, 1), so the averages forget and 1 - β^t > 0."""
    if not 0 <= hyper_float(name, value, "a number in [0, 1)") < 1:
        raise ValueError(f"{name}: expected a number in [0, 1), got {value!r}")
    return float(value)


def require_fraction(name, value, low_open=False):
    """A number in [0, 1] (in (0, 1] when low_open): a momentum, a probability."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__}")
    if not (0 < value <= 1 if low_open else 0 <= value <= 1):
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"{name}: expected a number in {interval}, got {value!r}")
