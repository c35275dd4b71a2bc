"""scaled_dot_product_attention's causal mask hides key j from query i only when j > i + 1
(a tile bound off by one): each query also reads the next position's key and value.
Forward and backward agree, so the numeric check passes; torch's causal outputs and
gradients do not, and the invariants see it three ways: a weight on a key after the
query, an output that changes when a later k or v does, the long causal sequence; the
special values are compared with torch's causal attention too."""

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_causal_mask_shows_one_future_key (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "invariants", "robustness"))


def _one_past_the_diagonal(sq, sk):
    """The bug: j > i + 1, so query i also sees key i + 1 (a tile bound off by one)."""
    return 1


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    causal_offset=_one_past_the_diagonal)
