"""scaled_dot_product_attention's causal mask hides key j from query i when j >= i (a
np.triu(..., k=0) where k=1 was meant): each query loses its own key, and query 0 sees no
key at all, so its output is 0 (the safe softmax). Forward and backward agree, so the
numeric check passes; torch's causal outputs and gradients do not, nor do the row sums
of the weights (row 0 sums to 0) and the long causal sequence; the special values are
compared with torch's causal attention too. The ignoring of later positions holds: this
mask hides more, never a later key."""

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_causal_mask_hides_the_diagonal (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "invariants", "robustness"))


def _hides_the_diagonal(sq, sk):
    """The bug: j > i - 1, i.e. j >= i, hides the diagonal too (np.triu(..., k=0) where k=1
    was meant)."""
    return -1


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    causal_offset=_hides_the_diagonal)
