"""The shapes and random arguments the benchmarks time (asv's and pytest-benchmark's), one
builder per family: case(shape, rng, dtype=float32) -> (arrays, hyper), impl's arguments.
NumPy only. *_SHAPES are timed on every backend; GPU_*_SHAPES, too large for the CPU
backends here, on the GPU backends only."""

from __future__ import annotations

import numpy as np

# Softmax's x (N, D), softmax along D: a classifier's logits over 1000 classes, and many
# short rows as in attention.
SOFTMAX_SHAPES = [
    (256, 1000),
    (4096, 128),
]
# An elementwise activation's x (N, D), and the cross-entropy's logits (N, C).
ELEMENTWISE_SHAPES = [(4096, 1024)]
CROSS_ENTROPY_SHAPES = [(256, 1000)]
# 64M elements: far beyond the GPU's caches, so a kernel's speed is its memory bandwidth.
GPU_ROWS_SHAPES = [(8192, 8192)]
# (N, in, out): x (N, in), W (out, in), b (out,).
LINEAR_SHAPES = [
    (256, 512, 512),
    (64, 1024, 256),
]
GPU_LINEAR_SHAPES = [(4096, 4096, 4096)]
# (N, C, H, W, K, F, S, P) as the convolution issue names them.
CONV_SHAPES = [
    (32, 64, 32, 32, 64, 3, 1, 1),
    (64, 128, 16, 16, 128, 3, 1, 1),
    (8, 3, 224, 224, 64, 7, 2, 3),
    (32, 256, 8, 8, 256, 1, 1, 0),
]
GPU_CONV_SHAPES = [(64, 128, 56, 56, 128, 3, 1, 1)]
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
# A transformer's blocks (docs/transformer.md). GELU's x (N, D), or (N, D, 1) for its tanh
# form (approximate="tanh"): the flag is part of the shape, as a convolution's stride is.
GELU_SHAPES = [(4096, 1024), (4096, 1024, 1)]
GPU_GELU_SHAPES = [(8192, 8192), (8192, 8192, 1)]
# SwiGLU's (N, D, H): x (N, D), W1 and W3 (H, D), a Llama MLP's gate and up projections
# (H ≈ 8/3·D, rounded up to a multiple of 256) on 256 tokens.
SWIGLU_SHAPES = [(256, 1024, 2816)]
GPU_SWIGLU_SHAPES = [(8192, 4096, 11008)]  # Llama 7B's MLP on 8192 tokens
# RMSNorm's and layer norm's x (N, D), normalised over D (weight (D,)).
ROW_NORM_SHAPES = [(4096, 1024)]
GPU_ROW_NORM_SHAPES = [(16384, 4096)]
# Rotary embedding's x (B, H, S, D), positions 0 … S-1.
ROTARY_SHAPES = [(4, 16, 512, 64)]
GPU_ROTARY_SHAPES = [(8, 32, 4096, 128)]
# Attention's (B, Hq, Hkv, S, D, causal): q (B, Hq, S, D), k and v (B, Hkv, S, D); causal 1
# hides the later keys. Grouped queries (Hq = 4·Hkv) with the causal mask, and plain
# multi-head attention without it.
ATTENTION_SHAPES = [
    (2, 8, 2, 1024, 64, 1),
    (4, 8, 8, 512, 64, 0),
]
GPU_ATTENTION_SHAPES = [
    (4, 32, 8, 4096, 128, 1),
    (8, 16, 16, 2048, 64, 0),
]
# Parameters updated by one optimizer step: a mid-sized model's, as one flat array.
OPTIM_SHAPES = [
    (10_000_000,),
]
GPU_OPTIM_SHAPES = [(100_000_000,)]


def softmax_case(shape, rng, dtype=np.float32):
    return (rng.standard_normal(shape, dtype=dtype),), {"axis": -1}


def elementwise_case(shape, rng, dtype=np.float32):
    return (rng.standard_normal(shape, dtype=dtype),), {}


def leaky_relu_case(shape, rng, dtype=np.float32):
    return (rng.standard_normal(shape, dtype=dtype),), {"negative_slope": 0.01}


def cross_entropy_case(shape, rng, dtype=np.float32):
    """Logits (N, C) and one class index per row; the loss is the mean over the rows."""
    n, classes = shape
    logits = rng.standard_normal(shape, dtype=dtype)
    return (logits, rng.integers(0, classes, n)), {"reduction": "mean"}


def linear_case(shape, rng, dtype=np.float32):
    n, n_in, n_out = shape
    x = rng.standard_normal((n, n_in), dtype=dtype)
    # Weights ~ 1/√in, so y stays of the order of x.
    w = rng.standard_normal((n_out, n_in), dtype=dtype) / n_in**0.5
    b = rng.standard_normal(n_out, dtype=dtype)
    return (x, w, b), {}


def conv_case(shape, rng, dtype=np.float32):
    n, c, h, w, k, f, s, p = shape
    x = rng.standard_normal((n, c, h, w), dtype=dtype)
    weight = rng.standard_normal((k, c, f, f), dtype=dtype) / (c * f * f) ** 0.5
    bias = rng.standard_normal(k, dtype=dtype)
    return (x, weight, bias), {"stride": s, "padding": p}


def pool_case(shape, rng, dtype=np.float32):
    n, c, h, w, kernel, s, p = shape
    x = rng.standard_normal((n, c, h, w), dtype=dtype)
    return (x,), {"kernel_size": kernel, "stride": s, "padding": p}


def norm_case(shape, rng, dtype=np.float32):
    channels = shape[1]
    x = rng.standard_normal(shape, dtype=dtype)
    gamma = 1 + 0.1 * rng.standard_normal(channels, dtype=dtype)
    beta = 0.1 * rng.standard_normal(channels, dtype=dtype)
    running = (np.zeros(channels, dtype=dtype), np.ones(channels, dtype=dtype))
    return (x, gamma, beta, *running), {"training": True, "momentum": 0.1, "eps": 1e-5}


def lstm_case(shape, rng, dtype=np.float32):
    t, n, i, h = shape
    x = rng.standard_normal((t, n, i), dtype=dtype)
    h0, c0 = (rng.standard_normal((n, h), dtype=dtype) for _ in range(2))
    # Weights ~ 1/√H, as torch's own initialisation, so the gates are not saturated.
    w_ih, w_hh, b_ih, b_hh = (rng.standard_normal(size, dtype=dtype) / h**0.5
                              for size in ((4 * h, i), (4 * h, h), 4 * h, 4 * h))
    return (x, h0, c0, w_ih, w_hh, b_ih, b_hh), {}


def optim_case(shape, rng, dtype=np.float32):
    """(param, grad); the optimizer's hyperparameters are the table's, not the case's."""
    param = rng.standard_normal(shape, dtype=dtype)
    grad = rng.standard_normal(shape, dtype=dtype)
    return (param, grad), {}


def gelu_case(shape, rng, dtype=np.float32):
    """x (N, D); the exact GELU, or its tanh form where the shape is (N, D, 1)."""
    approximate = "tanh" if len(shape) == 3 and shape[2] else "none"
    return (rng.standard_normal(shape[:2], dtype=dtype),), {"approximate": approximate}


def swiglu_case(shape, rng, dtype=np.float32):
    n, d, hidden = shape
    x = rng.standard_normal((n, d), dtype=dtype)
    # Weights ~ 1/√D, as linear's, so the gate's SiLU sees values of the order of 1.
    w1, w3 = (rng.standard_normal((hidden, d), dtype=dtype) / d**0.5 for _ in range(2))
    return (x, w1, w3), {}


def rms_norm_case(shape, rng, dtype=np.float32):
    x = rng.standard_normal(shape, dtype=dtype)
    weight = 1 + 0.1 * rng.standard_normal(shape[-1], dtype=dtype)
    return (x, weight), {"eps": 1e-6}


def layer_norm_case(shape, rng, dtype=np.float32):
    x = rng.standard_normal(shape, dtype=dtype)
    gamma = 1 + 0.1 * rng.standard_normal(shape[-1], dtype=dtype)
    beta = 0.1 * rng.standard_normal(shape[-1], dtype=dtype)
    return (x, gamma, beta), {"eps": 1e-5}


def rotary_case(shape, rng, dtype=np.float32):
    """x (B, H, S, D) and its rows' positions 0 … S-1 (int64)."""
    x = rng.standard_normal(shape, dtype=dtype)
    return (x, np.arange(shape[2], dtype=np.int64)), {"base": 10000.0}


def attention_case(shape, rng, dtype=np.float32):
    """q (B, Hq, S, D), k and v (B, Hkv, S, D); the default scale 1/√D."""
    b, hq, hkv, s, d, causal = shape
    q = rng.standard_normal((b, hq, s, d), dtype=dtype)
    k, v = (rng.standard_normal((b, hkv, s, d), dtype=dtype) for _ in range(2))
    return (q, k, v), {"causal": bool(causal)}
