"""scaled_dot_product_attention pairs query head h with kv head h % Hkv (k and v tiled, as
k.repeat(1, G, 1, 1) would lay them out) instead of h // G (repeat_interleave, torch's
enable_gqa and Llama's repeat_kv). The same with one kv head or G = 1; with Hkv = 2 and
G ≥ 2 heads read the wrong keys. Forward and backward agree, so the numeric check
passes; torch's outputs and gradients do not, grouped attention differs from attention
on the repeated kv heads, and the special values are compared with torch too. The long
sequence has one kv head, so it passes."""

import numpy as np

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_grouped_heads_read_kv_head_h_mod_hkv (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "invariants", "robustness"))


def _tiled(hq, hkv):
    """The bug: query head h reads kv head h % Hkv (k.repeat(1, G, 1, 1), tiled), not h // G."""
    return np.arange(hq) % hkv


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    kv_head_of=_tiled)
