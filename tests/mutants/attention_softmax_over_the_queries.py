"""scaled_dot_product_attention normalises the weights with softmax over the queries
(axis -2 of the (..., Sq, Sk) scores) instead of over the keys: each key's column sums
to 1, not each query's row. Forward and backward agree (the backward is that softmax's),
so the numeric check passes; torch's outputs and gradients do not, the weights' rows do
not sum to 1, the long causal sequence differs, and in the special values a NaN score
spreads down its key's column to every other query. The causal output still ignores
later positions: a later key's column is hidden from the earlier queries."""

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_softmax_over_the_queries (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "invariants", "robustness"))


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    softmax_axis=-2)  # the bug: each key's column normalised over the queries
