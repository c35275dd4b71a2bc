"""conv2d (catalog §2, docs/notes.md) as three implicit GEMMs in Triton: the notes'
cross-correlation [003][004], y[n, k] = Σ_c Σ_ij x_pad[n, c, S·oh + d·i, S·ow + d·j] · w[k, c, i, j]
+ b[k], with stride, zero padding, dilation and groups. No im2col matrix is ever written: each
program gathers its tile of the receptive fields straight from x (or dy) and multiplies
it with a tile of w, so the padding is a mask, not memory.

    forward  y  (N·Ho·Wo × K/g)  = fields(x)      (· × C/g·F·F) @ w_gᵀ
    dx       dx (N·H·W × C/g)    = fields'(dy)     (· × K/g·F·F) @ w_g
    dW       dW (K/g × C/g·F·F)  = dy_gᵀ (· × N·Ho·Wo) @ fields(x)

In dx, input pixel h takes output row oh through tap i when h + P - d·i = S·oh; the taps
that miss (not a multiple of S, or outside the output) are masked. dW's reduction runs over
every output pixel, so it is split across programs (SPLIT) whose partial sums are added by
a per-channel sum. db = Σ dy over N, Ho and Wo.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from .._windows import conv_geometry
from . import _reduce
from ._runtime import INTERPRET, require_like, require_tensor


@triton.jit
def _pixels(rows, height, width):
    """(image, row, column) of flat pixel indices over (N, height, width)."""
    return (rows // (height * width)).to(tl.int64), (rows // width) % height, rows % width


@triton.jit
def _taps(r, FH: tl.constexpr, FW: tl.constexpr):
    """(channel or kernel within the group, tap row i, tap column j) of a flat reduction
    index r over (C/g or K/g, F_h, F_w), w's own memory order."""
    return r // (FH * FW), (r // FW) % FH, r % FW


@triton.jit
def _conv2d_forward_kernel(x_ptr, w_ptr, b_ptr, y_ptr, N, C, H, W, K, HO, WO,
                           FH: tl.constexpr, FW: tl.constexpr, SH, SW, PH, PW, DH, DW, CG, KG,
                           HAS_BIAS: tl.constexpr, BLOCK_M: tl.constexpr,
                           BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    """Rows: output pixels (n, oh, ow); columns: the group's kernels; reduction over
    (c, i, j), in w's own memory order."""
    tiles_n = tl.cdiv(KG, BLOCK_N)
    pid_m = tl.program_id(0) // tiles_n
    pid_n = tl.program_id(0) % tiles_n
    group = tl.program_id(1)
    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    n, oh, ow = _pixels(rm, HO, WO)
    kernel = group * KG + pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    kernel_ok = pid_n * BLOCK_N + tl.arange(0, BLOCK_N) < KG
    reduction = CG * FH * FW
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=y_ptr.dtype.element_ty)
    for r0 in range(0, reduction, BLOCK_K):
        r = r0 + tl.arange(0, BLOCK_K)
        c, i, j = _taps(r, FH, FW)
        c += group * CG
        h = oh[:, None] * SH - PH + i[None, :] * DH
        w = ow[:, None] * SW - PW + j[None, :] * DW
        inside = ((rm[:, None] < N * HO * WO) & (r[None, :] < reduction)
                  & (h >= 0) & (h < H) & (w >= 0) & (w < W))
        fields = tl.load(x_ptr + ((n[:, None] * C + c[None, :]) * H + h) * W + w,
                         mask=inside, other=0.0)
        taps = tl.load(w_ptr + kernel[None, :].to(tl.int64) * reduction + r[:, None],
                       mask=(r[:, None] < reduction) & kernel_ok[None, :], other=0.0)
        acc = tl.dot(fields, taps, acc, input_precision="ieee", out_dtype=y_ptr.dtype.element_ty)
    if HAS_BIAS:
        acc += tl.load(b_ptr + kernel, mask=kernel_ok, other=0.0)[None, :]
    y = y_ptr + ((n[:, None] * K + kernel[None, :]) * HO + oh[:, None]) * WO + ow[:, None]
    tl.store(y, acc, mask=(rm[:, None] < N * HO * WO) & kernel_ok[None, :])


@triton.jit
def _conv2d_dx_kernel(dy_ptr, w_ptr, dx_ptr, N, C, H, W, K, HO, WO,
                      FH: tl.constexpr, FW: tl.constexpr, SH, SW, PH, PW, DH, DW, CG, KG,
                      BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    """Rows: input pixels (n, h, w); columns: the group's input channels; reduction over
    (k, i, j), the output pixels that read (h, w) through tap (i, j)."""
    tiles_n = tl.cdiv(CG, BLOCK_N)
    pid_m = tl.program_id(0) // tiles_n
    pid_n = tl.program_id(0) % tiles_n
    group = tl.program_id(1)
    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    n, h, w = _pixels(rm, H, W)
    channel = group * CG + pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    channel_ok = pid_n * BLOCK_N + tl.arange(0, BLOCK_N) < CG
    reduction = KG * FH * FW
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=dx_ptr.dtype.element_ty)
    for r0 in range(0, reduction, BLOCK_K):
        r = r0 + tl.arange(0, BLOCK_K)
        k, i, j = _taps(r, FH, FW)
        k += group * KG
        oh_s = h[:, None] + PH - i[None, :] * DH  # S·oh, if tap i of some window lands on h
        ow_s = w[:, None] + PW - j[None, :] * DW
        oh = oh_s // SH
        ow = ow_s // SW
        hit = ((rm[:, None] < N * H * W) & (r[None, :] < reduction)
               & (oh_s >= 0) & (oh_s % SH == 0) & (oh < HO)
               & (ow_s >= 0) & (ow_s % SW == 0) & (ow < WO))
        grads = tl.load(dy_ptr + ((n[:, None] * K + k[None, :]) * HO + oh) * WO + ow,
                        mask=hit, other=0.0)
        taps = tl.load(w_ptr + (k[:, None].to(tl.int64) * CG + channel[None, :] - group * CG)
                       * (FH * FW) + (r[:, None] % (FH * FW)),
                       mask=(r[:, None] < reduction) & channel_ok[None, :], other=0.0)
        acc = tl.dot(grads, taps, acc, input_precision="ieee",
                     out_dtype=dx_ptr.dtype.element_ty)
    dx = dx_ptr + ((n[:, None] * C + channel[None, :]) * H + h[:, None]) * W + w[:, None]
    tl.store(dx, acc, mask=(rm[:, None] < N * H * W) & channel_ok[None, :])


@triton.jit
def _conv2d_dw_kernel(dy_ptr, x_ptr, dw_ptr, N, C, H, W, K, HO, WO,
                      FH: tl.constexpr, FW: tl.constexpr, SH, SW, PH, PW, DH, DW, CG, KG,
                      per_split, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                      BLOCK_K: tl.constexpr):
    """Rows: the group's kernels; columns: (c, i, j); reduction over this split's share
    of the output pixels (n, oh, ow). Writes split `program_id(2)`'s partial dW."""
    columns = CG * FH * FW
    tiles_n = tl.cdiv(columns, BLOCK_N)
    pid_m = tl.program_id(0) // tiles_n
    pid_n = tl.program_id(0) % tiles_n
    group = tl.program_id(1)
    split = tl.program_id(2)
    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    kernel = group * KG + rm
    rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    c, i, j = _taps(rn, FH, FW)
    c += group * CG
    pixels = N * HO * WO
    begin = split * per_split
    end = tl.minimum(begin + per_split, pixels)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=dw_ptr.dtype.element_ty)
    for q0 in range(begin, end, BLOCK_K):
        q = q0 + tl.arange(0, BLOCK_K)
        n, oh, ow = _pixels(q, HO, WO)
        grads = tl.load(dy_ptr + ((n[None, :] * K + kernel[:, None]) * HO + oh[None, :]) * WO
                        + ow[None, :], mask=(rm[:, None] < KG) & (q[None, :] < end), other=0.0)
        h = oh[:, None] * SH - PH + i[None, :] * DH
        w = ow[:, None] * SW - PW + j[None, :] * DW
        inside = ((q[:, None] < end) & (rn[None, :] < columns)
                  & (h >= 0) & (h < H) & (w >= 0) & (w < W))
        fields = tl.load(x_ptr + ((n[:, None] * C + c[None, :]) * H + h) * W + w,
                         mask=inside, other=0.0)
        acc = tl.dot(grads, fields, acc, input_precision="ieee",
                     out_dtype=dw_ptr.dtype.element_ty)
    dw = dw_ptr + (split * K + kernel[:, None].to(tl.int64)) * columns + rn[None, :]
    tl.store(dw, acc, mask=(rm[:, None] < KG) & (rn[None, :] < columns))


if INTERPRET:  # programs run one at a time: big tiles keep them few, no split
    _TILES = {"BLOCK_M": 32, "BLOCK_N": 32, "BLOCK_K": 32}
    _SPLIT = 1
    _forward, _dx, _dw = _conv2d_forward_kernel, _conv2d_dx_kernel, _conv2d_dw_kernel
else:
    _TILES = {}
    _SPLIT = 32

    def _tuned(kernel):
        configs = [triton.Config({"BLOCK_M": m, "BLOCK_N": n, "BLOCK_K": k}, num_warps=warps,
                                 num_stages=stages)
                   for m, n, k, warps, stages in ((128, 128, 32, 8, 3), (128, 64, 32, 4, 4),
                                                  (64, 128, 32, 4, 4), (64, 64, 32, 4, 4),
                                                  (128, 32, 32, 4, 4), (32, 32, 32, 2, 4))]
        return triton.autotune(configs, key=["N", "C", "H", "W", "K", "HO", "WO", "FH", "FW",
                                             "SH", "SW", "CG"])(kernel)

    _forward, _dx, _dw = (_tuned(k) for k in (_conv2d_forward_kernel, _conv2d_dx_kernel,
                                              _conv2d_dw_kernel))


def _shape_arguments(x_shape, w_shape, stride, padding, dilation, groups, out):
    n, c, h, w = x_shape
    k, cg, fh, fw = w_shape
    return (n, c, h, w, k, *out, fh, fw, *stride, *padding, *dilation, cg, k // groups)


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    x = require_tensor("x", x)
    w = require_like("w", w, x, "x")
    stride, padding, dilation, out = conv_geometry(x.shape, w.shape, stride, padding,
                                                   dilation, groups)
    if b is not None:
        b = require_like("b", b, x, "x", (w.shape[0],))
    shape = _shape_arguments(x.shape, w.shape, stride, padding, dilation, groups, out)
    y = x.new_empty((x.shape[0], w.shape[0], *out))
    if y.numel():
        def tiles(meta):
            return (triton.cdiv(y.numel() // w.shape[0], meta["BLOCK_M"])
                    * triton.cdiv(w.shape[0] // groups, meta["BLOCK_N"]), groups)

        _forward[tiles](x, w, y if b is None else b, y, *shape, HAS_BIAS=b is not None,
                        **_TILES)
    return y, (x, w, b is not None, groups, shape)


def conv2d_backward(dy, ctx):
    """dx, dW and db (None when b was None) by the three products of the docstring."""
    x, w, has_bias, groups, shape = ctx
    n, c, h, width, k, ho, wo = shape[:7]
    dy = require_like("dy", dy, x, "x", (n, k, ho, wo))
    dx = torch.empty_like(x)
    if dx.numel():
        def dx_tiles(meta):
            return (triton.cdiv(n * h * width, meta["BLOCK_M"])
                    * triton.cdiv(c // groups, meta["BLOCK_N"]), groups)

        _dx[dx_tiles](dy, w, dx, *shape, **_TILES)
    pixels = n * ho * wo
    split = max(1, min(_SPLIT, triton.cdiv(pixels, 1024)))
    partial = x.new_empty((split, *w.shape))
    if w.numel():
        per_split = triton.cdiv(max(pixels, 1), split)

        def dw_tiles(meta):
            return (triton.cdiv(k // groups, meta["BLOCK_M"])
                    * triton.cdiv(w[0].numel(), meta["BLOCK_N"]), groups, split)

        _dw[dw_tiles](dy, x, partial, *shape, per_split, **_TILES)
    dw = partial[0] if split == 1 else _reduce.channel_sums(
        partial, split, w.numel(), 1).reshape(w.shape)
    db = _reduce.channel_sums(dy, n, k, ho * wo) if has_bias else None
    return dx, dw, db
