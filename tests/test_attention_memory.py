"""The reference attention never holds the (Sq, Sk) weights of every head: at Sq = Sk =
4096 one head's weights alone are 64 MB in float32, and the forward and backward stay
under that, with the blocks of queries they work on (impl/attention.py's BLOCK)."""

import tracemalloc

import numpy as np

from nnconform.impl import attention

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
