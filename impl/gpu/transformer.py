"""A transformer's blocks (docs/transformer.md) as Triton kernels: GELU, SiLU, the SwiGLU gate,
RMS norm and rotary position embeddings, forward and backward.

The activations are one fused elementwise pass each way. GELU's Φ is W. J. Cody's rational
erf/erfc (Math. Comp. 23, 1969; netlib's CALERF) written out here. tl.math.erf exists for
float32 and float64 (math.erf under the interpreter, libdevice's erf/erff on CUDA), but Φ
needs erfc: ½(1 + erf(x/√2)) cancels for x ≪ 0, and tl.math has no erfc (libdevice's
cannot run under the interpreter). Cody's keeps Φ's relative accuracy to float64's rounding
in both tails, with the same code under the interpreter and on a GPU. Every
exponent taken is of a non-positive number, so inputs of ±1e4 stay finite. SwiGLU's two
projections are linear.matmul's, around one elementwise kernel each way. RMS norm runs
the row kernels of norm.py (layer norm's) without centring or bias. Rotary embeddings take
cos and sin tables (S, D/2) from a small float64 kernel, then one rotation pass.
"""

from __future__ import annotations

import math

import torch
import triton
import triton.language as tl

from .._checks import hyper_float, positive, require_choice
from ._runtime import grid, require_like, require_tensor
from .linear import matmul
from .norm import normalise_rows, normalise_rows_backward, normalised_shape

BLOCK = 1024
GELU, GELU_TANH, SILU = range(3)
GELU_APPROXIMATIONS = ("none", "tanh")
INTEGER_DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)

# --- GELU's Φ: Cody's erf (|z| < 0.46875) and erfc (beyond) -----------------------------------


@triton.jit
def _erf_near(z):
    """erf(z) for |z| ≤ 0.5: z·P(z²)/Q(z²), exact to float64's rounding [Cody]."""
    s = z * z
    num = 1.85777706184603153e-1 * s
    den = s
    num = (num + 3.16112374387056560e00) * s
    den = (den + 2.36012909523441209e01) * s
    num = (num + 1.13864154151050156e02) * s
    den = (den + 2.44024637934444173e02) * s
    num = (num + 3.77485237685302021e02) * s
    den = (den + 1.28261652607737228e03) * s
    return z * (num + 3.20937758913846947e03) / (den + 2.84423683343917062e03)


@triton.jit
def _erfc_scaled(y):
    """e^(y²)·erfc(y) for y ≥ 0.46875: rational in y up to 4, in 1/y² beyond [Cody]."""
    m = tl.minimum(y, 4.0)
    num = 2.15311535474403846e-8 * m
    den = m
    num = (num + 5.64188496988670089e-1) * m
    den = (den + 1.57449261107098347e01) * m
    num = (num + 8.88314979438837594e00) * m
    den = (den + 1.17693950891312499e02) * m
    num = (num + 6.61191906371416295e01) * m
    den = (den + 5.37181101862009858e02) * m
    num = (num + 2.98635138197400131e02) * m
    den = (den + 1.62138957456669019e03) * m
    num = (num + 8.81952221241769090e02) * m
    den = (den + 3.29079923573345963e03) * m
    num = (num + 1.71204761263407058e03) * m
    den = (den + 4.36261909014324716e03) * m
    num = (num + 2.05107837782607147e03) * m
    den = (den + 3.43936767414372164e03) * m
    middle = (num + 1.23033935479799725e03) / (den + 1.23033935480374942e03)
    t = tl.maximum(y, 4.0)
    s = 1 / (t * t)
    num = 1.63153871373020978e-2 * s
    den = s
    num = (num + 3.05326634961232344e-1) * s
    den = (den + 2.56852019228982242e00) * s
    num = (num + 3.60344899949804439e-1) * s
    den = (den + 1.87295284992346047e00) * s
    num = (num + 1.25781726111229246e-1) * s
    den = (den + 5.27905102951428412e-1) * s
    num = (num + 1.60837851487422766e-2) * s
    den = (den + 6.05183413124413191e-2) * s
    tail = s * (num + 6.58749161529837803e-4) / (den + 2.33520497626869185e-3)
    tail = (5.6418958354775628695e-1 - tail) / t  # (1/√π - ·)/y
    return tl.where(y <= 4.0, middle, tail)


@triton.jit
def _gauss(x):
    """e^(-x²/2) as e^(-t²/2)·e^(-(a - t)(a + t)/2), a = |x|, t = a rounded down to 1/16:
    t²/2 is exact, so the rounding of x² is not magnified by the exponential (Cody's
    device), which keeps Φ's tail and φ relatively accurate out to the underflow."""
    a = tl.minimum(tl.abs(x), 40.0)  # e^-800 = 0 already; keeps inf - inf out
    t = tl.floor(a * 16) / 16
    return tl.exp(-0.5 * t * t) * tl.exp(-0.5 * (a - t) * (a + t))


@triton.jit
def _ndtr(x):
    """Φ(x) = ½(1 + erf(x/√2)) near 0, ½·erfc(|x|/√2) or 1 - that away from it; erfc(z)
    as e^(-x²/2)·(e^(z²)·erfc(z)), the exponential taken of x, not of the rounded z."""
    z = x * 0.7071067811865476
    a = tl.abs(z)
    near = 0.5 + 0.5 * _erf_near(tl.where(a < 0.46875, z, 0.0))
    tail = 0.5 * _gauss(x) * _erfc_scaled(tl.maximum(a, 0.46875))
    return tl.where(a < 0.46875, near, tl.where(z > 0, 1 - tail, tail))


@triton.jit
def _sigmoids(x):
    """(σ(x), σ(-x)), each from e = e^-|x| ∈ (0, 1]: no 1 - σ cancellation."""
    e = tl.exp(-tl.abs(x))
    big = 1 / (1 + e)
    small = e / (1 + e)
    return tl.where(x >= 0, big, small), tl.where(x >= 0, small, big)


@triton.jit
def _tanh_argument(x, x2):
    """2u = 2√(2/π)(x + 0.044715x³), 0.044715 being Hendrycks & Gimpel's fit of Φ by tanh."""
    return 1.5957691216057308 * (x + 0.044715 * x2 * x)


@triton.jit
def _forward_kernel(x_ptr, y_ptr, n, FUNCTION: tl.constexpr, BLOCK: tl.constexpr):
    """GELU: x·Φ(x). Its tanh form: ½(1 + tanh u) is σ(2u), u = √(2/π)(x + 0.044715x³), so
    y = x·σ(2u), exact in both tails. SiLU: x·σ(x)."""
    offsets = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    x = tl.load(x_ptr + offsets, mask=inside, other=0.0)
    if FUNCTION == 0:
        y = x * _ndtr(x)
    elif FUNCTION == 1:
        s, _ = _sigmoids(_tanh_argument(x, x * x))
        y = x * s
    else:
        s, _ = _sigmoids(x)
        y = x * s
    tl.store(y_ptr + offsets, y, mask=inside)


@triton.jit
def _backward_kernel(x_ptr, dy_ptr, dx_ptr, n, FUNCTION: tl.constexpr, BLOCK: tl.constexpr):
    """GELU: dy·(Φ + x·φ), φ(x) = e^(-x²/2)/√(2π). Tanh form: dy·(σ(2u) + 2x·σ(2u)σ(-2u)·u'),
    which is torch's ½(1 + t) + ½x(1 - t²)u' with 1 - t² = 4σ(2u)σ(-2u). SiLU:
    dy·σ(x)(1 + x·σ(-x))."""
    offsets = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    x = tl.load(x_ptr + offsets, mask=inside, other=0.0)
    dy = tl.load(dy_ptr + offsets, mask=inside, other=0.0)
    if FUNCTION == 0:
        dx = dy * (_ndtr(x) + x * (_gauss(x) * 0.3989422804014327))  # φ = e^(-x²/2)/√(2π)
    elif FUNCTION == 1:
        x2 = x * x
        s, s_neg = _sigmoids(_tanh_argument(x, x2))
        du = 0.7978845608028654 * (1 + 3 * 0.044715 * x2)  # u' = √(2/π)(1 + 3·0.044715x²)
        dx = dy * (s + 2 * x * s * s_neg * du)
    else:
        s, s_neg = _sigmoids(x)
        dx = dy * (s * (1 + x * s_neg))
    tl.store(dx_ptr + offsets, dx, mask=inside)


def _forward(function: int, x) -> torch.Tensor:
    y = torch.empty_like(x)
    if y.numel():
        _forward_kernel[grid(x.numel(), BLOCK)](x, y, x.numel(), FUNCTION=function,
                                                BLOCK=BLOCK)
    return y


def _backward(function: int, dy, x) -> tuple[torch.Tensor]:
    dy = require_like("dy", dy, x, "x", x.shape)
    dx = torch.empty_like(x)
    if dx.numel():
        _backward_kernel[grid(x.numel(), BLOCK)](x, dy, dx, x.numel(), FUNCTION=function,
                                                 BLOCK=BLOCK)
    return (dx,)


def gelu_forward(x, approximate="none"):
    """GELU(x) = x·Φ(x) (Hendrycks & Gimpel 2016); approximate="tanh" is torch's
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    x = require_tensor("x", x)
    require_choice("approximate", approximate, GELU_APPROXIMATIONS)
    function = GELU if approximate == "none" else GELU_TANH
    return _forward(function, x), (x, function)


def gelu_backward(dy, ctx):
    x, function = ctx
    return _backward(function, dy, x)


def silu_forward(x):
    """SiLU(x) = x·σ(x) (torch's F.silu)."""
    x = require_tensor("x", x)
    return _forward(SILU, x), x


def silu_backward(dy, x):
    return _backward(SILU, dy, x)


# --- SwiGLU ---------------------------------------------------------------------------------


@triton.jit
def _swiglu_forward_kernel(a_ptr, b_ptr, y_ptr, n, BLOCK: tl.constexpr):
    """y = silu(a)·b."""
    offsets = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    a = tl.load(a_ptr + offsets, mask=inside, other=0.0)
    s, _ = _sigmoids(a)
    tl.store(y_ptr + offsets, a * s * tl.load(b_ptr + offsets, mask=inside, other=0.0),
             mask=inside)


@triton.jit
def _swiglu_backward_kernel(a_ptr, b_ptr, dy_ptr, dab_ptr, n, hidden, BLOCK: tl.constexpr):
    """da = dy·b·silu'(a) and db = dy·silu(a), written side by side into the rows of dab
    (M, 2H), so that dx = [da db]·[w1; w3] is one product."""
    offsets = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    a = tl.load(a_ptr + offsets, mask=inside, other=0.0)
    b = tl.load(b_ptr + offsets, mask=inside, other=0.0)
    dy = tl.load(dy_ptr + offsets, mask=inside, other=0.0)
    s, s_neg = _sigmoids(a)
    da_at = offsets + (offsets // hidden) * hidden  # row·2H + column
    tl.store(dab_ptr + da_at, dy * b * (s * (1 + a * s_neg)), mask=inside)
    tl.store(dab_ptr + da_at + hidden, dy * (a * s), mask=inside)


def swiglu_forward(x, w1, w3):
    """y = silu(x w1ᵀ) ⊙ (x w3ᵀ) (Shazeer 2020; the Llama MLP's gate): x (..., D), w1 and
    w3 (H, D) in linear's (out, in) layout, y (..., H)."""
    x = require_tensor("x", x)
    w1 = require_like("w1", w1, x, "x")
    if w1.ndim != 2:
        raise ValueError(f"w1: expected shape (H, D), got {tuple(w1.shape)}")
    w3 = require_like("w3", w3, x, "x", w1.shape)
    if x.ndim == 0 or x.shape[-1] != w1.shape[1]:
        raise ValueError(f"x: last axis must be D = w1.shape[1] = {w1.shape[1]}, got shape "
                         f"{tuple(x.shape)}")
    rows = x.reshape(-1, w1.shape[1])
    a, b = matmul(rows, w1.t()), matmul(rows, w3.t())
    y = torch.empty_like(a)
    if y.numel():
        _swiglu_forward_kernel[grid(y.numel(), BLOCK)](a, b, y, y.numel(), BLOCK=BLOCK)
    return y.reshape(*x.shape[:-1], w1.shape[0]), (rows, w1, w3, a, b, x.shape)


def swiglu_backward(dy, ctx):
    """dx = da w1 + db w3 (one product over the stacked [w1; w3]), dw1 = daᵀ x, dw3 = dbᵀ x."""
    rows, w1, w3, a, b, x_shape = ctx
    hidden = w1.shape[0]
    dy = require_like("dy", dy, rows, "x", (*x_shape[:-1], hidden))
    dab = torch.empty((a.shape[0], 2 * hidden), dtype=a.dtype, device=a.device)
    if a.numel():
        _swiglu_backward_kernel[grid(a.numel(), BLOCK)](a, b, dy, dab, a.numel(), hidden,
                                                        BLOCK=BLOCK)
    da, db = dab[:, :hidden], dab[:, hidden:]  # views: matmul reads any strides
    dx = matmul(dab, torch.cat((w1, w3))).reshape(x_shape)
    return dx, matmul(da.t(), rows), matmul(db.t(), rows)


# --- RMS norm -------------------------------------------------------------------------------


def rms_norm_forward(x, weight, eps=1e-6):
    """y = x/√(mean(x²) + ε)·w over x's trailing weight.ndim axes (Zhang & Sennrich 2019;
    torch's F.rms_norm(x, weight.shape, weight, eps)); saves 1/rms per row."""
    x = require_tensor("x", x)
    weight = normalised_shape(x, weight, "weight")
    return normalise_rows(x, weight, None, positive("eps", eps), centred=False)


def rms_norm_backward(dy, ctx):
    """dx = w·dy·r - x·r³·mean(dy·w·x) per row, r = 1/rms; dweight = Σ dy·x·r over rows."""
    dx, dweight, _ = normalise_rows_backward(dy, ctx)
    return dx, dweight


# --- rotary position embeddings -------------------------------------------------------------


@triton.jit
def _rotary_table_kernel(positions_ptr, cos_ptr, sin_ptr, n, half, log_step_ptr,
                         BLOCK: tl.constexpr):
    """cos and sin of a = p_s·θ_i, θ_i = base^(-2i/D) = exp(i·(-2 ln base/D)), for every
    (s, i) of the (S, D/2) tables: all in float64 (p·θ can be large), then cast to the
    tables' dtype (x's)."""
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    p = tl.load(positions_ptr + offsets // half, mask=inside, other=0).to(tl.float64)
    theta = tl.exp((offsets % half).to(tl.float64) * tl.load(log_step_ptr))
    angle = p * theta
    tl.store(cos_ptr + offsets, tl.cos(angle).to(cos_ptr.dtype.element_ty), mask=inside)
    tl.store(sin_ptr + offsets, tl.sin(angle).to(sin_ptr.dtype.element_ty), mask=inside)


@triton.jit
def _rotate_kernel(x_ptr, cos_ptr, sin_ptr, y_ptr, n, seq, half, INVERSE: tl.constexpr,
                   BLOCK: tl.constexpr):
    """Rotates each half-split pair (x[i], x[i + D/2]) of every row (b, h, s) by a (by -a
    when INVERSE, the backward): one lane per pair."""
    pair = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = pair < n
    row = pair // half
    i = pair % half
    table = (row % seq) * half + i
    c = tl.load(cos_ptr + table, mask=inside, other=0.0)
    s = tl.load(sin_ptr + table, mask=inside, other=0.0)
    if INVERSE:
        s = -s
    low = row * (2 * half) + i
    x1 = tl.load(x_ptr + low, mask=inside, other=0.0)
    x2 = tl.load(x_ptr + low + half, mask=inside, other=0.0)
    tl.store(y_ptr + low, x1 * c - x2 * s, mask=inside)
    tl.store(y_ptr + low + half, x1 * s + x2 * c, mask=inside)


def _rotate(x, cos, sin, inverse: bool) -> torch.Tensor:
    y = torch.empty_like(x)
    pairs = x.numel() // 2
    if pairs:
        _rotate_kernel[grid(pairs, BLOCK)](x, cos, sin, y, pairs, x.shape[2], x.shape[3] // 2,
                                           INVERSE=inverse, BLOCK=BLOCK)
    return y


def rotary_embedding_forward(x, positions, base=10000.0):
    """RoPE (Su et al. 2021), half-split layout (HF Llama's rotate_half, GPT-NeoX): x
    (B, H, S, D), D even; positions (S,) integers; pair i = (x[..., i], x[..., i + D/2]) is
    rotated by p·base^(-2i/D)."""
    x = require_tensor("x", x)
    if x.ndim != 4 or x.shape[3] % 2:
        raise ValueError(f"x: expected shape (B, H, S, D) with D even, got {tuple(x.shape)}")
    positions = require_tensor("positions", positions, INTEGER_DTYPES,
                               "an integer dtype (int64)")
    if tuple(positions.shape) != (x.shape[2],):
        raise ValueError(f"positions: expected shape (S,) = ({x.shape[2]},), got "
                         f"{tuple(positions.shape)}")
    base = hyper_float("base", base, "a number > 1")
    if not base > 1:  # as impl's: base^(-2i/D) must fall with i
        raise ValueError(f"base: expected a number > 1, got {base!r}")
    seq, half = x.shape[2], x.shape[3] // 2
    cos, sin = (torch.empty((seq, half), dtype=x.dtype, device=x.device) for _ in range(2))
    if cos.numel():
        log_step = torch.tensor([-2 * math.log(base) / x.shape[3]], dtype=torch.float64,
                                device=x.device)
        _rotary_table_kernel[grid(cos.numel(), BLOCK)](positions, cos, sin,
                                                       cos.numel(), half, log_step,
                                                       BLOCK=BLOCK)
    return _rotate(x, cos, sin, inverse=False), (cos, sin, x.shape)


def rotary_embedding_backward(dy, ctx):
    """The rotation is orthogonal: dx is dy rotated by -a."""
    cos, sin, shape = ctx
    dy = require_like("dy", dy, cos, "x", shape)
    return (_rotate(dy, cos, sin, inverse=True),)
