"""A transformer's blocks beyond the notes (docs/transformer.md): GELU, SiLU, SwiGLU,
RMSNorm and rotary embeddings, their table entries and their invariants. Attention is
properties/ops/attention.py."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.properties.cases import (
    Case,
    any_variant,
    elementwise,
    normal,
    scaled_edges,
    seeds,
    shapes,
)
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close

# --- GELU and SiLU ---------------------------------------------------------------------

GELU_VARIANTS = {"exact": {"approximate": "none"}, "tanh": {"approximate": "tanh"}}


def _gelu(scale):
    @st.composite
    def cases(draw, dtype, variant=GELU_VARIANTS["exact"]):
        case = draw(elementwise(dtype, scale=scale))
        return Case(case.arrays, dict(variant), case.seed)

    return cases


gelu_cases, gelu_edges_of = _gelu(3.0), _gelu(1e4)


def gelu_edges(dtype):
    """Values up to ±1e4, under either form: Φ and tanh saturate, and x³ is large."""
    return any_variant(gelu_edges_of, GELU_VARIANTS)(dtype)


@invariant(cases=any_variant(gelu_cases, GELU_VARIANTS))
def gelu_minus_gelu_of_minus_x_is_x(impl, case):
    """gelu(x) - gelu(-x) = x·Φ(x) + x·Φ(-x) = x, as Φ(x) + Φ(-x) = 1 (the tanh form too,
    tanh being odd)."""
    (x,) = case.arrays
    difference = impl("gelu", x, **case.hyper).astype(np.float64) - impl("gelu", -x, **case.hyper)
    assert_close(difference, x, what="gelu(x) - gelu(-x) vs x", dtype=x.dtype, reduction_length=2)


@invariant(uses=("sigmoid",))
def silu_is_x_times_sigmoid(impl, case):
    """SiLU(x) = x·σ(x): the sigmoid gating its own input."""
    (x,) = case.arrays
    assert_close(impl("silu", x), x.astype(np.float64) * impl("sigmoid", x),
                 what="silu(x) vs x·sigmoid(x)", dtype=x.dtype, reduction_length=2)


# --- SwiGLU ----------------------------------------------------------------------------


@st.composite
def swiglu_cases(draw, dtype, variant=None):
    """x (*leading, D) with 1–2 leading axes, W₁ and W₃ (H, D) of scale 1/√D."""
    leading = draw(shapes(min_dims=1, max_dims=2, max_side=4), label="leading shape")
    d, h = draw(st.integers(1, 5), label="D"), draw(st.integers(1, 4), label="H")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, (*leading, d), dtype, 2.0)
    w1, w3 = (normal(rng, (h, d), dtype, d**-0.5) for _ in range(2))
    return Case((x, w1, w3), {}, seed)


def swiglu_reduction(case: Case) -> int:
    """x W: D terms; dx: 2H; dW: a sum over every row of x; each through a product."""
    x, w1, _ = case.arrays
    return 4 * max(x.shape[-1], 2 * w1.shape[0], x.size // max(x.shape[-1], 1))


@invariant(uses=("silu", "linear"))
def swiglu_is_silu_of_one_projection_times_the_other(impl, case):
    """SwiGLU(x) = SiLU(linear(x, W₁)) ⊙ linear(x, W₃), from the ops it is made of."""
    x, w1, w3 = case.arrays
    gate, up = impl("linear", x, w1, None), impl("linear", x, w3, None)
    assert_close(impl("swiglu", *case.arrays),
                 impl("silu", gate).astype(np.float64) * up,
                 what="swiglu vs silu(x W1ᵀ)·(x W3ᵀ)", dtype=x.dtype,
                 reduction_length=swiglu_reduction(case))


# --- RMSNorm ---------------------------------------------------------------------------

RMS_VARIANTS = {"last_axis": {"k": 1}, "last_two_axes": {"k": 2}}


@st.composite
def rms_norm_cases(draw, dtype, variant=RMS_VARIANTS["last_axis"]):
    """x (*leading, *normalised) of 1–2 leading axes and k = 1 or 2 normalised ones, rows
    of scale 0.5–3; the weight of the normalised shape around 1; ε."""
    leading = draw(shapes(min_dims=1, max_dims=2, max_side=3), label="leading shape")
    normalised = draw(shapes(min_dims=variant["k"], max_dims=variant["k"], max_side=5),
                      label="normalised shape")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.5, 3.0, (*leading, *[1] * len(normalised)))
    x = normal(rng, (*leading, *normalised), np.float64) * scale
    weight = 1 + normal(rng, normalised, np.float64, 0.5)
    eps = draw(st.sampled_from((1e-6, 1e-5)), label="eps")
    return Case((x.astype(dtype), weight.astype(dtype)), {"eps": eps}, seed)


def rms_norm_reduction(case: Case) -> int:
    x, weight = case.arrays
    return 2 * max(weight.size, x.size // max(weight.size, 1))


@invariant(cases=any_variant(rms_norm_cases, RMS_VARIANTS))
def rms_norm_ignores_the_scale_of_x(impl, case):
    """RMSNorm(c·x) with ε·c² is RMSNorm(x) with ε: √(mean(c²x²) + c²ε) = c·√(mean(x²) + ε),
    and the c cancels (with c a power of two, c·x is exact)."""
    x, weight = case.arrays
    eps = case.hyper["eps"]
    y = impl("rms_norm", x, weight, eps=eps)
    for c in (4.0, 0.25):
        assert_close(impl("rms_norm", (x * c).astype(x.dtype), weight, eps=eps * c * c),
                     y.astype(np.float64), what=f"rms_norm({c}·x, ε·{c}²) vs rms_norm(x, ε)",
                     dtype=x.dtype, reduction_length=rms_norm_reduction(case))


@invariant(cases=any_variant(rms_norm_cases, RMS_VARIANTS))
def rms_norm_output_has_unit_rms(impl, case):
    """With the weight all ones, each example's mean(y²) = mean(x²)/(mean(x²) + ε)."""
    x, weight = case.arrays
    y = impl("rms_norm", x, np.ones_like(weight), **case.hyper).astype(np.float64)
    axes = tuple(range(x.ndim - weight.ndim, x.ndim))
    square = (x.astype(np.float64) ** 2).mean(axis=axes)
    assert_close((y * y).mean(axis=axes), square / (square + case.hyper["eps"]),
                 what="mean(y²) per example", dtype=x.dtype,
                 reduction_length=rms_norm_reduction(case))


# --- rotary embeddings -----------------------------------------------------------------


@st.composite
def rotary_cases(draw, dtype, variant=None):
    """x (B, H, S, D), D even, and S positions: consecutive from an offset, or scattered up
    to 4096 (where p·θ₀ = p is large, so the angle's precision shows); base 10⁴ (the
    paper's), 5·10⁵ (Llama 3's) or 100."""
    b, h = draw(st.integers(1, 2), label="B"), draw(st.integers(1, 2), label="H")
    s, d = draw(st.integers(1, 5), label="S"), 2 * draw(st.integers(1, 4), label="D/2")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    if draw(st.booleans(), label="scattered positions"):
        positions = rng.integers(0, 4096, s)
    else:
        positions = draw(st.integers(0, 64), label="offset") + np.arange(s)
    base = draw(st.sampled_from((10000.0, 500000.0, 100.0)), label="base")
    return Case((normal(rng, (b, h, s, d), dtype, 2.0), positions.astype(np.int64)),
                {"base": base}, seed)


@invariant()
def rotary_embedding_preserves_each_norm(impl, case):
    """A rotation keeps lengths: every row of y has its row of x's Euclidean norm."""
    x, _ = case.arrays
    y = impl("rotary_embedding", *case.arrays, **case.hyper)
    assert_close(np.linalg.norm(y.astype(np.float64), axis=-1),
                 np.linalg.norm(x.astype(np.float64), axis=-1), what="row norms",
                 dtype=x.dtype, reduction_length=2 * x.shape[-1])


@invariant()
def rotary_embedding_scores_depend_on_the_offset_only(impl, case):
    """⟨R(m)q, R(n)k⟩ depends on m - n only: shifting every position by t leaves the
    scores between rotated queries and keys as they were (Su et al. 2021)."""
    q, positions = case.arrays
    k = case.rng(3).standard_normal(q.shape).astype(q.dtype)
    shift = int(case.rng(4).integers(1, 100))

    def scores(offset):
        moved = (positions + offset).astype(positions.dtype)
        rq, rk = (impl("rotary_embedding", a, moved, **case.hyper).astype(np.float64)
                  for a in (q, k))
        return rq @ rk.swapaxes(-1, -2)

    assert_close(scores(shift), scores(0), what=f"q·k with positions shifted by {shift}",
                 dtype=q.dtype, reduction_length=4 * q.shape[-1])


@invariant()
def rotary_embedding_at_position_0_is_the_identity(impl, case):
    """Angle 0 at position 0: every row there comes out as it went in."""
    x, positions = case.arrays
    assert_close(impl("rotary_embedding", x, np.zeros_like(positions), **case.hyper), x,
                 what="rope at position 0 vs x", dtype=x.dtype)


def _interleave(a):
    """Half-split pairs (a_i, a_{i+D/2}) laid out interleaved, (a_{2i}, a_{2i+1})."""
    first, second = np.split(a, 2, axis=-1)
    return np.stack([first, second], axis=-1).reshape(a.shape)


def _split_halves(a):
    """Interleaved pairs laid out half-split: the inverse of _interleave."""
    return np.concatenate([a[..., 0::2], a[..., 1::2]], axis=-1)


INTERLEAVED = Convention(
    "rotated pairs interleaved, (x_{2i}, x_{2i+1}), as Meta's Llama reference, GPT-J and "
    "torchtune do; the contract pairs half-split (x_i, x_{i+D/2}), as GPT-NeoX, Hugging "
    "Face's Llama and flash-attn's default",
    call=lambda arrays, hyper: ((_interleave(arrays[0]), *arrays[1:]), hyper),
    outputs=_split_halves,
    upstream=lambda dys: tuple(_interleave(d) for d in dys),
    grads=lambda grads: tuple(None if g is None else _split_halves(g) for g in grads))

TRANSFORMER = dict(family="transformer", oracles=("torch", "numeric"))
ACTIVATION = dict(inputs=("x",), grads=("x",), **TRANSFORMER)

OPS = [
    Op("gelu", formula="x·Φ(x), Φ the normal CDF; approximate='tanh': "
       "½x(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks & Gimpel 2016)", cases=gelu_cases,
       hyper={"approximate": "none"}, variants=GELU_VARIANTS,
       invariants=(gelu_minus_gelu_of_minus_x_is_x,), edges=gelu_edges, **ACTIVATION),
    Op("silu", formula="x·σ(x) (Elfwing et al. 2018)", cases=lambda dtype, variant=None:
       elementwise(dtype), invariants=(silu_is_x_times_sigmoid,),
       edges=lambda dtype: elementwise(dtype, scale=1e4), **ACTIVATION),
    Op("swiglu", formula="SiLU(x W₁ᵀ) ⊙ (x W₃ᵀ), W (H, D) (Shazeer 2020; the Llama MLP's gate)",
       inputs=("x", "w1", "w3"), grads=("x", "w1", "w3"), cases=swiglu_cases,
       reduction=swiglu_reduction,
       invariants=(swiglu_is_silu_of_one_projection_times_the_other,), **TRANSFORMER),
    Op("rms_norm", formula="x/√(mean(x²) + ε)·w over the trailing axes w covers (Zhang & "
       "Sennrich 2019)", inputs=("x", "weight"), grads=("x", "weight"), cases=rms_norm_cases,
       hyper={"eps": 1e-6}, variants=RMS_VARIANTS, reduction=rms_norm_reduction,
       invariants=(rms_norm_ignores_the_scale_of_x, rms_norm_output_has_unit_rms),
       edges=scaled_edges(rms_norm_cases, RMS_VARIANTS), **TRANSFORMER),
    Op("rotary_embedding", formula="pairs (x_i, x_{i+D/2}) of x (B, H, S, D) rotated by "
       "p·base^(-2i/D), p the row's position (Su et al. 2021)", inputs=("x", "positions"),
       grads=("x",), cases=rotary_cases, hyper={"base": 10000.0},
       reduction=lambda case: 4,
       invariants=(rotary_embedding_preserves_each_norm,
                   rotary_embedding_scores_depend_on_the_offset_only,
                   rotary_embedding_at_position_0_is_the_identity),
       conventions={"interleaved": INTERLEAVED}, **TRANSFORMER),
]
