"""The closed-form oracle for metrics and initialisers [003], in plain Python and NumPy
float64, independent of any implementation.

precision, recall and F1 come from counting true positives, false positives and false
negatives one pair of labels at a time; a ratio with denominator 0 is 0 (scikit-learn's
zero_division=0). The initialisers are W = z·√Var with the notes' variance, b = 0: the
explicit standard-normal draw z makes them deterministic.
"""

from __future__ import annotations

import math

import numpy as np


def precision_recall_f1(predicted, target):
    """precision = TP/(TP + FP), recall = TP/(TP + FN), F1 = their harmonic mean [003]."""
    true_pos = false_pos = false_neg = 0
    for said, real in zip(np.ravel(predicted), np.ravel(target), strict=True):
        if said == 1 and real == 1:
            true_pos += 1
        elif said == 1:
            false_pos += 1
        elif real == 1:
            false_neg += 1
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return np.array(precision), np.array(recall), np.array(f1)


def _fans(shape):
    """fan_in = n_in·(kernel cells), fan_out = n_out·(kernel cells) of a (n_out, n_in, ...)
    weight."""
    cells = math.prod(shape[2:])
    return shape[1] * cells, shape[0] * cells


def _initialiser(variance):
    """(W, b) = (z·√variance(fan_in, fan_out), 0) for an explicit draw z."""

    def initialise(z, **_):
        z = np.asarray(z, dtype=np.float64)
        return z * math.sqrt(variance(*_fans(z.shape))), np.zeros(z.shape[0])

    return initialise


def _small_normal(z, scale=0.01, **_):
    return np.asarray(z, dtype=np.float64) * scale, np.zeros(np.shape(z)[0])  # randn·0.01


FORWARD = {
    "precision_recall_f1": precision_recall_f1,
    "small_normal": _small_normal,
    "xavier_normal": _initialiser(lambda fan_in, fan_out: 1 / fan_in),  # "constant 1" [003]
    "glorot_normal": _initialiser(lambda fan_in, fan_out: 2 / (fan_in + fan_out)),
    "he_normal": _initialiser(lambda fan_in, fan_out: 2 / fan_in),  # "constant 2" [003]
}
BACKWARD: dict = {}
