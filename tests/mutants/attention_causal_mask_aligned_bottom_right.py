"""scaled_dot_product_attention aligns the causal mask at the bottom right (flash-attn
2.1's convention: key j hidden from query i when j > i + Sk - Sq) where torch's is_causal
and the contract align it at the top left (j > i). The two agree when Sq = Sk, so the
long causal sequence (1024 × 1024) passes; with more keys than queries each query sees
later keys, with fewer some see none (output 0). Forward and backward agree, so the
numeric check passes; torch's causal outputs and gradients do not, the weights put mass
on keys after the query, the output depends on later positions, and the special values
are compared with torch's causal attention too. The contract names no such convention,
so it is a bug here, and the report must not offer one."""

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_causal_mask_aligned_bottom_right (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "invariants", "robustness"))


def _bottom_right(sq, sk):
    """The bug: the diagonal through the last query and the last key (flash-attn 2.1's
    alignment), key j hidden when j > i + Sk - Sq, where torch's is_causal is top-left."""
    return sk - sq


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    causal_offset=_bottom_right)
