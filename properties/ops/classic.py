"""Classic learning rules (catalog §5, docs/notes.md): their table entries and invariants.

Each rule is a forward-only op compared with torch and the notes' formulas; the training
loops (the perceptron learning AND and OR, hot/cold learning, logistic regression on
separable data) are invariants that call the op once per update.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from nnconform.oracles import numeric
from nnconform.properties.cases import Case, normal, seeds
from nnconform.properties.optable import Op, invariant
from nnconform.properties.tolerances import assert_close

MARGIN = 1e-3  # drawn pre-activations stay this far from the step's jump at 0
PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])  # the four inputs of a logic gate
GATES = {"OR": np.array([0, 1, 1, 1]), "AND": np.array([0, 0, 0, 1]),
         "XOR": np.array([0, 1, 1, 0])}


def _fixed(case):
    """A strategy of one Case: Hypothesis runs a fixed example once."""
    return st.just(case)


def _off_the_jump(x, w, h) -> bool:
    u = np.atleast_1d(x.astype(np.float64) @ w.astype(np.float64) - float(h))
    return bool(np.all(np.abs(u) >= MARGIN))


# --- the M-P neuron ---------------------------------------------------------------------


@st.composite
def mp_neuron_cases(draw, dtype, variant=None):
    """Patterns x (N, n), 0/1 or real, weights w (n,) and a threshold h, with every
    Σ w_i x_i - h at least MARGIN from 0 (float32 and float64 agree on its side)."""
    n = draw(st.integers(1, 4), label="n")
    count = draw(st.integers(1, 6), label="patterns")
    binary = draw(st.booleans(), label="0/1 inputs")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, (count, n)).astype(dtype) if binary else normal(rng, (count, n),
                                                                          dtype)
    w, h = normal(rng, (n,), dtype), np.asarray(normal(rng, (), dtype))
    assume(_off_the_jump(x, w, h))
    return Case((x, w, h), {}, seed)


def _gate_case(dtype):
    return _fixed(Case((PATTERNS.astype(dtype), np.ones(2, dtype), np.zeros((), dtype)),
                       {}, 0))


@invariant(cases=_gate_case)
def mp_neuron_or_and_truth_tables(impl, case):
    """w = (1, 1) with h = 0.5 is OR and with h = 1.5 is AND, on all four patterns exactly
    [000]; with h = 2 even (1, 1) stays 0: the neuron fires only when Σ w_i x_i > h."""
    x, w, _ = case.arrays
    for gate, h, expected in (("OR", 0.5, GATES["OR"]), ("AND", 1.5, GATES["AND"]),
                              ("h = 2", 2.0, np.zeros(4))):
        y = impl("mp_neuron", x, w, np.asarray(h, x.dtype))
        assert np.array_equal(y, expected), f"{gate}: outputs {y}, expected {expected}"


@invariant()
def mp_neuron_outputs_0_or_1(impl, case):
    """Inputs and outputs of the M-P model are 0 or 1 [000]: y is 1 exactly where
    Σ w_i x_i > h."""
    x, w, h = case.arrays
    y = impl("mp_neuron", x, w, h)
    expected = x.astype(np.float64) @ w.astype(np.float64) > float(h)
    assert np.array_equal(y, expected.astype(float)), f"outputs {y}, expected {expected}"


# --- the perceptron ---------------------------------------------------------------------


@st.composite
def perceptron_cases(draw, dtype, variant=None):
    """Weights w (n,), threshold h, one pattern x (0/1 or real, off the jump), its target
    r (0 or 1) and the rate a."""
    n = draw(st.integers(1, 4), label="n")
    binary = draw(st.booleans(), label="0/1 inputs")
    a = draw(st.sampled_from((0.1, 0.5, 1.0)) | st.floats(0.01, 1.0), label="a")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n).astype(dtype) if binary else normal(rng, (n,), dtype)
    w, h = normal(rng, (n,), dtype), np.asarray(normal(rng, (), dtype))
    assume(_off_the_jump(x, w, h))
    return Case((w, h, x, np.asarray(rng.integers(0, 2), dtype)), {"a": a}, seed)


@st.composite
def perceptron_starts(draw, dtype):
    """A start (w, h) with every entry in [-1, 1] and a rate a in [0.1, 1]; the patterns
    are the gate's."""
    a = draw(st.floats(0.1, 1.0), label="a")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, 3).astype(dtype)
    return Case((start[:2], start[2:].reshape(()), PATTERNS[0].astype(dtype),
                 np.zeros((), dtype)), {"a": a}, seed)


def _epoch(impl, w, h, gate, a):
    """One pass over the four patterns; the weights after it and how many it corrected."""
    corrections = 0
    for pattern, target in zip(PATTERNS, GATES[gate], strict=True):
        new_w, new_h = impl("perceptron_step", w, h, pattern.astype(w.dtype),
                            np.asarray(target, w.dtype), a=a)
        corrections += not (np.array_equal(new_w, w) and np.array_equal(new_h, h))
        w, h = new_w, new_h
    return w, h, corrections


def perceptron_epoch_bound(start_norm: float, a: float) -> int:
    """Novikoff's bound with a start: on (x, -1) with ‖(x, -1)‖² ≤ R² = 3 and the
    separator (1, 1, h*) (h* = 0.5 for OR, 1.5 for AND: margin 0.5, so γ = 0.5/√4.25 after
    normalising), k corrections need kaγ - ‖θ0‖ ≤ √(‖θ0‖² + k a² R²), so
    k ≤ (R² + 2γ‖θ0‖/a)/γ². Every epoch short of convergence corrects at least once."""
    radius2, gamma = 3.0, 0.5 / math.sqrt(4.25)
    return math.floor((radius2 + 2 * gamma * start_norm / a) / gamma ** 2) + 1


@invariant(cases=perceptron_starts)
def perceptron_learns_and_and_or(impl, case):
    """From any drawn start the error-correction rule learns AND and OR [000]: within the
    perceptron convergence bound (perceptron_epoch_bound, at most a few hundred epochs
    here) an epoch passes with no correction, i.e. all four patterns right."""
    w0, h0, _, _ = case.arrays
    a = case.hyper["a"]
    bound = perceptron_epoch_bound(float(np.linalg.norm(np.append(w0, h0))), a)
    for gate in ("AND", "OR"):
        w, h = w0, h0
        for _ in range(bound + 1):
            w, h, corrections = _epoch(impl, w, h, gate, a)
            if not corrections:
                break
        assert not corrections, (f"{gate}: still correcting after {bound + 1} epochs "
                                 f"(the convergence bound); w = {w}, h = {h}")


@invariant(cases=perceptron_starts)
def perceptron_never_classifies_xor(impl, case):
    """XOR is not linearly separable [000]: for 40 epochs from a drawn start, every epoch
    still has to correct a pattern (it never gets all four right)."""
    w, h, _, _ = case.arrays
    for epoch in range(40):
        w, h, corrections = _epoch(impl, w, h, "XOR", case.hyper["a"])
        assert corrections, f"epoch {epoch}: XOR classified perfectly with w = {w}, h = {h}"


@invariant()
def perceptron_adjusts_as_the_notes_list(impl, case):
    """y = r: w and h unchanged. y = 0, r = 1: h drops and each w_i moves by a·x_i (up
    where x_i = 1, unchanged where x_i = 0); y = 1, r = 0: the other way round [000]."""
    w, h, x, r = case.arrays
    new_w, new_h = impl("perceptron_step", *case.arrays, **case.hyper)
    y = float(x.astype(np.float64) @ w.astype(np.float64) > float(h))
    if y == float(r):
        assert np.array_equal(new_w, w) and np.array_equal(new_h, h), (
            f"y = r = {y}, yet w {w} -> {new_w}, h {h} -> {new_h}")
        return
    direction = float(r) - y
    assert np.sign(float(new_h) - float(h)) == -direction, (
        f"y = {y}, r = {float(r)}: h went {h} -> {new_h}, expected it to move by "
        f"{-direction}·a")
    moved = np.sign(new_w.astype(np.float64) - w)
    assert np.array_equal(moved, direction * np.sign(x)), (
        f"y = {y}, r = {float(r)}: w moved {moved} for x = {x}")


# --- the delta rule ---------------------------------------------------------------------


@st.composite
def delta_rule_cases(draw, dtype, variant=None):
    """W (out, in), examples x (N, in), targets r (N, out) in (0, 1), the rate η."""
    n_out, n_in = draw(st.integers(1, 3), label="out"), draw(st.integers(1, 4), label="in")
    count = draw(st.integers(1, 5), label="N")
    eta = draw(st.sampled_from((0.5, 1.0)) | st.floats(0.01, 2.0), label="eta")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    w = normal(rng, (n_out, n_in), dtype, 1 / np.sqrt(n_in))
    x = normal(rng, (count, n_in), dtype)
    r = rng.uniform(0, 1, (count, n_out)).astype(dtype)
    return Case((w, x, r), {"eta": eta}, seed)


def delta_rule_reduction(case: Case) -> int:
    w, x, _ = case.arrays
    return max(x.shape[0], w.shape[1])


def _squared_error(w, x, r):
    y = 1 / (1 + np.exp(-(x @ w.T)))
    return np.asarray(0.5 * np.sum((r - y) ** 2))


@invariant(dtypes=("float64",))
def delta_rule_is_minus_eta_dE_dw(impl, case):
    """ΔW = -η ∂E/∂W for E = ½ Σ (r - y)² [000], ∂E/∂W by two-sided differences of E
    (written here in NumPy), within the notes' relative error 1e-7 [003]."""
    w, x, r = case.arrays
    dw = impl("delta_rule", *case.arrays, **case.hyper)
    slope = numeric.gradient(lambda w_: _squared_error(w_, x, r), (w,), 0, np.ones(()))
    error = numeric.relative_error(dw, -case.hyper["eta"] * slope)
    assert error < numeric.THRESHOLD, f"ΔW vs -η ∂E/∂W: relative error {error:.3g}"


@invariant()
def delta_rule_zero_at_the_targets(impl, case):
    """When every output already equals its target there is nothing to correct: ΔW = 0."""
    w, x, _ = case.arrays
    r = (1 / (1 + np.exp(-(x.astype(np.float64) @ w.astype(np.float64).T)))).astype(x.dtype)
    dw = impl("delta_rule", w, x, r, **case.hyper)
    assert_close(dw, np.zeros_like(w, dtype=np.float64), what="ΔW at r = y", dtype=w.dtype,
                 reduction_length=delta_rule_reduction(case))


# --- hot/cold learning ------------------------------------------------------------------


@st.composite
def hot_cold_cases(draw, dtype, variant=None):
    """A 1-D linear problem: w (0-d), inputs x (m,) with |x| ≥ 0.2, targets w*·x for a
    drawn w* (so w* = target/x), a step with |w - w*|/step between 2 and 60. The errors
    at w ± step differ by enough for float32 to tell them apart."""
    m = draw(st.integers(1, 6), label="m")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.2, 2, m) * rng.choice((-1, 1), m)
    w, w_star = rng.normal(0, 2, 2)
    step = abs(w - w_star) / draw(st.floats(2, 60), label="distance/step")
    assume(step > 1e-3)
    x, target, w = x.astype(dtype), (w_star * x).astype(dtype), np.asarray(w, dtype)
    errors = [np.mean((x * (float(w) + s) - target) ** 2) for s in (step, -step)]
    assume(abs(errors[0] - errors[1]) > 1e-4 * sum(errors))
    return Case((w, x, target), {"step": step}, seed)


def _distance_after(impl, case, updates):
    w, x, target = case.arrays
    w_star = float(target[0] / x[0])
    distances = []
    for _ in range(updates):
        w = impl("hot_cold_step", w, x, target, **case.hyper)
        distances.append(abs(float(w) - w_star))
    return distances


@invariant()
def hot_cold_converges_on_a_1d_linear_problem(impl, case):
    """Each update moves w by one step toward w* until it is within a step of it, then it
    swings around w* without leaving that band [001]: after ⌈|w0 - w*|/step⌉ updates
    |w - w*| ≤ step, and it stays so for five more."""
    w, x, target = case.arrays
    step = case.hyper["step"]
    start = abs(float(w) - float(target[0] / x[0]))
    needed = math.ceil(start / step - 1e-6)
    slack = 1e-4 * (start + step) if w.dtype == np.float32 else 1e-9 * (start + step)
    distances = _distance_after(impl, case, needed + 5)
    for k, distance in enumerate(distances[:needed - 1]):
        assert abs(distance - (start - (k + 1) * step)) <= slack, (
            f"update {k + 1}: |w - w*| = {distance}, expected {start - (k + 1) * step} "
            f"(one step closer each time)")
    assert max(distances[needed - 1:]) <= step + slack, (
        f"after {needed} updates |w - w*| is {distances[needed - 1:]}, not within step {step}")


@invariant(uses=("least_squares",))
def hot_cold_needs_more_predictions_than_gd(impl, case):
    """"You must make several predictions to update a weight once" [001]: a hot/cold
    update predicts twice (with w + step and w - step), a gradient-descent update once
    (the prediction's error gives the gradient). To come within a step of w*, hot/cold
    needs more predictions than gradient descent on J = ½‖x w - t‖² with the rate
    1/(2‖x‖²), which halves the distance per update (least_squares' gradient)."""
    w, x, target = case.arrays
    w_star, step = float(target[0] / x[0]), case.hyper["step"]
    slack = 1e-4 * step if w.dtype == np.float32 else 1e-9 * step
    hot_cold = next(k + 1 for k, d in enumerate(_distance_after(
        impl, case, math.ceil(abs(float(w) - w_star) / step) + 1)) if d <= step + slack)
    theta, rate = w.reshape(1), 0.5 / float(x.astype(np.float64) @ x)
    gd = 0
    while abs(float(theta[0]) - w_star) > step + slack and gd < 100:
        (grad,) = impl.grads("least_squares", (theta, x[:, None], target), {}, np.ones(
            (), x.dtype), 1)
        theta, gd = (theta - rate * grad).astype(x.dtype), gd + 1
    assert 2 * hot_cold > gd, (f"hot/cold: {hot_cold} updates, {2 * hot_cold} predictions; "
                               f"gradient descent: {gd} predictions")


# --- logistic regression ----------------------------------------------------------------


@st.composite
def logistic_cases(draw, dtype, variant=None):
    """x (m, n), w (n,), b, labels y (m,) 0 or 1, the rate lr."""
    m, n = draw(st.integers(1, 6), label="m"), draw(st.integers(1, 4), label="n")
    lr = draw(st.sampled_from((0.1, 1.0)) | st.floats(0.01, 2.0), label="lr")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x, w = normal(rng, (m, n), dtype), normal(rng, (n,), dtype)
    b = np.asarray(normal(rng, (), dtype))
    return Case((w, b, x, rng.integers(0, 2, m).astype(dtype)), {"lr": lr}, seed)


def logistic_reduction(case: Case) -> int:
    _, _, x, _ = case.arrays
    return max(x.shape)


def _logistic_loss(w, b, x, y):
    z = x.astype(np.float64) @ w.astype(np.float64) + float(b)
    return float(np.mean(np.logaddexp(0, -(2 * y.astype(np.float64) - 1) * z)))


GAMMA = 0.4  # the drawn separator's least |u·x + c| over the examples


@st.composite
def separable_cases(draw, dtype):
    """m examples in [-1, 1]², labelled by a drawn line u·x + c = 0 (‖u‖ = 1, |c| ≤ 0.5),
    none closer than GAMMA to it; w = b = 0."""
    m = draw(st.integers(2, 8), label="m")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    angle, c = rng.uniform(0, 2 * np.pi), rng.uniform(-0.5, 0.5)
    u = np.array([np.cos(angle), np.sin(angle)])
    points = rng.uniform(-1, 1, (64, 2))
    points = points[np.abs(points @ u + c) >= GAMMA][:m]
    assume(len(points) == m)
    labels = (points @ u + c > 0).astype(dtype)
    return Case((np.zeros(2, dtype), np.zeros((), dtype), points.astype(dtype), labels),
                {"lr": 4 / 3, "c": c}, seed)


@invariant(cases=separable_cases)
def logistic_regression_converges_on_separable_data(impl, case):
    """On linearly separable data gradient descent from w = b = 0 classifies every example
    right [003]: the mean loss falls below ln 2/m (then every example's loss is under
    ln 2, i.e. on its side of 0.5) within T steps. T is the convex-smooth bound
    L(w_T) ≤ L(w*) + ‖w*‖²/(2 lr T) with lr = 4/max‖(x, 1)‖² = 4/3 ≤ 1/β and the
    comparator w* = k(u, c), k = ln(2m/ln 2)/GAMMA, whose loss is ≤ ln 2/(2m)."""
    w, b, x, y = case.arrays
    m, lr = len(x), case.hyper["lr"]
    scale = math.log(2 * m / math.log(2)) / GAMMA
    steps = math.ceil(scale ** 2 * (1 + case.hyper["c"] ** 2) * m / (lr * math.log(2)))
    for _ in range(steps):
        if _logistic_loss(w, b, x, y) < math.log(2) / m:
            break
        w, b = impl("logistic_regression_step", w, b, x, y, lr=lr)
    z = x.astype(np.float64) @ w.astype(np.float64) + float(b)
    assert np.array_equal(z > 0, y > 0.5), (
        f"after up to {steps} steps the predictions {(z > 0).astype(int)} differ from the "
        f"labels {y.astype(int)}; mean loss {_logistic_loss(w, b, x, y):.4g}")


@invariant(dtypes=("float64",))
def logistic_regression_step_lowers_the_loss(impl, case):
    """With lr ≤ 1/β (β = max‖(x, 1)‖²/4 bounds the loss's curvature) one step never
    raises the mean cross-entropy: L(new) ≤ L(old) - lr/2·‖∇L‖² ≤ L(old)."""
    w, b, x, y = case.arrays
    lr = 4 / float(np.max(np.sum(x.astype(np.float64) ** 2, axis=1) + 1))
    new_w, new_b = impl("logistic_regression_step", w, b, x, y, lr=lr)
    before, after = _logistic_loss(w, b, x, y), _logistic_loss(new_w, new_b, x, y)
    assert after <= before + 1e-12 * (1 + before), f"loss went {before} -> {after}"


# --- the table entries ------------------------------------------------------------------

OPS = [
    Op("mp_neuron", family="classic",
       formula="y = f(Σ w_i x_i - h), f the step; OR: w = (1, 1), h = 0.5; AND: h = 1.5 [000]",
       inputs=("x", "w", "h"), cases=mp_neuron_cases, oracles=("torch", "closed"),
       no_backward="the step's derivative is 0: the M-P neuron is set by hand [000]",
       reduction=lambda case: case.arrays[0].shape[-1],
       invariants=(mp_neuron_or_and_truth_tables, mp_neuron_outputs_0_or_1)),
    Op("perceptron_step", family="classic",
       formula="w_i ← w_i + a(r - y)x_i, h ← h - a(r - y), y = f(w·x - h) [000]",
       inputs=("w", "h", "x", "r"), cases=perceptron_cases, hyper={"a": 0.1},
       outputs=("w", "h"), oracles=("torch", "closed"),
       no_backward="an error-correction update, not a function to differentiate",
       reduction=lambda case: case.arrays[0].size,
       invariants=(perceptron_adjusts_as_the_notes_list, perceptron_learns_and_and_or,
                   perceptron_never_classifies_xor)),
    Op("delta_rule", family="classic",
       formula="Δw_ij = η (r_j - y_j) y_j (1 - y_j) x_i, y = σ(x Wᵀ); = -η ∂E/∂w [000]",
       inputs=("w", "x", "r"), cases=delta_rule_cases, hyper={"eta": 0.5},
       outputs=("dw",), oracles=("torch", "closed"), reduction=delta_rule_reduction,
       no_backward="ΔW is already a gradient step",
       invariants=(delta_rule_is_minus_eta_dE_dw, delta_rule_zero_at_the_targets)),
    Op("hot_cold_step", family="classic",
       formula="w ± step, whichever gives the lower squared error of w·x [001]",
       inputs=("w", "x", "target"), cases=hot_cold_cases, hyper={"step": 0.1},
       outputs=("w",), oracles=("torch", "closed"),
       no_backward="a search step that compares two predictions, with no gradient",
       invariants=(hot_cold_converges_on_a_1d_linear_problem,
                   hot_cold_needs_more_predictions_than_gd)),
    Op("logistic_regression_step", family="classic",
       formula="a = σ(x w + b), dz = a - y, dw = xᵀdz/m, db = mean(dz); w - lr·dw, "
               "b - lr·db [003]",
       inputs=("w", "b", "x", "y"), cases=logistic_cases, hyper={"lr": 0.1},
       outputs=("w", "b"), oracles=("torch", "closed"), reduction=logistic_reduction,
       no_backward="a gradient-descent update",
       invariants=(logistic_regression_converges_on_separable_data,
                   logistic_regression_step_lowers_the_loss)),
]
