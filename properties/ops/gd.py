"""Batch, mini-batch and stochastic gradient descent (catalog §4, docs/notes.md): the mini-batch
partition and the worked examples' two regression losses, their table entries and
invariants. The notes' worked examples [002] are reproduced here as invariants: the
descent loops call the ops for every gradient and apply the update themselves.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from nnconform.properties.cases import Case, normal, seeds
from nnconform.properties.optable import Op, invariant
from nnconform.properties.tolerances import assert_close

# --- mini-batches -----------------------------------------------------------------------


@st.composite
def mini_batches_cases(draw, dtype, variant=None):
    """m examples x (m, features) with targets y (m,), a permutation `order` and a batch
    size that may or may not divide m (1 and sizes beyond m included)."""
    m = draw(st.integers(1, 10), label="m")
    features = draw(st.integers(1, 3), label="features")
    batch_size = draw(st.sampled_from((1, 2, 4, 64)) | st.integers(1, 12), label="batch_size")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    return Case((normal(rng, (m, features), dtype), normal(rng, (m,), dtype),
                 rng.permutation(m)), {"batch_size": batch_size}, seed)


def _numbered(case):
    """The case's data with example i's first feature set to i, so the shuffled rows say
    which examples they are."""
    x, y, _ = case.arrays
    x = x.copy()
    x[:, 0] = np.arange(len(x))
    return x, y


@invariant()
def mini_batches_every_example_once_per_epoch(impl, case):
    """Shuffled by a drawn permutation [003], the batches partition the data: every
    example appears exactly once, with its own target, batch k holds rows
    k·batch_size ... (k + 1)·batch_size - 1, and the last batch keeps the m mod batch_size
    left over (it is not dropped)."""
    x, y = _numbered(case)
    size = case.hyper["batch_size"]
    shuffled_x, shuffled_y, batch = impl("mini_batches", x, y, None, batch_size=size,
                                         rng=case.rng(5))
    m = len(x)
    assert shuffled_x.shape == x.shape and shuffled_y.shape == y.shape and batch.shape == (
        m,), f"shapes {shuffled_x.shape}, {shuffled_y.shape}, {batch.shape} for m = {m}"
    order = shuffled_x[:, 0].astype(np.int64)
    assert np.array_equal(np.sort(order), np.arange(m)), f"examples used: {order}"
    assert np.array_equal(shuffled_x, x[order]) and np.array_equal(shuffled_y, y[order]), (
        "x and y were not shuffled together")
    counts = np.bincount(batch, minlength=math.ceil(m / size))
    expected = [size] * (m // size) + ([m % size] if m % size else [])
    assert np.all(np.diff(batch) >= 0) and counts.tolist() == expected, (
        f"batch sizes {counts.tolist()}, expected {expected} (batch_size {size}, m {m})")


@invariant()
def mini_batches_size_m_is_batch_gd_and_1_is_sgd(impl, case):
    """batch_size = m (or more) gives one batch, the whole set: batch gradient descent;
    batch_size = 1 gives m batches of one example: stochastic gradient descent [002]."""
    x, y, order = case.arrays
    m = len(x)
    for size, expected in ((m, np.zeros(m)), (m + 3, np.zeros(m)), (1, np.arange(m))):
        _, _, batch = impl("mini_batches", x, y, order, batch_size=size)
        assert np.array_equal(batch, expected), f"batch_size {size}: batches {batch}"


# --- linear regression ŷ = w x + b --------------------------------------------------------


@st.composite
def linear_regression_cases(draw, dtype, variant=None):
    """w and b (0-d), N examples x (N,) and targets y (N,)."""
    count = draw(st.integers(1, 8), label="N")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    w, b = (np.asarray(normal(rng, (), dtype)) for _ in range(2))
    return Case((w, b, normal(rng, (count,), dtype, 2.0), normal(rng, (count,), dtype, 2.0)),
                {}, seed)


def linear_regression_reduction(case: Case) -> int:
    return 4 * case.arrays[2].size  # Σ over N terms of products of three numbers


def _worked_example(dtype, x):
    x = np.asarray(x, dtype)
    return st.just(Case((np.zeros((), dtype), np.zeros((), dtype), x, 2 * x), {}, 0))


def _gradients(impl, w, b, x, y):
    return impl.grads("linear_regression", (w, b, x, y), {}, np.ones((), x.dtype), 2)


@invariant(cases=lambda dtype: _worked_example(dtype, [1, 2, 3, 4]))
def linear_regression_batch_gd_worked_example(impl, case):
    """The notes' batch GD example [002]: x = [1, 2, 3, 4], y = [2, 4, 6, 8], w = b = 0;
    the per-example gradients (2/N)(ŷ - y)x are -1, -4, -9, -16 and sum to ∇w = -30,
    ∇b = -10; with learning rate 0.01, w = 0.3 and b = 0.1."""
    w, b, x, y = case.arrays
    grad_w, grad_b = _gradients(impl, w, b, x, y)
    assert_close(grad_w, -30.0, what="∇w", dtype=x.dtype)
    assert_close(grad_b, -10.0, what="∇b", dtype=x.dtype)
    assert_close(w - 0.01 * grad_w, 0.3, what="w after one step", dtype=x.dtype)
    assert_close(b - 0.01 * grad_b, 0.1, what="b after one step", dtype=x.dtype)


def _converged(w, b, what):
    assert abs(float(w) - 2) <= 1e-3 and abs(float(b)) <= 1e-3, (
        f"{what}: w = {float(w)}, b = {float(b)}, expected within 1e-3 of w = 2, b = 0")


@invariant(cases=lambda dtype: _worked_example(dtype, range(1, 9)), uses=("mini_batches",))
def linear_regression_mini_batch_gd_worked_example(impl, case):
    """The notes' mini-batch example [002]: x = [1..8], y = 2x, batches [1..4] and [5..8]
    (mini_batches with batch size 4, unshuffled), each batch's gradient (2/N)Σ(ŷ - y)x
    over its N = 4 examples, rate 0.01: within 1000 epochs w is within 1e-3 of 2 and b of
    0 (in exact arithmetic they are within 1e-4 after 1000 epochs)."""
    w, b, x, y = case.arrays
    _, _, batch = impl("mini_batches", x, y, np.arange(8), batch_size=4)
    assert np.array_equal(batch, [0, 0, 0, 0, 1, 1, 1, 1]), f"batches {batch}"
    for _ in range(1000):
        for k in range(2):
            grad_w, grad_b = _gradients(impl, w, b, x[batch == k], y[batch == k])
            w, b = np.asarray(w - 0.01 * grad_w, x.dtype), np.asarray(b - 0.01 * grad_b, x.dtype)
    _converged(w, b, "mini-batch GD")


@invariant(cases=lambda dtype: _worked_example(dtype, range(1, 9)))
def linear_regression_sgd_worked_example(impl, case):
    """The notes' SGD example [002]: one example at a time, gradient 2(ŷ - y)x (the loss's
    gradient with N = 1: -4 and -4 for the first example at w = b = 0), rate 0.01: within
    300 epochs w is within 1e-3 of 2 and b of 0."""
    w, b, x, y = case.arrays
    first = _gradients(impl, w, b, x[:1], y[:1])
    assert_close(np.array(first), [-4.0, -4.0], what="2(ŷ - y)x, 2(ŷ - y) at x = 1",
                 dtype=x.dtype)
    for _ in range(300):
        for i in range(8):
            grad_w, grad_b = _gradients(impl, w, b, x[i:i + 1], y[i:i + 1])
            w, b = np.asarray(w - 0.01 * grad_w, x.dtype), np.asarray(b - 0.01 * grad_b, x.dtype)
    _converged(w, b, "SGD")


@invariant(cases=lambda dtype: _worked_example(dtype, range(1, 9)))
def linear_regression_momentum_worked_example(impl, case):
    """The notes' momentum example [002]: per example, v = 0.9 v + rate·∇, w = w - v. With
    the notes' rate 0.01 it diverges on this data (the effective step rate/(1 - 0.9) = 0.1
    is past the stability limit of 2/(2(x² + 1)) for x = 8), so the rate is 0.001: within
    300 epochs w is within 1e-3 of 2 and b of 0."""
    w, b, x, y = case.arrays
    velocity_w = velocity_b = np.zeros((), x.dtype)
    for _ in range(300):
        for i in range(8):
            grad_w, grad_b = _gradients(impl, w, b, x[i:i + 1], y[i:i + 1])
            velocity_w = np.asarray(0.9 * velocity_w + 0.001 * grad_w, x.dtype)
            velocity_b = np.asarray(0.9 * velocity_b + 0.001 * grad_b, x.dtype)
            w, b = np.asarray(w - velocity_w, x.dtype), np.asarray(b - velocity_b, x.dtype)
    _converged(w, b, "momentum")


@invariant()
def linear_regression_batch_gradient_is_the_mean_of_example_gradients(impl, case):
    """Batch GD's gradient is the average of the N single-example (SGD) gradients: the
    mean loss's 2/N is the per-example 2 over N [002]."""
    w, b, x, y = case.arrays
    whole = _gradients(impl, w, b, x, y)
    single = np.array([_gradients(impl, w, b, x[i:i + 1], y[i:i + 1])
                       for i in range(len(x))], dtype=np.float64)
    assert_close(np.array(whole), single.mean(axis=0), what="batch gradient vs mean of "
                 "per-example gradients", dtype=x.dtype,
                 reduction_length=linear_regression_reduction(case))


# --- linear regression in matrix form ----------------------------------------------------


@st.composite
def least_squares_cases(draw, dtype, variant=None):
    """X (m, n) with m ≥ n and condition number at most 4, θ (n,) or (n, k), Y like Xθ."""
    n = draw(st.integers(1, 3), label="n")
    m = draw(st.integers(n, 6), label="m")
    k = draw(st.sampled_from((None, 1, 2)), label="k")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((m, n))
    assume(np.linalg.cond(x) <= 4)
    shape = (n,) if k is None else (n, k)
    y_shape = (m,) if k is None else (m, k)
    return Case((normal(rng, shape, dtype), x.astype(dtype), normal(rng, y_shape, dtype)),
                {}, seed)


def least_squares_reduction(case: Case) -> int:
    _, x, _ = case.arrays
    return 2 * max(x.shape)


@invariant()
def least_squares_gd_reaches_the_normal_equations(impl, case):
    """θ ← θ - η Xᵀ(Xθ - Y) [002] with η = 1/λ_max(XᵀX) shrinks the error by at least
    1 - 1/cond(X)² ≤ 15/16 per step: after 400 steps θ solves the normal equations
    XᵀXθ = XᵀY (NumPy's lstsq) to within the dtype's tolerance."""
    theta, x, y = case.arrays
    rate = 1 / np.linalg.eigvalsh(x.astype(np.float64).T @ x).max()
    for _ in range(400):
        (grad,) = impl.grads("least_squares", (theta, x, y), {}, np.ones((), x.dtype), 1)
        theta = (theta - rate * grad).astype(x.dtype)
    solution = np.linalg.lstsq(x.astype(np.float64), y.astype(np.float64), rcond=None)[0]
    assert_close(theta, solution, what="θ after 400 steps vs the normal equations",
                 dtype=x.dtype, reduction_length=16 * least_squares_reduction(case))


@invariant()
def least_squares_gradient_vanishes_at_an_exact_fit(impl, case):
    """Where Y = Xθ the loss is 0 and so is its gradient Xᵀ(Xθ - Y)."""
    theta, x, _ = case.arrays
    y = (x.astype(np.float64) @ theta).astype(x.dtype)
    (grad,) = impl.grads("least_squares", (theta, x, y), {}, np.ones((), x.dtype), 1)
    assert_close(grad, np.zeros(theta.shape), what="∂J/∂θ at Y = Xθ", dtype=x.dtype,
                 reduction_length=4 * least_squares_reduction(case))


# --- the table entries ------------------------------------------------------------------

OPS = [
    Op("mini_batches", family="gradient_descent",
       formula="shuffle (X, Y) by one permutation, cut into batches of batch_size; the last "
               "keeps the rest [003]",
       inputs=("x", "y", "order?"), cases=mini_batches_cases,
       hyper={"batch_size": 64, "rng": None}, outputs=("x", "y", "batch"),
       integer_outputs=("batch",), oracles=("torch", "closed"),
       no_backward="reorders and splits data",
       invariants=(mini_batches_every_example_once_per_epoch,
                   mini_batches_size_m_is_batch_gd_and_1_is_sgd)),
    Op("linear_regression", family="gradient_descent",
       formula="ŷ = w x + b, L = 1/N Σ (ŷ - y)²; ∇w = Σ (2/N)(ŷ - y)x [002]",
       inputs=("w", "b", "x", "y"), grads=("w", "b"), cases=linear_regression_cases,
       reduction=linear_regression_reduction,
       invariants=(linear_regression_batch_gd_worked_example,
                   linear_regression_mini_batch_gd_worked_example,
                   linear_regression_sgd_worked_example,
                   linear_regression_momentum_worked_example,
                   linear_regression_batch_gradient_is_the_mean_of_example_gradients)),
    Op("least_squares", family="gradient_descent",
       formula="J = ½ (Xθ - Y)ᵀ(Xθ - Y); ∂J/∂θ = Xᵀ(Xθ - Y) [002]",
       inputs=("theta", "x", "y"), grads=("theta",), cases=least_squares_cases,
       reduction=least_squares_reduction,
       invariants=(least_squares_gd_reaches_the_normal_equations,
                   least_squares_gradient_vanishes_at_an_exact_fit)),
]
