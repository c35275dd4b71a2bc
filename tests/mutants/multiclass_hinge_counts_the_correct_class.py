"""multiclass_hinge forgets to leave out j = y_i: the correct class's own margin
s_y - s_y + Δ = Δ is added for every example, so the loss is Δ too large per example
(CS231n's classic svm_loss_naive bug). The gradient happens to stay right: that term's
+1 and the extra -1 at y cancel."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "multiclass_hinge", ("forward", "invariants")

multiclass_hinge_backward = impl.multiclass_hinge_backward


def multiclass_hinge_forward(scores, target, margin=1.0, reduction="mean"):
    rows = np.arange(scores.shape[0])
    margins = (margin - scores[rows, target])[:, None] + scores
    counted = margins > 0  # the bug: j = y_i is counted too (when Δ > 0)
    scale = 1.0 / scores.shape[0] if reduction == "mean" else 1.0
    loss = np.asarray(scale * np.sum(margins, where=counted), dtype=scores.dtype)
    counted = counted.copy()
    counted[rows, target] = False  # the backward's own bookkeeping is right
    return loss, (counted, target, scale)
