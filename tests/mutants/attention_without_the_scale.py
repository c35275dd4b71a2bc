"""scaled_dot_product_attention forgets the scale when it forms the scores: s = q kᵀ
instead of scale·q kᵀ (1/√D by default, or the scale given), while the backward still
multiplies dq and dk by the scale, as the chain rule through scale·q kᵀ asks. The
weights are those of the wrong scores, so torch's outputs and gradients disagree, in the
long causal sequence and the special values too, and the backward is not even the
derivative of this forward, so the numeric check fails as well. The weights still sum to
1 per row and ignore later keys. Only a scale of 1 (D = 1 with the default) hides it."""

from nnconform.impl import *  # noqa: F403
from nnconform.impl.attention import _scores

try:  # imported as mutants.attention_without_the_scale (the tests)
    from ._attention import build
except ImportError:  # loaded by its path (--impl): its folder is importable, as a script's
    from _attention import build

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "backward_numeric", "invariants", "robustness"))


def _unscaled_scores(q5, k5, rows, keys, mask, causal, scale):
    """The bug: q kᵀ (+ mask) without the scale, which the backward still applies to dq
    and dk."""
    return _scores(q5, k5, rows, keys, mask, causal, 1)


scaled_dot_product_attention_forward, scaled_dot_product_attention_backward = build(
    scores=_unscaled_scores)
