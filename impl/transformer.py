"""A transformer's blocks beyond the notes (docs/transformer.md): the GELU and SiLU
activations, the SwiGLU gate of the Llama MLP, RMSNorm and rotary position embeddings,
forward and hand-written backward in NumPy. Attention is impl/attention.py.

Each op keeps the input's float dtype: constants are Python floats (which NumPy does not
promote) and Φ is SciPy's ufunc, which keeps float32 as float32.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from ._blocks import in_blocks
from ._checks import hyper_float, positive, require_choice, require_float, require_same_dtype
from .activations import sigmoid_forward

# --- activations -------------------------------------------------------------------------

GELU_APPROXIMATIONS = ("none", "tanh")
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
TANH_CUBIC = 0.044715  # Hendrycks & Gimpel's fit of Φ by tanh
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def gelu_forward(x, approximate="none"):
    """GELU(x) = x·Φ(x), Φ the standard normal CDF (Hendrycks & Gimpel 2016). Φ is SciPy's
    ndtr, which for x < 0 goes through erfc and so keeps its relative accuracy in the
    tail, where ½(1 + erf(x/√2)) cancels. approximate="tanh":
    ½x(1 + tanh(√(2/π)(x + 0.044715x³))), the form GPT-2 and BERT were trained with.
    Both run on cache-sized blocks (impl/_blocks.py); x³ is x·x·x (NumPy's x**3 is a
    general power, 50x slower)."""
    require_float("x", x)
    require_choice("approximate", approximate, GELU_APPROXIMATIONS)
    if approximate == "tanh":
        def rule(x):
            t = np.tanh(SQRT_2_OVER_PI * (x + TANH_CUBIC * (x * x * x)))
            return 0.5 * x * (1 + t), t
    else:
        def rule(x):
            cdf = ndtr(x).astype(x.dtype, copy=False)  # float16 comes back float64
            return x * cdf, cdf
    y, saved = in_blocks(rule, x)
    return y, (x, saved, approximate)


def gelu_backward(dy, ctx):
    """Exact: (x·Φ(x))' = Φ(x) + x·φ(x), φ(x) = e^{-x²/2}/√(2π). The tanh form, with
    t = tanh(u), u = √(2/π)(x + 0.044715x³): ½(1 + t) + ½x(1 - t²)·√(2/π)(1 + 3·0.044715x²)."""
    x, saved, approximate = ctx
    if approximate == "tanh":
        def rule(dy, x, t):
            du = SQRT_2_OVER_PI * (1 + 3 * TANH_CUBIC * x * x)
            return (dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du),)
    else:
        def rule(dy, x, cdf):
            with np.errstate(over="ignore"):  # x² overflows only where e^{-x²/2} is 0 anyway
                density = np.exp(-0.5 * x * x) * INV_SQRT_2PI
            return (dy * (cdf + x * density),)
    return in_blocks(rule, dy, x, saved)


def silu_forward(x):
    """SiLU(x) = x·σ(x) (Elfwing et al. 2018; "swish" with β = 1), σ the stable sigmoid."""
    require_float("x", x)
    s, _ = sigmoid_forward(x)
    return in_blocks(lambda x, s: (x * s,), x, s)[0], (x, s)


def silu_backward(dy, ctx):
    """(x·σ)' = σ + x·σ(1 - σ) = σ(1 + x(1 - σ))."""
    x, s = ctx
    return in_blocks(lambda dy, x, s: (dy * s * (1 + x * (1 - s)),), dy, x, s)


# --- the SwiGLU gate -------------------------------------------------------------------


def _swiglu_rows(x, w1, w3):
    """x's rows (N, D), once x, W₁ and W₃ are checked: W (H, D) in x's dtype, alike."""
    require_float("x", x)
    if x.ndim < 1:
        raise ValueError("x: expected shape (..., D), got a 0-d array")
    d = x.shape[-1]
    for name, w in (("w1", w1), ("w3", w3)):
        require_float(name, w)
        require_same_dtype(name, w, x, "x")
        if w.ndim != 2 or w.shape[1] != d:
            raise ValueError(f"{name}: expected shape (hidden, {d}) (linear's (out, in), in = "
                             f"x's last axis), got {w.shape}")
    if w1.shape != w3.shape:
        raise ValueError(f"w3: expected w1's shape {w1.shape}, got {w3.shape}")
    return x.reshape(-1, d)


def swiglu_forward(x, w1, w3):
    """SwiGLU(x) = SiLU(x W₁ᵀ) ⊙ (x W₃ᵀ) (Shazeer 2020; the Llama MLP's gate before its
    down projection): x (..., D), W₁ and W₃ (H, D) in linear's (out, in) layout, y (..., H)."""
    rows = _swiglu_rows(x, w1, w3)
    gate, up = rows @ w1.T, rows @ w3.T
    silu, (_, s) = silu_forward(gate)
    y = silu * up
    return y.reshape(*x.shape[:-1], w1.shape[0]), (rows, w1, w3, gate, s, silu, up, x.shape)


def swiglu_backward(dy, ctx):
    """With a = x W₁ᵀ and b = x W₃ᵀ: da = dy·b·SiLU'(a), db = dy·SiLU(a); then as two linear
    layers: dx = da W₁ + db W₃, dW₁ = daᵀ x, dW₃ = dbᵀ x, summed over every row of x."""
    rows, w1, w3, gate, s, silu, up, x_shape = ctx
    dy = dy.reshape(-1, w1.shape[0])
    (dgate,) = silu_backward(dy * up, (gate, s))
    dup = dy * silu
    dx = dgate @ w1 + dup @ w3
    return dx.reshape(x_shape), dgate.T @ rows, dup.T @ rows


# --- RMSNorm ---------------------------------------------------------------------------


def _normalised_axes(x, weight):
    """x's trailing axes that `weight` covers, once both are checked."""
    require_float("x", x)
    require_float("weight", weight)
    require_same_dtype("weight", weight, x, "x")
    k = weight.ndim
    if k < 1 or x.ndim < k or x.shape[x.ndim - k:] != weight.shape:
        raise ValueError(f"weight: expected the normalised shape, x's trailing axes of "
                         f"x.shape = {x.shape}, as a 1-d or larger array; got {weight.shape}")
    return tuple(range(x.ndim - k, x.ndim))


def rms_norm_forward(x, weight, eps=1e-6):
    """y = x / √(mean(x²) + ε) · w (Zhang & Sennrich 2019): layer norm without the mean or
    β, the mean of x² over the trailing axes `weight` covers (torch's F.rms_norm)."""
    axes = _normalised_axes(x, weight)
    inv_rms = 1 / np.sqrt((x * x).mean(axis=axes, keepdims=True) + positive("eps", eps))
    return x * inv_rms * weight, (x, inv_rms, weight, axes)


def rms_norm_backward(dy, ctx):
    """With r = 1/√(mean(x²) + ε) and g = w·dy: dx = r·g - x·r³·mean(g·x), the second term
    through r's dependence on every x of the row; dw = Σ dy·x·r over the leading axes."""
    x, inv_rms, weight, axes = ctx
    g = dy * weight
    dx = inv_rms * g - x * (inv_rms**3 * (g * x).mean(axis=axes, keepdims=True))
    leading = tuple(range(dy.ndim - len(axes)))
    return dx, (dy * x * inv_rms).sum(axis=leading)


# --- rotary position embeddings ---------------------------------------------------------


def rotary_angles(positions, dim, base):
    """cos and sin of p·θ_i, θ_i = base^(-2i/dim), i < dim/2, as (S, dim/2) float64
    arrays: the angles in float64, since p·θ_0 = p grows with the sequence."""
    inverse_frequency = base ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)
    angle = positions.astype(np.float64)[:, None] * inverse_frequency
    return np.cos(angle), np.sin(angle)


def _rotate(x, cos, sin):
    """Each pair (x[i], x[i + D/2]) turned by its angle: the half-split layout."""
    first, second = np.split(x, 2, axis=-1)
    return np.concatenate([first * cos - second * sin, first * sin + second * cos], axis=-1)


def _rotary_base(x, positions, base):
    """base as a float, once x (B, H, S, D even), positions (S,) and base > 1 are checked."""
    require_float("x", x)
    if x.ndim != 4 or x.shape[-1] % 2:
        raise ValueError(f"x: expected shape (B, H, S, D) with D even, got {x.shape}")
    if not isinstance(positions, np.ndarray) or positions.dtype.kind not in "iu":
        raise TypeError(f"positions: expected an integer numpy.ndarray, got "
                        f"{getattr(positions, 'dtype', type(positions).__name__)}")
    if positions.shape != (x.shape[2],):
        raise ValueError(f"positions: expected shape ({x.shape[2]},) (one per row of x's "
                         f"axis 2), got {positions.shape}")
    base = hyper_float("base", base, "a number > 1")
    if not base > 1:
        raise ValueError(f"base: expected a number > 1, got {base!r}")
    return base


def rotary_embedding_forward(x, positions, base=10000.0):
    """RoPE (Su et al. 2021): x (B, H, S, D) with D even; the row at position p has each
    pair (x_i, x_{i+D/2}) rotated by the angle p·base^(-2i/D), so q·k of two rotated rows
    depends on their positions only through the difference. Pairs are half-split (GPT-NeoX,
    Hugging Face's Llama); the interleaved pairs (x_{2i}, x_{2i+1}) of Meta's Llama are a
    named convention. positions: integers (S,)."""
    base = _rotary_base(x, positions, base)
    cos, sin = (a.astype(x.dtype) for a in rotary_angles(positions, x.shape[-1], base))
    return _rotate(x, cos, sin), (cos, sin)


def rotary_embedding_backward(dy, ctx):
    """A rotation's transpose is the rotation by the opposite angle: dx = R(-a) dy."""
    cos, sin = ctx
    return (_rotate(dy, cos, -sin),)
