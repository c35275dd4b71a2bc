"""scaled_dot_product_attention's backward keeps FlashAttention-1's statistics apart (the
row maximum m and the row sum l) and forms dV from E = exp(S - m), the weights before
division by l, where dQ and dK use P = E / l: dV = Eᵀ dO instead of Pᵀ dO, too large by
each row's l. The forward is the reference's and passes; torch's and the numeric dv do
not, nor does the long causal sequence's. A row with one visible key (l = 1) hides it."""

import numpy as np

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_dv_from_unnormalised_weights (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("backward_torch", "backward_numeric", "invariants"))


def _unnormalised(p, s, m):
    """The bug: dV from E = exp(S - m), the weights before the division by their row sum
    l, where dQ and dK take P = E / l."""
    return np.exp(s - m)


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    dv_weights=_unnormalised)
