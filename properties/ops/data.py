"""Data and metrics (catalog §6, docs/notes.md): input normalisation, one-hot codes and back,
precision, recall and F1; their table entries and their invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from nnconform.properties.cases import Case, seeds, shapes
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close

NORMALIZE_VARIANTS = {"fit": {"apply": False}, "apply": {"apply": True}}


CONDITION = 10  # a feature's max |x| is at most this many of its σ (constant ones aside)


def _features(rng, m, offset, scale, constant, dtype):
    """m examples of features with the given offsets and scales; the feature `constant`
    (if any) set to an integer value, so its mean and deviation come out exact."""
    x = offset + scale * rng.standard_normal((m, len(offset)))
    if constant is not None:
        x[:, constant] = round(offset[constant])
    return x.astype(dtype)


def _conditioned(x) -> bool:
    """Every feature is constant or has max |x| ≤ CONDITION·σ: then (x - μ)/σ loses at most
    a factor CONDITION of precision to cancellation, which the tolerance allows for."""
    x = x.astype(np.float64)
    std = x.std(axis=0)
    return bool(np.all((std == 0) | (np.abs(x).max(axis=0) <= CONDITION * std)))


@st.composite
def normalize_cases(draw, dtype, variant=NORMALIZE_VARIANTS["fit"]):
    """x (m, features); for "apply", the mean and std of a separate training set drawn
    from the same distribution. Draws that are not _conditioned are rejected."""
    m = draw(st.integers(1, 8), label="m")
    features = draw(st.integers(1, 4), label="features")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    offset, scale = rng.normal(0, 3, features), rng.uniform(0.5, 5, features)
    constant = rng.integers(features) if rng.random() < 0.3 else None
    x = _features(rng, m, offset, scale, constant, dtype)
    assume(_conditioned(x))
    if not variant["apply"]:
        return Case((x, None, None), {}, seed)
    train = _features(rng, draw(st.integers(2, 8), label="training m"), offset, scale,
                      constant, np.float64)
    assume(_conditioned(train))
    return Case((x, train.mean(axis=0).astype(dtype), train.std(axis=0).astype(dtype)), {},
                seed)


def normalize_reduction(case: Case) -> int:
    return CONDITION * case.arrays[0].shape[0]  # μ and σ sum m terms; see _conditioned


@invariant(cases=lambda dtype: normalize_cases(dtype, NORMALIZE_VARIANTS["fit"]))
def normalize_training_set_mean_0_variance_1(impl, case):
    """Fitted on a training set, every feature comes out with mean 0 and variance 1 [002]
    [003] (a constant feature: mean 0 and variance 0, since it is only centred)."""
    x = case.arrays[0]
    y, _, std = impl("normalize", x, None, None)
    y = y.astype(np.float64)
    assert_close(y.mean(axis=0), np.zeros(x.shape[1:]), what="mean over the training set",
                 dtype=x.dtype, reduction_length=normalize_reduction(case))
    assert_close(y.var(axis=0), np.where(std > 0, 1.0, 0.0), what="variance over the "
                 "training set", dtype=x.dtype, reduction_length=normalize_reduction(case))


@invariant(cases=lambda dtype: normalize_cases(dtype, NORMALIZE_VARIANTS["fit"]))
def normalize_test_set_uses_the_training_parameters(impl, case):
    """"Use the same parameters to normalise the training and the test set" [003]: a test
    set goes through the training set's μ and σ, not its own, and the training set through
    its own fit gives the fit's output again."""
    train = case.arrays[0]
    fitted, mean, std = impl("normalize", train, None, None)
    test = (train[:1] * 3 + 1).astype(train.dtype)  # statistics unlike the training set's
    y, mean_out, std_out = impl("normalize", test, mean, std)
    scale = np.where(std > 0, std, 1).astype(np.float64)
    assert_close(y, (test - mean.astype(np.float64)) / scale, what="test set vs (x - μ)/σ "
                 "of the training set", dtype=train.dtype, reduction_length=10)
    assert np.array_equal(mean_out, mean) and np.array_equal(std_out, std), (
        "applying a fit returned other parameters than the ones given")
    again, _, _ = impl("normalize", train, mean, std)
    assert_close(again, fitted, what="training set through its own fit",
                 dtype=train.dtype, reduction_length=10)


# --- one-hot codes ----------------------------------------------------------------------


@st.composite
def one_hot_cases(draw, dtype, variant=None):
    """Class indices of any small shape (a 0-d one too), classes given or inferred."""
    shape = draw(shapes(min_dims=0, max_dims=2), label="indices shape")
    classes = draw(st.integers(1, 5), label="classes")
    given = draw(st.booleans(), label="classes given")
    seed = draw(seeds, label="seed")
    indices = np.random.default_rng(seed).integers(0, classes, shape)
    return Case((indices,), {"classes": classes if given else None, "dtype": dtype}, seed)


@st.composite
def argmax_cases(draw, dtype, variant=None):
    """(..., classes) rows: one-hot codes, scores with ties (small integers), or normal
    scores."""
    shape = draw(shapes(min_dims=0, max_dims=2), label="batch shape")
    classes = draw(st.integers(1, 5), label="classes")
    kind = draw(st.sampled_from(("one-hot", "ties", "scores")), label="kind")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    if kind == "one-hot":
        rows = np.eye(classes)[rng.integers(0, classes, shape)]
    elif kind == "ties":
        rows = rng.integers(0, 3, (*shape, classes)).astype(np.float64)
    else:
        rows = rng.standard_normal((*shape, classes))
    return Case((rows.astype(dtype),), {}, seed)


@invariant(uses=("one_hot_argmax",))
def one_hot_round_trips_through_argmax(impl, case):
    """argmax(one_hot(i)) = i [004]: each code is 0 everywhere but a single 1, at i."""
    (indices,) = case.arrays
    codes = impl("one_hot", indices, **case.hyper)
    assert np.isin(codes, (0, 1)).all() and np.array_equal(codes.sum(axis=-1),
                                                           np.ones(indices.shape)), (
        "a one-hot code is not one 1 among 0s")
    back = impl("one_hot_argmax", codes)
    assert back.shape == indices.shape and np.array_equal(back, indices), (
        f"argmax(one_hot(i)) is {back!r}, i is {indices!r}")


@invariant(uses=("one_hot",))
def one_hot_argmax_inverts_one_hot(impl, case):
    """one_hot(argmax(c)) = c for a one-hot code c [004], the round trip the other way."""
    (rows,) = case.arrays
    classes = rows.shape[-1]
    codes = np.eye(classes, dtype=rows.dtype)[case.rng(1).integers(0, classes,
                                                                   rows.shape[:-1])]
    again = impl("one_hot", impl("one_hot_argmax", codes), classes=classes,
                 dtype=rows.dtype.name)
    assert again.dtype == codes.dtype and np.array_equal(again, codes), (
        f"one_hot(argmax(c)) is {again!r}, c is {codes!r}")


@invariant()
def one_hot_argmax_picks_the_first_maximum(impl, case):
    """The index is a maximum of its row, the lowest one where the row ties (an all-zero
    row decodes to class 0)."""
    (rows,) = case.arrays
    found = impl("one_hot_argmax", rows)
    is_max = rows == rows.max(axis=-1, keepdims=True)
    first = np.argmax(is_max, axis=-1)  # the first True: the lowest tied maximum
    assert np.array_equal(found, first), f"got {found!r}, the first maxima are {first!r}"


# --- precision, recall, F1 ---------------------------------------------------------------


@st.composite
def label_cases(draw, dtype, variant=None):
    """Binary labels (floats 0. and 1.) of any small shape: targets at a drawn positive
    rate, predictions agreeing with them at a drawn rate and random otherwise; the rates
    include 0 and 1, so cases with no positives at all come up."""
    shape = draw(shapes(max_dims=2), label="shape")
    rates = st.sampled_from((0.0, 1.0, 0.5)) | st.floats(0, 1)
    positive, agree, guess = (draw(rates, label=name) for name in ("positive", "agree",
                                                                   "guess"))
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    target = rng.random(shape) < positive
    predicted = np.where(rng.random(shape) < agree, target, rng.random(shape) < guess)
    return Case((predicted.astype(dtype), target.astype(dtype)), {}, seed)


@invariant()
def precision_recall_f1_f1_is_the_harmonic_mean(impl, case):
    """F1 = 2PR/(P + R), the harmonic mean of precision and recall [003] (0 when both are
    0), so min(P, R) ≤ F1 ≤ max(P, R), and all three lie in [0, 1]."""
    precision, recall, f1 = (np.float64(v) for v in impl("precision_recall_f1",
                                                          *case.arrays))
    dtype = case.arrays[0].dtype
    total = precision + recall
    harmonic = 2 * precision * recall / total if total else 0.0
    assert_close(f1, harmonic, what="F1 vs 2PR/(P + R)", dtype=dtype, reduction_length=4)
    slack = 4 * np.finfo(dtype).eps
    assert min(precision, recall) - slack <= f1 <= max(precision, recall) + slack, (
        f"F1 {f1} outside [min(P, R), max(P, R)] = [{min(precision, recall)}, "
        f"{max(precision, recall)}]")
    assert all(0 <= v <= 1 for v in (precision, recall, f1)), (precision, recall, f1)


@invariant()
def precision_recall_f1_swapping_labels_swaps_precision_and_recall(impl, case):
    """Reading the predictions as the truth turns false positives into false negatives:
    precision and recall trade places and F1, symmetric in them, stays."""
    predicted, target = case.arrays
    forward = impl("precision_recall_f1", predicted, target)
    swapped = impl("precision_recall_f1", target, predicted)
    for what, got, expected in (("precision", swapped[0], forward[1]),
                                ("recall", swapped[1], forward[0]), ("F1", swapped[2],
                                                                    forward[2])):
        assert_close(got, expected, what=f"{what} with the labels swapped",
                     dtype=predicted.dtype)


@invariant()
def precision_recall_f1_perfect_and_empty_predictions(impl, case):
    """Predicting the target itself scores (1, 1, 1) when it has a positive; predicting
    no positive scores (0, 0, 0): the 0/0 cases (no predicted or no actual positives) are
    0, as scikit-learn's zero_division=0."""
    _, target = case.arrays
    ones = 1.0 if target.any() else 0.0
    perfect = impl("precision_recall_f1", target, target)
    assert_close(np.array(perfect), np.full(3, ones), what="(P, R, F1) of target vs itself",
                 dtype=target.dtype)
    empty = impl("precision_recall_f1", np.zeros_like(target), target)
    assert_close(np.array(empty), np.zeros(3), what="(P, R, F1) with no predicted positive",
                 dtype=target.dtype)


OPS = [
    Op("normalize", family="data",
       formula="y = (x - μ)/σ per feature; μ, σ fitted on the training set, applied to the "
               "test set [003]",
       inputs=("x", "mean?", "std?"), cases=normalize_cases, outputs=("y", "mean", "std"),
       no_backward="preprocessing of data", variants=NORMALIZE_VARIANTS,
       oracles=("torch",), reduction=normalize_reduction,
       invariants=(normalize_training_set_mean_0_variance_1,
                   normalize_test_set_uses_the_training_parameters)),
    Op("one_hot", family="data",
       formula="y[..., k] = 1 if k = indices[...] else 0; classes None: max + 1 [004]",
       inputs=("indices",), cases=one_hot_cases, hyper={"classes": None, "dtype": "float64"},
       no_backward="indices are data", oracles=("torch",),
       invariants=(one_hot_round_trips_through_argmax,)),
    Op("one_hot_argmax", family="data",
       formula="index = argmax_k one_hot[..., k], ties to the lowest k [004]",
       inputs=("one_hot",), cases=argmax_cases, outputs=("index",),
       integer_outputs=("index",), no_backward="an index has no gradient", oracles=("torch",),
       invariants=(one_hot_argmax_inverts_one_hot, one_hot_argmax_picks_the_first_maximum)),
    Op("precision_recall_f1", family="data",
       formula="P = TP/(TP + FP), R = TP/(TP + FN), F1 = 2PR/(P + R); 0/0 = 0 [003]",
       inputs=("predicted", "target"), cases=label_cases,
       outputs=("precision", "recall", "f1"), no_backward="a metric of binary labels",
       oracles=("closed",),
       conventions={"sklearn_order": Convention(
           "the arguments are (predicted, target); scikit-learn's precision_recall_fscore_"
           "support takes (y_true, y_pred), the reverse: swap them",
           call=lambda arrays, hyper: (arrays[::-1], hyper), trap=True)},
       invariants=(precision_recall_f1_f1_is_the_harmonic_mean,
                   precision_recall_f1_swapping_labels_swaps_precision_and_recall,
                   precision_recall_f1_perfect_and_empty_predictions)),
]
