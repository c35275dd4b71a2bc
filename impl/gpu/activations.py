"""Elementwise activations (catalog §1, docs/notes.md) as Triton kernels: sigmoid, tanh, relu,
leaky_relu and the identity, forward and backward. One kernel per pass, the function
picked at compile time; every exponent taken is of a non-positive number, so ±1e4 stays
finite."""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from .._checks import hyper_float
from ._runtime import grid, require_like, require_tensor, scalars

BLOCK = 1024
SIGMOID, TANH, RELU, LEAKY_RELU, IDENTITY = range(5)


@triton.jit
def _sigmoid(x):
    """1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0, e = e^-|x| ∈ (0, 1] [000][002]."""
    e = tl.exp(-tl.abs(x))
    return tl.where(x >= 0, 1 / (1 + e), e / (1 + e))


@triton.jit
def _tanh(x):
    """(1 - e)/(1 + e)·sign(x) with e = e^-2|x| [000]; near 0 that difference cancels, so
    |x| < 1/16 takes the odd series x - x³/3 + 2x⁵/15 - 17x⁷/315 (next term < 1e-11·|x|)."""
    a = tl.abs(x)
    e = tl.exp(-2 * a)
    far = (1 - e) / (1 + e)
    s = a * a
    near = a * (1 + s * (-1 / 3 + s * (2 / 15 - s * (17 / 315))))
    magnitude = tl.where(a < 0.0625, near, far)
    return tl.where(x < 0, -magnitude, tl.where(x == x, magnitude, x))  # NaN stays NaN


@triton.jit
def _forward_kernel(x_ptr, y_ptr, n, hyper_ptr, FUNCTION: tl.constexpr, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    x = tl.load(x_ptr + offsets, mask=inside, other=0.0)  # padding lanes stay finite
    if FUNCTION == 0:
        y = _sigmoid(x)
    elif FUNCTION == 1:
        y = _tanh(x)
    elif FUNCTION == 2:
        y = tl.where(x > 0, x, tl.where(x == x, 0.0, x))  # max(x, 0), NaN kept (torch)
    elif FUNCTION == 3:
        y = tl.where(x > 0, x, x * tl.load(hyper_ptr))
    else:
        y = x
    tl.store(y_ptr + offsets, y.to(y_ptr.dtype.element_ty), mask=inside)


@triton.jit
def _backward_kernel(saved_ptr, dy_ptr, dx_ptr, n, hyper_ptr, FUNCTION: tl.constexpr,
                     BLOCK: tl.constexpr):
    """saved: the output y for sigmoid and tanh (σ' = y(1 - y), tanh' = 1 - y²), the input
    x for the rectifiers (derivative 0 or the slope at x ≤ 0, torch's convention at 0).
    hyper holds leaky_relu's slope, in x's dtype (a float argument would be float32)."""
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = offsets < n
    saved = tl.load(saved_ptr + offsets, mask=inside, other=0.0)
    dy = tl.load(dy_ptr + offsets, mask=inside, other=0.0)
    if FUNCTION == 0:
        dx = dy * saved * (1 - saved)
    elif FUNCTION == 1:
        dx = dy * (1 - saved * saved)
    elif FUNCTION == 2:
        dx = tl.where(saved > 0, dy, 0.0)
    elif FUNCTION == 3:
        dx = tl.where(saved > 0, dy, dy * tl.load(hyper_ptr))
    else:
        dx = dy
    tl.store(dx_ptr + offsets, dx.to(dx_ptr.dtype.element_ty), mask=inside)


def _forward(function: int, x, slope: float = 0.0) -> torch.Tensor:
    x = require_tensor("x", x)
    y = torch.empty_like(x)
    _forward_kernel[grid(x.numel(), BLOCK)](x, y, x.numel(), scalars(x, slope),
                                            FUNCTION=function, BLOCK=BLOCK)
    return y


def _backward(function: int, dy, saved, slope: float = 0.0) -> tuple[torch.Tensor]:
    dy = require_like("dy", dy, saved, "the forward's x", saved.shape)
    dx = torch.empty_like(dy)
    _backward_kernel[grid(dy.numel(), BLOCK)](saved, dy, dx, dy.numel(), scalars(dy, slope),
                                              FUNCTION=function, BLOCK=BLOCK)
    return (dx,)


def sigmoid_forward(x):
    y = _forward(SIGMOID, x)
    return y, y


def sigmoid_backward(dy, y):
    return _backward(SIGMOID, dy, y)


def tanh_forward(x):
    y = _forward(TANH, x)
    return y, y


def tanh_backward(dy, y):
    return _backward(TANH, dy, y)


def relu_forward(x):
    x = require_tensor("x", x)
    return _forward(RELU, x), x


def relu_backward(dy, x):
    return _backward(RELU, dy, x)


def leaky_relu_forward(x, negative_slope=0.01):
    x = require_tensor("x", x)
    slope = hyper_float("negative_slope", negative_slope, "a number")
    return _forward(LEAKY_RELU, x, slope), (x, slope)


def leaky_relu_backward(dy, ctx):
    x, slope = ctx
    return _backward(LEAKY_RELU, dy, x, slope)


def identity_forward(x):
    """y = x, the regression output [000][001][003], as a new tensor."""
    x = require_tensor("x", x)
    return _forward(IDENTITY, x), x


def identity_backward(dy, x):
    return _backward(IDENTITY, dy, x)
