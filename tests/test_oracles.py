"""The three oracles agree with each other on every op they share, so a disagreement
with an implementation is the implementation's, not an oracle's."""

import numpy as np
import pytest

from nnconform.oracles import closed_form, numeric
from nnconform.oracles import torch as torch_oracle
from nnconform.properties import runner
from nnconform.properties.checks import differentiated, joined, torch_upstream, upstreams
from nnconform.properties.optable import TABLE
from nnconform.properties.tolerances import assert_close

CI = runner.SuiteSettings("ci", seed_value=None, impl_spec="oracles").base


def run(check, strategy):
    """`check` on the suite's fixed examples (the ci profile's)."""
    runner.run(check, strategy, CI)

SHARED = [(op, variant) for op in TABLE.values() for variant in op.variants
          if "torch" in op.oracles and op.name in closed_form.FORWARD]
TORCH = [(op, variant) for op in TABLE.values() for variant in op.variants
         if "torch" in op.oracles and op.grads]


def _ids(params):
    return [f"{op.name}-{variant}" for op, variant in params]


@pytest.mark.parametrize(("op", "variant"), SHARED, ids=_ids(SHARED))
def test_torch_and_closed_form_agree(op, variant):
    def agree(case):
        arrays = case.as_float64()
        y = torch_oracle.forward(op.name, arrays, case.hyper)
        by_formula = op.outputs_of(closed_form.FORWARD[op.name](*arrays, **case.hyper))
        for got, expected in zip(by_formula, op.outputs_of(y), strict=True):
            assert_close(got, expected, what="closed vs torch forward", dtype=np.float64)
        if op.name in closed_form.BACKWARD:
            dys = upstreams(op, y, case)
            by_torch = torch_oracle.vjp(op.name, arrays, case.hyper, torch_upstream(op, dys),
                                        op.grad_indices)
            by_formula = closed_form.BACKWARD[op.name](*dys, *arrays, **case.hyper)
            for got, expected in zip(by_formula, by_torch, strict=True):
                if expected is not None:
                    assert_close(got, expected, what="closed vs torch gradient",
                                 dtype=np.float64)

    run(agree, op.cases("float64", op.variants[variant]))


@pytest.mark.parametrize(("op", "variant"), TORCH, ids=_ids(TORCH))
def test_torch_autograd_and_numeric_differences_agree(op, variant):
    def agree(case):
        arrays = case.as_float64()
        y = torch_oracle.forward(op.name, arrays, case.hyper)
        dys = upstreams(op, y, case)
        grads = torch_oracle.vjp(op.name, arrays, case.hyper, torch_upstream(op, dys),
                                 op.grad_indices)
        f = differentiated(op, lambda *moved: torch_oracle.forward(op.name, moved, case.hyper))
        for index, grad in zip(op.grad_indices, grads, strict=True):
            if grad is not None:
                result = numeric.directional_check(f, arrays, index, grad, joined(dys),
                                                   case.rng(2))
                assert result.ok, (op.name, index, result)

    run(agree, op.cases("float64", op.variants[variant]))


def test_numeric_relative_error_is_the_notes_formula():
    a, b = np.array([3.0, 4.0]), np.array([3.0, 4.0 + 1e-6])
    expected = 1e-6 / (5.0 + np.linalg.norm(b))
    assert numeric.relative_error(a, b) == pytest.approx(expected, rel=1e-6)
    assert numeric.relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_numeric_jacobian_of_softmax_is_diag_p_minus_ppT():
    x = np.array([0.5, -1.0, 2.0])
    p = np.exp(x) / np.exp(x).sum()
    jacobian = numeric.jacobian(lambda v: np.exp(v) / np.exp(v).sum(), x)
    np.testing.assert_allclose(jacobian, closed_form.softmax_jacobian(p), atol=1e-9)


def test_two_sided_differences_beat_one_sided_on_a_smooth_function():
    """[003]: the two-sided difference's error is O(ε²), the one-sided's O(ε)."""
    f, x, eps = np.sin, 1.0, 1e-4
    one_sided = abs((f(x + eps) - f(x)) / eps - np.cos(x))
    two_sided = abs((f(x + eps) - f(x - eps)) / (2 * eps) - np.cos(x))
    assert two_sided < one_sided / 100


# Smooth sums Σ g(x_i) with their exact gradients, on intervals where g'' and g''' stay away
# from 0, so both differences' leading error terms are alive and their orders show.
SMOOTH = {
    "sin": (lambda x: np.sin(x).sum(), np.cos, (0.2, 1.3)),
    "exp": (lambda x: np.exp(x).sum(), np.exp, (-1.0, 1.0)),
    "cube": (lambda x: (x**3).sum(), lambda x: 3 * x**2, (0.5, 2.0)),
}


@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.parametrize("seed", range(3))
def test_two_sided_differences_are_second_order_one_sided_first(name, seed):
    """[003]: at ε = 1e-4 the two-sided difference (f(x+ε) - f(x-ε))/2ε is over 100 times
    closer to the gradient than the one-sided (f(x+ε) - f(x))/ε; going from ε = 1e-2 to
    1e-3, the two-sided error falls about 100-fold (O(ε²)), the one-sided 10-fold (O(ε))."""
    f, gradient, (low, high) = SMOOTH[name]
    x = np.random.default_rng(seed).uniform(low, high, 4)

    def errors(eps):
        return (np.abs(numeric.jacobian(f, x, eps) - gradient(x)).max(),
                np.abs(numeric.one_sided_jacobian(f, x, eps) - gradient(x)).max())

    two_sided, one_sided = errors(1e-4)
    assert two_sided < one_sided / 100, (two_sided, one_sided)
    (two_coarse, one_coarse), (two_fine, one_fine) = errors(1e-2), errors(1e-3)
    assert 1.8 < np.log10(two_coarse / two_fine) < 2.2, (two_coarse, two_fine)
    assert 0.9 < np.log10(one_coarse / one_fine) < 1.1, (one_coarse, one_fine)


@pytest.mark.parametrize("scale, accepted", [(1.0, True), (1.0 + 1e-3, False)])
def test_directional_check_resolves_a_small_gradient_behind_cancellation(scale, accepted):
    """A confident cross-entropy, log(e^a + e^b) - b: its loss (8e-5) is a difference of
    numbers of size 5, so float64's rounding of f swamps the notes' 1e-7 at its 4e-5
    gradient; the check accepts the exact gradient and still rejects one 0.1 % off."""
    x = np.array([-5.621514, 3.794694])

    def cross_entropy(z):
        top = z.max()
        return np.log(np.exp(z - top).sum()) + top - z[1]

    p = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    exact = p - np.array([0.0, 1.0])  # softmax - one-hot
    dy = np.array(0.7)
    result = numeric.directional_check(cross_entropy, (x,), 0, scale * dy * exact, dy,
                                       np.random.default_rng(0))
    assert bool(result.ok) == accepted, result
