"""An empty batch (a batch axis of length 0) gives exactly what PyTorch gives, or fails at
the call with a ValueError naming the argument; the empty-batch table in docs/contract.md
lists the decisions.

"torch" entries are compared with oracles.torch in float64: the same shapes and values
(NaN equal to NaN), no NumPy warning, and, for a differentiable op, the same gradients
(an empty batch still gives a weight a zero gradient of its own shape)."""

import warnings

import numpy as np
import pytest

from nnconform import impl
from nnconform.oracles import torch as torch_oracle
from nnconform.properties.cases import Case
from nnconform.properties.checks import torch_upstream, upstreams
from nnconform.properties.optable import TABLE

TORCH = "torch"
RNG = np.random.default_rng(0)
ROWS = np.zeros((0, 3))  # no examples of 3 features
IMAGES = np.zeros((0, 2, 5, 5))  # no images of 2 channels, 5 × 5
NO_INDICES = np.zeros(0, np.int64)
PER_CHANNEL = (RNG.random(2) + 0.5, RNG.random(2), RNG.random(2), RNG.random(2) + 0.5)

# name -> (op, arrays, hyperparameters, TORCH, (error type, argument) or the result itself)
EMPTY = {
    "sigmoid": ("sigmoid", (ROWS,), {}, TORCH),
    "tanh": ("tanh", (ROWS,), {}, TORCH),
    "relu": ("relu", (ROWS,), {}, TORCH),
    "leaky_relu": ("leaky_relu", (ROWS,), {"negative_slope": 0.2}, TORCH),
    "softmax": ("softmax", (ROWS,), {"axis": -1}, TORCH),
    "softmax along the empty axis": ("softmax", (ROWS,), {"axis": 0}, TORCH),
    "log_softmax": ("log_softmax", (ROWS,), {"axis": -1}, TORCH),
    "log_softmax along the empty axis": ("log_softmax", (ROWS,), {"axis": 0}, TORCH),
    "mse mean": ("mse", (ROWS, ROWS), {"reduction": "mean"}, TORCH),
    "mse sum": ("mse", (ROWS, ROWS), {"reduction": "sum"}, TORCH),
    "binary_cross_entropy": ("binary_cross_entropy", (ROWS, ROWS), {}, TORCH),
    "cross_entropy (indices)": ("cross_entropy", (ROWS, NO_INDICES), {}, TORCH),
    # torch's multi_margin_loss returns uninitialised memory for no rows (torch 2.13 CPU):
    # ours is a mean of no terms, NaN, and a sum of none, 0, as mse's
    "multiclass_hinge mean": ("multiclass_hinge", (ROWS, NO_INDICES), {}, np.array(np.nan)),
    "multiclass_hinge sum": ("multiclass_hinge", (ROWS, NO_INDICES), {"reduction": "sum"},
                             np.array(0.0)),
    "linear": ("linear", (ROWS, RNG.random((4, 3)), RNG.random(4)), {}, TORCH),
    "conv2d": ("conv2d", (IMAGES, RNG.random((3, 2, 3, 3)), RNG.random(3)),
               {"stride": 2, "padding": 1}, TORCH),
    "conv2d 1x1": ("conv2d", (IMAGES, RNG.random((3, 2, 1, 1)), None), {}, TORCH),
    "max_pool2d": ("max_pool2d", (IMAGES,), {"kernel_size": 3, "stride": 2, "padding": 1},
                   TORCH),
    "avg_pool2d": ("avg_pool2d", (IMAGES,), {"kernel_size": 2}, TORCH),
    "batch_norm train": ("batch_norm", (ROWS[:, :2], *PER_CHANNEL), {"training": True},
                         (ValueError, "x")),
    "batch_norm eval": ("batch_norm", (IMAGES, *PER_CHANNEL), {"training": False}, TORCH),
    "layer_norm": ("layer_norm", (ROWS, RNG.random(3), RNG.random(3)), {}, TORCH),
    "group_norm": ("group_norm", (IMAGES, *PER_CHANNEL[:2]), {"groups": 2}, TORCH),
    "temporal_affine": ("temporal_affine", (np.zeros((2, 0, 3)), RNG.random((4, 3)),
                                            RNG.random(4)), {}, TORCH),
    "temporal_softmax_loss": ("temporal_softmax_loss", (
        np.zeros((2, 0, 3)), np.zeros((2, 0), np.int64), np.zeros((2, 0), bool)), {}, TORCH),
    "dropout": ("dropout", (ROWS, np.zeros((0, 3), bool)), {"keep_prob": 0.5}, TORCH),
    "dropout eval": ("dropout", (ROWS, None), {"training": False}, TORCH),
    "embedding": ("embedding", (NO_INDICES, RNG.random((4, 3))), {}, TORCH),
    # beyond the list: ops whose empty batch used to fail inside NumPy
    "flatten": ("flatten", (IMAGES,), {}, TORCH),
    "ewa of no steps": ("ewa", (ROWS,), {"beta": 0.9}, ROWS),
    "mlp of no examples": ("mlp", (np.zeros((0, 2)), np.ones((3, 2)), np.ones(3),
                                   np.ones((1, 3)), np.ones(1), np.zeros((0, 1))), {},
                           (ValueError, "x")),
    "logistic regression of no examples": (
        "logistic_regression_step", (np.zeros(3), np.zeros(()), ROWS, np.zeros(0)), {},
        (ValueError, "x")),
    "hot_cold of no examples": ("hot_cold_step", (np.zeros(()), np.zeros(0), np.zeros(0)), {},
                                (ValueError, "x")),
}


def _forward(op, arrays, hyper):
    """The forward with every NumPy warning and floating-point error made an error."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        return getattr(impl, f"{op}_forward")(*arrays, **hyper)


def _assert_same(got, expected, what):
    got = np.asarray(got)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, torch's {expected.shape}"
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype}, torch's {expected.dtype}"
    assert np.array_equal(got, expected, equal_nan=True), f"{what}: {got}, torch's {expected}"


@pytest.mark.parametrize("name", EMPTY)
def test_empty_batch(name):
    op_name, arrays, hyper, expected = EMPTY[name]
    op = TABLE[op_name]
    if isinstance(expected, tuple):
        error, argument = expected
        with pytest.raises(error) as raised:
            _forward(op_name, arrays, hyper)
        assert str(raised.value).startswith(f"{argument}:"), str(raised.value)
        return
    y, ctx = _forward(op_name, arrays, hyper)
    if isinstance(expected, np.ndarray):  # an op torch has no counterpart of
        return _assert_same(y, expected, op_name)
    truth = torch_oracle.forward(op_name, arrays, hyper)
    for output, got, want in zip(op.outputs, op.outputs_of(y), op.outputs_of(truth),
                                 strict=True):
        _assert_same(got, want, output)
    if not op.grads:
        return
    dys = upstreams(op, y, Case(arrays, hyper))
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        grads = getattr(impl, f"{op_name}_backward")(*dys, ctx)
    wanted = torch_oracle.vjp(op_name, arrays, hyper, torch_upstream(op, dys),
                              op.grad_indices)
    for grad_name, got, want in zip(op.grads, grads, wanted, strict=True):
        if want is None:
            assert got is None, f"d{grad_name}: expected None for an omitted input"
        else:
            _assert_same(got, want, f"d{grad_name}")
