"""Data preparation (CATALOG section 6): input normalisation, its table entry and its
invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from properties.cases import Case, seeds
from properties.optable import Op, invariant
from properties.tolerances import assert_close

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


OPS = [
    Op("normalize", family="data",
       formula="y = (x - μ)/σ per feature; μ, σ fitted on the training set, applied to the "
               "test set [003]",
       inputs=("x", "mean?", "std?"), cases=normalize_cases, outputs=("y", "mean", "std"),
       no_backward="preprocessing of data", variants=NORMALIZE_VARIANTS,
       oracles=("torch",), reduction=normalize_reduction,
       invariants=(normalize_training_set_mean_0_variance_1,
                   normalize_test_set_uses_the_training_parameters)),
]
