"""Scaled dot-product attention (Vaswani et al. 2017; beyond the notes, docs/transformer.md):
its table entry and its invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import torch as torch_oracle
from nnconform.properties.cases import Case, any_variant, normal, seeds
from nnconform.properties.optable import Op, invariant
from nnconform.properties.tolerances import assert_close

NAME = "scaled_dot_product_attention"
VARIANTS = {"plain": {"causal": False, "mask": False}, "causal": {"causal": True, "mask": False},
            "mask": {"causal": False, "mask": True}, "causal_and_mask": {"causal": True,
                                                                          "mask": True}}


def _mask_shape(draw, b, hq, sq, sk):
    """A shape that broadcasts to (B, Hq, Sq, Sk), as masks come: per key, per (query,
    key), per example or per head."""
    return draw(st.sampled_from(((sk,), (sq, sk), (1, 1, sq, sk), (b, 1, sq, sk),
                                 (b, hq, sq, sk), (b, hq, 1, sk))), label="mask shape")


@st.composite
def attention_cases(draw, dtype, variant=VARIANTS["plain"]):
    """q (B, Hq, Sq, D), k (B, Hkv, Sk, D), v (B, Hkv, Sk, Dv) with Hq = G·Hkv (grouped
    queries when G > 1); an additive mask N(0, 1) with some keys hidden (-inf), never all of
    a row's (key 0 stays visible, as it does under the causal mask); scale None or drawn."""
    b, hkv = draw(st.integers(1, 2), label="B"), draw(st.integers(1, 2), label="Hkv")
    g = draw(st.integers(1, 3), label="G")
    sq, sk = draw(st.integers(1, 6), label="Sq"), draw(st.integers(1, 6), label="Sk")
    d, dv = draw(st.integers(1, 6), label="D"), draw(st.integers(1, 6), label="Dv")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    q = normal(rng, (b, g * hkv, sq, d), dtype)
    k, v = normal(rng, (b, hkv, sk, d), dtype), normal(rng, (b, hkv, sk, dv), dtype)
    mask = None
    if variant["mask"]:
        mask = normal(rng, _mask_shape(draw, b, g * hkv, sq, sk), np.float64)
        hidden = rng.random(mask.shape) < 0.25
        hidden[..., 0] = False
        mask = np.where(hidden, -np.inf, mask).astype(dtype)
    scale = draw(st.sampled_from((None, 0.5, 2.0)), label="scale")
    return Case((q, k, v, mask), {"causal": variant["causal"], "scale": scale}, seed)


def attention_reduction(case: Case) -> int:
    """A score sums D products, a row of weights Sk terms; dk and dv sum over the G·Sq
    queries that read a key; the exponentials magnify a score's error by its size."""
    q, k, v, _ = case.arrays
    return 4 * max(q.shape[-1], v.shape[-1], k.shape[2], q.shape[1] // k.shape[1] * q.shape[2])


_any = any_variant(attention_cases, VARIANTS)


@invariant(cases=_any)
def attention_weights_rows_sum_to_one(impl, case):
    """With v the identity (Dv = Sk), out is the weights themselves: each row is a
    distribution over the keys, sums to 1, and under the causal mask puts 0 on keys j > i."""
    q, k, _, mask = case.arrays
    b, hkv, sk, _ = k.shape
    eye = np.broadcast_to(np.eye(sk, dtype=q.dtype), (b, hkv, sk, sk)).copy()
    weights = impl(NAME, q, k, eye, mask, **case.hyper).astype(np.float64)
    assert np.all(weights >= 0), "attention weights: a negative weight"
    assert_close(weights.sum(axis=-1), np.ones(weights.shape[:-1]), what="row sums of weights",
                 dtype=q.dtype, reduction_length=attention_reduction(case))
    if case.hyper["causal"]:
        later = np.arange(sk) > np.arange(q.shape[2])[:, None]
        assert np.all(weights[..., later] == 0), "causal weights: a key after the query"


@invariant(cases=lambda dtype: attention_cases(dtype, VARIANTS["causal"]))
def attention_causal_output_ignores_later_positions(impl, case):
    """Under the causal mask query i reads keys 0..i only: changing k and v at every
    position after t leaves out[..., :t + 1, :] as it was."""
    q, k, v, mask = case.arrays
    t = int(case.rng(3).integers(0, k.shape[2]))
    k2, v2 = k.copy(), v.copy()
    k2[..., t + 1:, :] = case.rng(4).standard_normal(k2[..., t + 1:, :].shape) * 3
    v2[..., t + 1:, :] = case.rng(5).standard_normal(v2[..., t + 1:, :].shape) * 3
    before = impl(NAME, q, k, v, mask, **case.hyper)
    after = impl(NAME, q, k2, v2, mask, **case.hyper)
    assert_close(after[..., :t + 1, :], before[..., :t + 1, :].astype(np.float64),
                 what=f"causal out[:{t + 1}] with k, v changed after position {t}",
                 dtype=q.dtype, reduction_length=attention_reduction(case))


@invariant(cases=_any)
def attention_grouped_queries_are_repeated_kv_heads(impl, case):
    """Grouped-query attention is plain multi-head attention with each kv head repeated for
    its G query heads (k.repeat_interleave(G, dim=1)): query head h reads kv head h // G."""
    q, k, v, mask = case.arrays
    g = q.shape[1] // k.shape[1]
    repeated = [np.repeat(a, g, axis=1) for a in (k, v)]
    assert_close(impl(NAME, q, k, v, mask, **case.hyper),
                 impl(NAME, q, *repeated, mask, **case.hyper).astype(np.float64),
                 what=f"grouped (G = {g}) vs kv heads repeated", dtype=q.dtype,
                 reduction_length=attention_reduction(case))


LONG = 1024  # Sq = Sk: the weights (2·1024² per example) are 64× q, k and v together


@st.composite
def long_sequence(draw, dtype):
    """One causal case of 1024 queries and keys, 2 query heads on 1 kv head, D = 16."""
    rng = np.random.default_rng(draw(st.just(0), label="seed"))
    q = normal(rng, (1, 2, LONG, 16), dtype)
    k, v = normal(rng, (1, 1, LONG, 16), dtype), normal(rng, (1, 1, LONG, 16), dtype)
    return Case((q, k, v, None), {"causal": True, "scale": None}, 0)


@invariant(cases=long_sequence)
def attention_long_sequence_matches_torch(impl, case):
    """At a length where a materialised Sq × Sk matrix of weights would be the largest
    thing in memory, out and dq, dk, dv (a random upstream gradient) still match torch's
    float64 attention: a kernel tiled over keys must get its running softmax right."""
    dtype = case.arrays[0].dtype
    dy = case.rng(1).standard_normal((1, 2, LONG, 16)).astype(dtype)
    arrays = case.as_float64()
    reduction = 4 * LONG
    assert_close(impl(NAME, *case.arrays, **case.hyper),
                 torch_oracle.forward(NAME, arrays, case.hyper), what="out",
                 dtype=dtype, reduction_length=reduction)
    grads = impl.grads(NAME, case.arrays, case.hyper, dy, 3)
    expected = torch_oracle.vjp(NAME, arrays, case.hyper, dy.astype(np.float64), (0, 1, 2))
    for name, got, want in zip(("dq", "dk", "dv"), grads, expected, strict=True):
        assert_close(got, want, what=name, dtype=dtype, reduction_length=reduction)


OPS = [
    Op(NAME, family="attention",
       formula="softmax(scale·q kᵀ + mask, over keys) v, scale = 1/√D by default; causal "
               "hides key j > i; k, v may have fewer heads, shared by G query heads "
               "(Vaswani et al. 2017; Ainslie et al. 2023)",
       inputs=("q", "k", "v", "mask?"), grads=("q", "k", "v"), cases=attention_cases,
       hyper={"causal": False, "scale": None}, variants=VARIANTS,
       oracles=("torch", "numeric"), reduction=attention_reduction,
       invariants=(attention_weights_rows_sum_to_one,
                   attention_causal_output_ignores_later_positions,
                   attention_grouped_queries_are_repeated_kv_heads,
                   attention_long_sequence_matches_torch)),
]
