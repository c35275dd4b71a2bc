"""Data and metrics (catalog §6, docs/notes.md): input normalisation, one-hot codes and back,
precision, recall and F1."""

from __future__ import annotations

import numpy as np

from ._checks import require_float, require_same_dtype, require_shape


def normalize_forward(x, mean=None, std=None):
    """Input normalisation [003]: y = (x - μ)/σ per feature, one example per row of x (m,
    ...). With mean and std None it fits them on x (μ the mean over rows, σ the population
    standard deviation, 1/m); given both (a training set's), it applies them, which is how
    a test set is normalised. A feature with σ exactly 0 is only centred (divided by 1).
    Returns (y, mean, std), None: no backward, this is preprocessing of data."""
    require_float("x", x)
    if x.ndim < 1 or x.shape[0] < 1:
        raise ValueError(f"x: expected at least one example (row), got shape {x.shape}")
    if (mean is None) != (std is None):
        raise ValueError("mean, std: pass both (apply a fit) or neither (fit on x)")
    if mean is None:
        mean, std = x.mean(axis=0), x.std(axis=0)
    else:
        for name, value in (("mean", mean), ("std", std)):
            require_float(name, value)
            require_same_dtype(name, value, x, "x")
            require_shape(name, value, x.shape[1:], " (one per feature, x's shape after axis 0)")
        if (std < 0).any():
            raise ValueError("std: expected non-negative standard deviations")
        mean, std = mean.copy(), std.copy()
    scale = np.where(std > 0, std, 1).astype(x.dtype)
    return ((x - mean) / scale, mean, std), None


def _float_dtype(name, dtype):
    """`dtype` as a NumPy floating dtype; TypeError naming `name` otherwise."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name}: expected a floating dtype, got {dtype!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating dtype, got {dtype}")
    return dtype


def one_hot_forward(indices, classes=None, dtype="float64"):
    """One-hot encoding [004]: class k of `classes` becomes the vector with 1 at k and 0
    elsewhere (class B of {A, B, C, D} is [0, 1, 0, 0]). indices: integers of any shape in
    [0, classes); y has shape indices.shape + (classes,) and the float `dtype`. classes None
    takes max(indices) + 1, as torch's one_hot does. Returns y, None: no backward, indices
    are data."""
    if not isinstance(indices, np.ndarray) or indices.dtype.kind not in "iu":
        raise TypeError(f"indices: expected an integer numpy.ndarray, got "
                        f"{getattr(indices, 'dtype', type(indices).__name__)}")
    dtype = _float_dtype("dtype", dtype)
    if classes is None:
        if indices.size == 0:
            raise ValueError("classes: cannot be inferred from empty indices; pass it")
        classes = int(indices.max()) + 1
    if isinstance(classes, bool) or not isinstance(classes, int | np.integer):
        raise TypeError(f"classes: expected a positive int, got {type(classes).__name__}")
    if classes < 1:
        raise ValueError(f"classes: expected a positive int, got {classes}")
    if indices.size and (indices.min() < 0 or indices.max() >= classes):
        raise ValueError(f"indices: expected values in [0, {classes}) (classes), got "
                         f"{indices.min()}..{indices.max()}")
    return np.eye(classes, dtype=dtype)[indices], None


def one_hot_argmax_forward(one_hot):
    """The way back from a one-hot code (or from scores, probabilities) to class indices:
    the position of the largest entry along the last axis, ties to the lowest class, so an
    all-zero row gives 0. one_hot (..., classes) -> int64 (...). Returns index, None."""
    require_float("one_hot", one_hot)
    if one_hot.ndim == 0 or one_hot.shape[-1] == 0:
        raise ValueError(f"one_hot: expected a last axis of at least one class, got shape "
                         f"{one_hot.shape}")
    # np.asarray: argmax of a single row is a NumPy scalar, the contract wants an array.
    return np.asarray(np.argmax(one_hot, axis=-1), dtype=np.int64), None


def _require_labels(name, labels):
    require_float(name, labels)
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{name}: expected binary labels, every value 0 or 1")


def precision_recall_f1_forward(predicted, target):
    """Precision, recall and their harmonic mean F1 [003] for binary labels (1 positive,
    0 negative) of the same shape, counted over every element: with TP, FP, FN the true
    positives, false positives and false negatives, precision = TP/(TP + FP) ("when it
    says cat, how often is it a cat"), recall = TP/(TP + FN) ("of all cats, how many it
    finds"), F1 = 2PR/(P + R) = 2TP/(2TP + FP + FN).

    A ratio whose denominator is 0 is defined as 0, as scikit-learn's zero_division=0: no
    predicted positives gives precision 0, no actual positives recall 0, and F1 is 0 when
    TP = 0. predicted and target are float arrays of 0. and 1. of one dtype; the outputs are
    0-d arrays of that dtype. Returns (precision, recall, f1), None: a metric, no backward."""
    _require_labels("predicted", predicted)
    _require_labels("target", target)
    require_same_dtype("target", target, predicted, "predicted")
    require_shape("target", target, predicted.shape, " (predicted's shape)")
    # Counted as Python ints, exact in any float dtype; one rounding in each division.
    said, real = predicted == 1, target == 1
    true_pos = int(np.count_nonzero(said & real))
    false_pos = int(np.count_nonzero(said & ~real))
    false_neg = int(np.count_nonzero(~said & real))

    def ratio(numerator, denominator):
        return np.array(numerator / denominator if denominator else 0.0, dtype=predicted.dtype)

    return (ratio(true_pos, true_pos + false_pos), ratio(true_pos, true_pos + false_neg),
            ratio(2 * true_pos, 2 * true_pos + false_pos + false_neg)), None
