"""The work an op must do at a given shape, so a time becomes an achieved rate: bytes for
the memory-bound ops (GB/s), floating-point operations for the products (TFLOP/s).

Each model counts the least any implementation must do: every input read once and every
output written once (a kernel that reads x three times still gets credit for one), or the
multiply-adds of the product (2 FLOPs each). A model returns (forward, forward+backward);
an optimizer's, the bytes of one step.
"""

from __future__ import annotations

import math

GB, TFLOP = 1e9, 1e12


def elementwise(shape, itemsize: int) -> tuple[float, float]:
    """Forward: read x, write y. Backward: read what it keeps (x or y) and dy, write dx."""
    n = math.prod(shape) * itemsize
    return 2 * n, 5 * n


def cross_entropy(shape, itemsize: int) -> tuple[float, float]:
    """Forward: read the logits (and one index per row). Backward: read them again, write
    the gradient."""
    rows, classes = shape
    logits, indices = rows * classes * itemsize, rows * 8
    return logits + indices, 3 * logits + 2 * indices


def linear(shape, itemsize: int) -> tuple[float, float]:
    """y = x Wᵀ: 2·N·in·out FLOPs; the backward's dx and dW are two more products."""
    rows, n_in, n_out = shape
    product = 2 * rows * n_in * n_out
    return product, 3 * product


def conv2d(shape, itemsize: int) -> tuple[float, float]:
    """2·C·F·F multiply-adds per output element; dx and dW are two more products."""
    n, c, h, w, k, f, s, p = shape
    out = ((h + 2 * p - f) // s + 1) * ((w + 2 * p - f) // s + 1)
    product = 2 * n * k * out * c * f * f
    return product, 3 * product


def pool(shape, itemsize: int) -> tuple[float, float]:
    """Forward: read x, write y. Backward: read dy, write dx."""
    n, c, h, w, kernel, s, p = shape
    out = ((h + 2 * p - kernel) // s + 1) * ((w + 2 * p - kernel) // s + 1)
    x, y = n * c * h * w * itemsize, n * c * out * itemsize
    return x + y, 2 * (x + y)


def batch_norm(shape, itemsize: int) -> tuple[float, float]:
    """Forward: read x, write y. Backward: read x and dy, write dx."""
    n = math.prod(shape) * itemsize
    return 2 * n, 5 * n


def lstm(shape, itemsize: int) -> tuple[float, float]:
    """Per step, the four gates' products with x_t and h_(t-1); the backward's two more."""
    t, n, i, h = shape
    product = 2 * t * n * 4 * h * (i + h)
    return product, 3 * product


def gelu(shape, itemsize: int) -> tuple[float, float]:
    """An elementwise op's, on x (N, D): the shape's third number picks GELU's form."""
    return elementwise(shape[:2], itemsize)


def swiglu(shape, itemsize: int) -> tuple[float, float]:
    """x W₁ᵀ and x W₃ᵀ: 2·(2·N·D·H) FLOPs; the backward's dx (two products) and dW₁, dW₃
    are twice that."""
    n, d, hidden = shape
    product = 2 * 2 * n * d * hidden
    return product, 3 * product


def _row_norm(shape, itemsize: int, weights: int) -> tuple[float, float]:
    """x (..., D) normalised over D with `weights` vectors (D,). Forward: read x and the
    weights, write y. Backward: read x, dy and the scale (w or γ), write dx and each
    weight's gradient (the row statistics can be recomputed from x, so they are not counted)."""
    n, w = math.prod(shape) * itemsize, shape[-1] * itemsize
    return 2 * n + weights * w, 5 * n + (2 * weights + 1) * w


def rms_norm(shape, itemsize: int) -> tuple[float, float]:
    """RMSNorm's: the weight w."""
    return _row_norm(shape, itemsize, 1)


def layer_norm(shape, itemsize: int) -> tuple[float, float]:
    """Layer norm's: γ and β (β's gradient needs only dy, but is written all the same)."""
    return _row_norm(shape, itemsize, 2)


def rotary_embedding(shape, itemsize: int) -> tuple[float, float]:
    """x (B, H, S, D). Forward: read x and the S positions (int64), write y; cos and sin
    are computed, not read. Backward (the rotation back): read dy and the positions, write
    dx."""
    x, positions = math.prod(shape) * itemsize, shape[2] * 8
    return 2 * x + positions, 2 * (2 * x + positions)


def attention(shape, itemsize: int) -> tuple[float, float]:
    """(B, Hq, Hkv, S, D, causal): q kᵀ and the weights by v, 2·S·S·D FLOPs each per query
    head, half of them where causal hides the later keys; the backward 2.5 times the
    forward (dV, dP, dQ and dK, and the recomputed q kᵀ), as FlashAttention counts."""
    b, hq, _, s, d, causal = shape
    forward = 4 * b * hq * s * s * d // (2 if causal else 1)
    return forward, 7 * forward // 2


def optimizer_step(params: int, itemsize: int, arrays: int) -> float:
    """Bytes of one step that reads and writes `arrays` parameter-sized arrays in all
    (sgd: read w and g, write w: 3)."""
    return params * itemsize * arrays


# --- the GEMMs inside the products, each (m, k, n): an (m × k) by (k × n) product ------------


def linear_gemms(shape) -> tuple[list, list]:
    """Forward: x (N × in) by Wᵀ (in × out); backward: dx = dy W and dW = dyᵀ x."""
    rows, n_in, n_out = shape
    return [(rows, n_in, n_out)], [(rows, n_out, n_in), (n_out, rows, n_in)]


def conv2d_gemms(shape) -> tuple[list, list]:
    """As an implicit GEMM: the patches (N·Ho·Wo × C·F·F) by the filters (C·F·F × K); the
    backward's d(patches) = dy W and dW = dyᵀ patches."""
    n, c, h, w, k, f, s, p = shape
    pixels = n * ((h + 2 * p - f) // s + 1) * ((w + 2 * p - f) // s + 1)
    patch = c * f * f
    return [(pixels, patch, k)], [(pixels, k, patch), (k, pixels, patch)]


def swiglu_gemms(shape) -> tuple[list, list]:
    """Forward: x (N × D) by W₁ᵀ and by W₃ᵀ (D × H); backward: dx = da W₁ + db W₃, dW₁ = daᵀ x
    and dW₃ = dbᵀ x."""
    n, d, hidden = shape
    return [(n, d, hidden)] * 2, [(n, hidden, d)] * 2 + [(hidden, n, d)] * 2


GEMMS = {"linear": linear_gemms, "conv2d": conv2d_gemms, "swiglu": swiglu_gemms}
