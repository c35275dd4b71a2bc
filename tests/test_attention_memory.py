"""The reference attention works on blocks of queries (impl/attention.py's BLOCK), which
the property suite's small draws never split: it never holds the (Sq, Sk) weights of
every head (at Sq = Sk = 4096 one head's weights alone are 64 MB in float32), and every
block size gives torch's attention."""

import tracemalloc

import numpy as np
import pytest

from nnconform.impl import attention
from nnconform.oracles import torch as torch_oracle

NAME = "scaled_dot_product_attention"

S, D = 4096, 16


def _peak(function):
    tracemalloc.start()
    try:
        result = function()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_attention_peak_memory_stays_below_one_heads_weights():
    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, 2, S, D), dtype=np.float32)
    k, v = (rng.standard_normal((1, 1, S, D), dtype=np.float32) for _ in range(2))
    one_head = S * S * 4
    peak, (out, ctx) = _peak(lambda: attention.scaled_dot_product_attention_forward(
        q, k, v, causal=True))
    assert peak < one_head / 2, f"forward peak {peak / 2**20:.1f} MB"
    dy = rng.standard_normal(out.shape, dtype=np.float32)
    peak, _ = _peak(lambda: attention.scaled_dot_product_attention_backward(dy, ctx))
    assert peak < one_head / 2, f"backward peak {peak / 2**20:.1f} MB"


def test_blocks_cover_every_query_once():
    q, k = np.empty((2, 3, 1000, 4)), np.empty((2, 1, 700, 4))
    rows = np.concatenate([np.arange(s.start, s.stop) for s in attention._blocks(q, k)])
    assert np.array_equal(rows, np.arange(1000))
    assert all(2 * 3 * (s.stop - s.start) * 700 <= max(attention.BLOCK, 2 * 3 * 700)
               for s in attention._blocks(q, k))


@pytest.mark.parametrize("block", [7, 50, 1 << 20])
@pytest.mark.parametrize("sq, sk", [(9, 6), (5, 12), (13, 13)])
def test_every_block_size_matches_torch(block, sq, sk, monkeypatch):
    """Blocks of one query or of a few, causal blocks that skip their later keys, or the
    whole sequence in one: the same attention and gradients as torch's, in float64."""
    monkeypatch.setattr(attention, "BLOCK", block)
    rng = np.random.default_rng(sq * sk)
    q, k, v = (rng.standard_normal(shape) for shape in ((2, 4, sq, 3), (2, 2, sk, 3),
                                                        (2, 2, sk, 2)))
    mask = np.where(rng.random((sq, sk)) < 0.2, -np.inf, rng.standard_normal((sq, sk)))
    mask[:, 0] = 0.0
    hyper = {"causal": True, "scale": None}
    out, ctx = attention.scaled_dot_product_attention_forward(q, k, v, mask, **hyper)
    dy = rng.standard_normal(out.shape)
    grads = attention.scaled_dot_product_attention_backward(dy, ctx)
    arrays = (q, k, v, mask)
    np.testing.assert_allclose(out, torch_oracle.forward(NAME, arrays, hyper), rtol=1e-12,
                               atol=1e-12)
    for got, want in zip(grads, torch_oracle.vjp(NAME, arrays, hyper, dy, (0, 1, 2)),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
