"""multiclass_hinge's backward counts margins ≥ 0, not > 0: a margin of exactly 0 sends
a gradient of 1 to s_j (and -1 to s_y), where torch's multi_margin_loss sends none. The
loss is the same, and off the kink nothing differs: only the tie convention catches it."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "multiclass_hinge", ("invariants", "kinks")

multiclass_hinge_backward = impl.multiclass_hinge_backward


def multiclass_hinge_forward(scores, target, margin=1.0, reduction="mean"):
    loss, (_, target, scale) = impl.multiclass_hinge_forward(scores, target, margin,
                                                             reduction)
    rows = range(len(target))
    margins = (margin - scores[rows, target])[:, None] + scores
    counted = margins >= 0  # the bug: ties count
    counted[rows, target] = False
    return loss, (counted, target, scale)
