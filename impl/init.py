"""Weight initialisers (catalog §5, docs/notes.md): small normal, Xavier, Glorot and He.

Every initialiser is a fixed scaling of a standard-normal draw z of the weight's shape:
W = z·std, with a zero bias. Like dropout's mask, the draw may be given (`z`), which makes
the op a deterministic function the suite can compare with an oracle, or left to `rng`, a
numpy.random.Generator, as a user would: `W, b = he_normal_forward(shape=(out, in),
rng=rng)[0]`.

The weight's shape is linear's (n_out, n_in), or a convolution's (n_out, n_in, kh, kw, ...):
as in torch, fan_in = n_in·kh·kw and fan_out = n_out·kh·kw (a unit of the next layer sums
fan_in inputs). The bias has shape (n_out,).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import require_float, require_positive
from .data import _float_dtype


def _draw(z, shape, dtype, rng):
    """z itself if given (then shape and dtype must be None), else a fresh standard-normal
    draw of `shape` in `dtype` (None: float64) from `rng` (None: an unseeded Generator)."""
    if z is not None:
        require_float("z", z)
        for name, value in (("shape", shape), ("dtype", dtype), ("rng", rng)):
            if value is not None:
                raise ValueError(f"{name}: pass either z (an explicit draw) or shape, dtype "
                                 f"and rng, not both")
    else:
        if shape is None:
            raise ValueError("shape: expected the weight's shape (n_out, n_in, ...) when z "
                             "is None")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: expected a numpy.random.Generator, got "
                            f"{type(rng).__name__}")
        dtype = _float_dtype("dtype", np.float64 if dtype is None else dtype)
        try:
            shape = tuple(int(side) for side in shape)
        except (TypeError, ValueError):
            raise TypeError(f"shape: expected a tuple of ints, got {shape!r}") from None
        _require_weight_shape("shape", shape)
        # The Generator draws float32 and float64 natively; other floats are rounded.
        native = dtype if dtype in (np.float32, np.float64) else np.float64
        return (rng or np.random.default_rng()).standard_normal(shape, native).astype(dtype)
    _require_weight_shape("z", z.shape)
    return z


def _require_weight_shape(name, shape):
    if len(shape) < 2 or min(shape) < 1:
        raise ValueError(f"{name}: expected a nonempty weight shape (n_out, n_in, ...), got "
                         f"{shape}")


def _fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _scaled(z, std):
    """(W, b), None: W = z·std in z's dtype, b zero; an initialiser has no backward."""
    return (z * z.dtype.type(std), np.zeros(z.shape[0], dtype=z.dtype)), None


def small_normal_forward(z=None, shape=None, dtype=None, rng=None, scale=0.01):
    """W = randn·0.01, b = 0 [003]: small, so tanh and sigmoid units start where their
    slope is large, and random, so the hidden units are not all the same (zeros would keep
    them identical under gradient descent). Var(W) = scale²."""
    require_positive("scale", scale)
    return _scaled(_draw(z, shape, dtype, rng), scale)


def xavier_normal_forward(z=None, shape=None, dtype=None, rng=None):
    """Xavier as in the notes: Var(W) = 1/n_in, "the constant 1, for tanh" [003], so a unit
    summing n_in inputs of unit variance has unit variance too. This is torch's
    kaiming_normal_ with nonlinearity="linear" (LeCun normal), not torch's xavier_normal_,
    which is glorot_normal here."""
    z = _draw(z, shape, dtype, rng)
    fan_in, _ = _fans(z.shape)
    return _scaled(z, math.sqrt(1 / fan_in))


def glorot_normal_forward(z=None, shape=None, dtype=None, rng=None):
    """Glorot: Var(W) = 2/(n_in + n_out), which keeps the variance of the forward signal
    and of the backward gradient alike on average (torch.nn.init.xavier_normal_)."""
    z = _draw(z, shape, dtype, rng)
    fan_in, fan_out = _fans(z.shape)
    return _scaled(z, math.sqrt(2 / (fan_in + fan_out)))


def he_normal_forward(z=None, shape=None, dtype=None, rng=None):
    """He: Var(W) = 2/n_in, "the constant 2, for ReLU" [003]: ReLU zeroes half of a
    symmetric input, halving its mean square, and the 2 restores it, so activations keep
    their scale through a deep ReLU stack (torch's kaiming_normal_, mode="fan_in",
    nonlinearity="relu")."""
    z = _draw(z, shape, dtype, rng)
    fan_in, _ = _fans(z.shape)
    return _scaled(z, math.sqrt(2 / fan_in))
