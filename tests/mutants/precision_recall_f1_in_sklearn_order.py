"""precision_recall_f1 takes (y_true, y_pred), scikit-learn's order, where the contract's
is (predicted, target): precision and recall come back swapped. A misreading the report
names, not a convention one may declare."""
from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "precision_recall_f1", ("closed_form",)
CONVENTION = "sklearn_order"  # a misreading: undeclared, it fails and says so


def precision_recall_f1_forward(y_true, y_pred):
    return impl.precision_recall_f1_forward(y_pred, y_true)
