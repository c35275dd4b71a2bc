"""The shapes and random float32 arguments benchmarks/vs_torch.py times, one builder per
family: case(shape, rng) -> (arrays, hyper), impl's arguments. NumPy only."""

from __future__ import annotations

import numpy as np

# (N, C, H, W, K, F, S, P) as the convolution issue names them.
CONV_SHAPES = [
    (32, 64, 32, 32, 64, 3, 1, 1),
    (64, 128, 16, 16, 128, 3, 1, 1),
    (8, 3, 224, 224, 64, 7, 2, 3),
    (32, 256, 8, 8, 256, 1, 1, 0),
]
# (N, C, H, W, kernel, stride, padding): ResNet's stem pool and a plain 2×2 halving.
POOL_SHAPES = [
    (32, 64, 112, 112, 3, 2, 1),
    (32, 64, 32, 32, 2, 2, 0),
]
# Batch norm's x: (N, C, H, W) after a ResNet stage, and (N, F) after a wide linear layer.
NORM_SHAPES = [
    (32, 64, 56, 56),
    (64, 256, 14, 14),
    (256, 4096),
]
# (T, N, I, H): time-major x (T, N, I), hidden size H.
LSTM_SHAPES = [
    (50, 32, 256, 256),
    (100, 64, 128, 512),
]
# Parameters updated by one optimizer step: a mid-sized model's, as one flat array.
OPTIM_SHAPES = [
    (10_000_000,),
]


def conv_case(shape, rng):
    n, c, h, w, k, f, s, p = shape
    x = rng.standard_normal((n, c, h, w), dtype=np.float32)
    weight = rng.standard_normal((k, c, f, f), dtype=np.float32) / (c * f * f) ** 0.5
    bias = rng.standard_normal(k, dtype=np.float32)
    return (x, weight, bias), {"stride": s, "padding": p}


def pool_case(shape, rng):
    n, c, h, w, kernel, s, p = shape
    x = rng.standard_normal((n, c, h, w), dtype=np.float32)
    return (x,), {"kernel_size": kernel, "stride": s, "padding": p}


def norm_case(shape, rng):
    channels = shape[1]
    x = rng.standard_normal(shape, dtype=np.float32)
    gamma = 1 + 0.1 * rng.standard_normal(channels, dtype=np.float32)
    beta = 0.1 * rng.standard_normal(channels, dtype=np.float32)
    running = (np.zeros(channels, dtype=np.float32), np.ones(channels, dtype=np.float32))
    return (x, gamma, beta, *running), {"training": True, "momentum": 0.1, "eps": 1e-5}


def lstm_case(shape, rng):
    t, n, i, h = shape
    x = rng.standard_normal((t, n, i), dtype=np.float32)
    h0, c0 = (rng.standard_normal((n, h), dtype=np.float32) for _ in range(2))
    # Weights ~ 1/√H, as torch's own initialisation, so the gates are not saturated.
    w_ih, w_hh, b_ih, b_hh = (rng.standard_normal(size, dtype=np.float32) / h**0.5
                              for size in ((4 * h, i), (4 * h, h), 4 * h, 4 * h))
    return (x, h0, c0, w_ih, w_hh, b_ih, b_hh), {}


def optim_case(shape, rng):
    """(param, grad); the optimizer's hyperparameters are the table's, not the case's."""
    param = rng.standard_normal(shape, dtype=np.float32)
    grad = rng.standard_normal(shape, dtype=np.float32)
    return (param, grad), {}
