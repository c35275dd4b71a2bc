"""scaled_dot_product_attention's backward takes dS = P ⊙ dP, leaving out the
- rowsum(dO ⊙ O) of softmax's backward (FlashAttention's D term), so dq and dk miss the
part through the normalisation (dv is right). The forward is the reference's and
passes, special values included; torch's and the numeric gradients of q and k do not,
nor does the long causal sequence's dq."""

from nnconform.impl import *  # noqa: F403

try:  # imported as mutants.attention_backward_without_the_delta_term (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("backward_torch", "backward_numeric", "invariants"))


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    delta=False)
