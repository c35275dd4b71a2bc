"""Max and average pooling (catalog §2, docs/notes.md) as Triton kernels over (N·C) planes.

Forward: one lane per output element, looping over its window. Max pooling keeps the
window's FIRST maximum in row-major order as its argmax (PyTorch's convention), the
padding counting as -inf, and lets NaN through. Backward gathers instead of scattering:
one lane per input element, looping over the taps of the windows that cover it (window
oh covers h through tap i when h + P - i = S·oh), so no two lanes write the same element
and no atomics are needed.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from .._checks import require_choice
from .._windows import pool_geometry
from ._runtime import grid, require_tensor

BLOCK = 256


@triton.jit
def _pool_forward_kernel(x_ptr, y_ptr, argmax_ptr, total, H, W, HO, WO, KH: tl.constexpr,
                         KW: tl.constexpr, SH, SW, PH, PW, MAX: tl.constexpr,
                         INCLUDE_PAD: tl.constexpr, BLOCK: tl.constexpr):
    index = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = index < total
    plane = index // (HO * WO)
    oh = (index // WO) % HO
    ow = index % WO
    top = oh * SH - PH
    left = ow * SW - PW
    dtype = y_ptr.dtype.element_ty
    if MAX:
        best = tl.full((BLOCK,), float("-inf"), dtype)
        where = tl.zeros((BLOCK,), tl.int64) - 1
    else:
        acc = tl.zeros((BLOCK,), dtype)
    for i in tl.static_range(KH):
        for j in tl.static_range(KW):
            h = top + i
            w = left + j
            real = inside & (h >= 0) & (h < H) & (w >= 0) & (w < W)
            value = tl.load(x_ptr + (plane * H + h) * W + w, mask=real,
                            other=float("-inf") if MAX else 0.0)
            if MAX:
                # Strictly greater keeps the first maximum; NaN wins once and stays.
                better = real & ((value > best) | ((value != value) & (best == best)))
                best = tl.where(better, value, best)
                where = tl.where(better, h * W + w, where)
            else:
                acc += value
    if MAX:
        tl.store(y_ptr + index, best, mask=inside)
        tl.store(argmax_ptr + index, where, mask=inside)
    else:
        if INCLUDE_PAD:
            count = KH * KW + tl.zeros((BLOCK,), tl.int64)
        else:
            rows = tl.minimum(top + KH, H) - tl.maximum(top, 0)
            cols = tl.minimum(left + KW, W) - tl.maximum(left, 0)
            count = rows * cols
        tl.store(y_ptr + index, acc / count.to(dtype), mask=inside)


@triton.jit
def _pool_backward_kernel(dy_ptr, argmax_ptr, dx_ptr, total, H, W, HO, WO, KH: tl.constexpr,
                          KW: tl.constexpr, SH, SW, PH, PW, MAX: tl.constexpr,
                          INCLUDE_PAD: tl.constexpr, BLOCK: tl.constexpr):
    """dx[h, w] = Σ over windows covering (h, w) of dy (max: only where (h, w) is the
    window's argmax [003]; avg: dy/n of the window's count)."""
    index = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    inside = index < total
    plane = index // (H * W)
    h = (index // W) % H
    w = index % W
    acc = tl.zeros((BLOCK,), dx_ptr.dtype.element_ty)
    for i in tl.static_range(KH):
        for j in tl.static_range(KW):
            oh_s = h + PH - i
            ow_s = w + PW - j
            oh = oh_s // SH
            ow = ow_s // SW
            covers = (inside & (oh_s >= 0) & (oh_s % SH == 0) & (oh < HO)
                      & (ow_s >= 0) & (ow_s % SW == 0) & (ow < WO))
            window = (plane * HO + oh) * WO + ow
            grad = tl.load(dy_ptr + window, mask=covers, other=0.0)
            if MAX:
                chosen = tl.load(argmax_ptr + window, mask=covers, other=-1) == h * W + w
                acc += tl.where(chosen, grad, 0.0)
            else:
                if INCLUDE_PAD:
                    acc += grad / (KH * KW)
                else:
                    top = oh * SH - PH
                    left = ow * SW - PW
                    count = ((tl.minimum(top + KH, H) - tl.maximum(top, 0))
                             * (tl.minimum(left + KW, W) - tl.maximum(left, 0)))
                    acc += grad / tl.where(covers, count, 1).to(dx_ptr.dtype.element_ty)
    tl.store(dx_ptr + index, acc, mask=inside)


def _forward(x, kernel_size, stride, padding, is_max, include_pad=True):
    x = require_tensor("x", x)
    kernel, stride, padding, size, out = pool_geometry(x.shape, kernel_size, stride, padding)
    y = x.new_empty((*x.shape[:2], *out))
    argmax = torch.empty(y.shape, dtype=torch.int64, device=x.device) if is_max else y
    geometry = (*size, *out, *kernel, *stride, *padding)
    if y.numel():
        _pool_forward_kernel[grid(y.numel(), BLOCK)](
            x, y, argmax, y.numel(), *geometry[:4], KH=geometry[4], KW=geometry[5],
            SH=stride[0], SW=stride[1], PH=padding[0], PW=padding[1], MAX=is_max,
            INCLUDE_PAD=include_pad, BLOCK=BLOCK)
    return y, (argmax if is_max else None, x.shape, geometry, include_pad)


def _backward(dy, ctx):
    argmax, x_shape, geometry, include_pad = ctx
    height, width, ho, wo, kh, kw, sh, sw, ph, pw = geometry
    dy = require_tensor("dy", dy)
    if tuple(dy.shape) != (*x_shape[:2], ho, wo):
        raise ValueError(f"dy: expected shape {(*x_shape[:2], ho, wo)}, got {tuple(dy.shape)}")
    dx = dy.new_empty(x_shape)
    if dx.numel():
        _pool_backward_kernel[grid(dx.numel(), BLOCK)](
            dy, dy if argmax is None else argmax, dx, dx.numel(), height, width, ho, wo,
            KH=kh, KW=kw, SH=sh, SW=sw, PH=ph, PW=pw, MAX=argmax is not None,
            INCLUDE_PAD=include_pad, BLOCK=BLOCK)
    return (dx,)


def max_pool2d_forward(x, kernel_size=2, stride=None, padding=0):
    """The maximum of each window [000][003][004]."""
    return _forward(x, kernel_size, stride, padding, is_max=True)


def max_pool2d_backward(dy, ctx):
    return _backward(dy, ctx)


def avg_pool2d_forward(x, kernel_size=2, stride=None, padding=0, count_include_pad=True):
    """The mean of each window [000][003][004], over kh·kw elements, or over the window's
    real (non-padding) elements when count_include_pad is False."""
    require_choice("count_include_pad", count_include_pad, (True, False))
    return _forward(x, kernel_size, stride, padding, is_max=False,
                    include_pad=bool(count_include_pad))


def avg_pool2d_backward(dy, ctx):
    return _backward(dy, ctx)
