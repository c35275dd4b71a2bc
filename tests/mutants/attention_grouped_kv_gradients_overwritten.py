"""scaled_dot_product_attention's backward adds each query head's dk and dv into its kv
head with dk[:, h // G] += per_head (a fancy index with repeated indices): NumPy
buffers it, so of the G heads that share a kv head only the last one's share is added.
With G = 1 it is right; with G ≥ 2 torch's and the numeric dk and dv differ, and so does
the long causal sequence's (2 query heads on 1 kv head). The forward is the
reference's."""

import numpy as np

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_grouped_kv_gradients_overwritten (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("backward_torch", "backward_numeric", "invariants"))


def _through_a_fancy_index(grad, per_head, keys):
    """The bug: grad[:, h // G] += each query head's share, a fancy index with repeated kv
    heads: NumPy buffers the +=, so of the G heads sharing a kv head only the last adds."""
    b, hkv, g = per_head.shape[:3]
    grad[:, np.arange(hkv * g) // g, keys] += per_head.reshape(b, hkv * g, *per_head.shape[3:])


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    accumulate_kv=_through_a_fancy_index)
