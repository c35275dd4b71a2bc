"""Scaled dot-product attention (contract family "attention") as FlashAttention-style Triton
kernels: out = softmax(scale·q kᵀ + mask) v, with grouped-query heads (query head h reads
kv head h // G), an additive mask and top-left causal masking.

No Sq × Sk matrix is ever stored: a program holds one BLOCK_M × BLOCK_N tile of scores in
registers at a time. The forward gives each block of queries of one head a program that
walks the key blocks with an online softmax (running maximum m and Σ exp, rescaled when m
grows) and saves out and each row's logsumexp. Causal masking is by blocks: key blocks
wholly after the diagonal are never visited, and only those crossing it are masked element
by element. The backward recomputes p = exp(s - lse) tile by tile: one pass for
δ = rowsum(dO ⊙ out), one program per key block for dk and dv (looping over the G query
heads that share its kv head, so no atomics) and one per query block for dq; the sums are
always taken in the same order, so the gradients are deterministic. Products are IEEE
float32 (no TF32) or float64, accumulated in the inputs' dtype.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import triton
import triton.language as tl

from .._checks import positive
from ._runtime import INTERPRET, block, require_like, require_tensor, scalars


@triton.jit
def _scores(q, kt, mask_ptr, rows, cols, Sq, Sk, scale, stride_mq, stride_mk,
            HAS_MASK: tl.constexpr, DIAGONAL: tl.constexpr):
    """s = scale·q kᵀ (+ mask) for one tile; -inf for padding keys and, on a block crossing
    the diagonal, for keys after their query, so the softmax gives them exactly 0."""
    s = tl.dot(q, kt, input_precision="ieee", out_dtype=q.dtype) * scale
    if HAS_MASK:
        # padding rows read 0, not the mask: they stay finite and are never stored
        s += tl.load(mask_ptr + rows[:, None].to(tl.int64) * stride_mq
                     + cols[None, :].to(tl.int64) * stride_mk,
                     mask=(rows[:, None] < Sq) & (cols[None, :] < Sk), other=0.0)
    keep = cols[None, :] < Sk
    if DIAGONAL:
        keep = keep & (cols[None, :] <= rows[:, None])
    return tl.where(keep, s, float("-inf"))


@triton.jit
def _transposed_tile(ptr, cols, lanes, Sk, width):
    """Rows `cols` of a (Sk, width) matrix (k or v of one head) as a (lanes, cols) tile, its
    transpose, 0 past either edge."""
    return tl.load(ptr + cols[None, :] * width + lanes[:, None],
                   mask=(cols[None, :] < Sk) & (lanes[:, None] < width), other=0.0)


@triton.jit
def _forward_blocks(acc, total, m, q, k_ptr, v_ptr, mask_ptr, rows, start, end, Sq, Sk, D, DV,
                    scale, stride_mq, stride_mk, HAS_MASK: tl.constexpr,
                    DIAGONAL: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr,
                    BLOCK_DV: tl.constexpr):
    """The online softmax over the key blocks starting in [start, end)."""
    dims = tl.arange(0, BLOCK_D)
    dvs = tl.arange(0, BLOCK_DV)
    for first in range(start, end, BLOCK_N):
        cols = first + tl.arange(0, BLOCK_N)
        kt = _transposed_tile(k_ptr, cols, dims, Sk, D)
        s = _scores(q, kt, mask_ptr, rows, cols, Sq, Sk, scale, stride_mq, stride_mk,
                    HAS_MASK, DIAGONAL)
        grown = tl.maximum(m, tl.max(s, axis=1))
        # a row whose keys so far are all masked: shift by 0, not -inf (no exp(-inf + inf))
        shift = tl.where(grown == float("-inf"), 0.0, grown)
        p = tl.exp(s - shift[:, None])
        alpha = tl.exp(m - shift)
        total = total * alpha + tl.sum(p, axis=1)
        v = tl.load(v_ptr + cols[:, None] * DV + dvs[None, :],
                    mask=(cols[:, None] < Sk) & (dvs[None, :] < DV), other=0.0)
        acc = tl.dot(p, v, acc * alpha[:, None], input_precision="ieee", out_dtype=acc.dtype)
        m = grown
    return acc, total, m


@triton.jit
def _forward_kernel(q_ptr, k_ptr, v_ptr, mask_ptr, out_ptr, lse_ptr, hyper_ptr, Hq, G, Sq, Sk,
                    D, DV, stride_mb, stride_mh, stride_mq, stride_mk, HAS_MASK: tl.constexpr,
                    CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                    BLOCK_D: tl.constexpr, BLOCK_DV: tl.constexpr):
    """out and lse for BLOCK_M queries of head (b, h): program (b·Hq + h, query block)."""
    bh = tl.program_id(0).to(tl.int64)
    start_m = tl.program_id(1) * BLOCK_M
    b = bh // Hq
    h = bh % Hq
    kv = b * (Hq // G) + h // G
    rows = start_m + tl.arange(0, BLOCK_M)
    dims = tl.arange(0, BLOCK_D)
    dvs = tl.arange(0, BLOCK_DV)
    q = tl.load(q_ptr + bh * Sq * D + rows[:, None] * D + dims[None, :],
                mask=(rows[:, None] < Sq) & (dims[None, :] < D), other=0.0)
    k_ptr += kv * Sk * D
    v_ptr += kv * Sk * DV
    mask_ptr += b * stride_mb + h * stride_mh
    scale = tl.load(hyper_ptr)
    m = tl.full((BLOCK_M,), float("-inf"), q.dtype)
    total = tl.zeros((BLOCK_M,), q.dtype)
    acc = tl.zeros((BLOCK_M, BLOCK_DV), q.dtype)
    if CAUSAL:  # key blocks before lo are seen whole by every row; those from hi on by none
        lo = tl.minimum(start_m // BLOCK_N * BLOCK_N, Sk)
        hi = tl.minimum(start_m + BLOCK_M, Sk)
    else:
        lo = Sk
        hi = Sk
    acc, total, m = _forward_blocks(acc, total, m, q, k_ptr, v_ptr, mask_ptr, rows, 0, lo, Sq,
                                    Sk, D, DV, scale, stride_mq, stride_mk, HAS_MASK, False,
                                    BLOCK_N, BLOCK_D, BLOCK_DV)
    if CAUSAL:
        acc, total, m = _forward_blocks(acc, total, m, q, k_ptr, v_ptr, mask_ptr, rows, lo, hi,
                                        Sq, Sk, D, DV, scale, stride_mq, stride_mk, HAS_MASK,
                                        True, BLOCK_N, BLOCK_D, BLOCK_DV)
    # a row that saw no key (all hidden) gets out = 0, torch's "safe softmax", and an lse of
    # +inf, so the backward's p = exp(s - lse) is 0 there too
    seen = m > float("-inf")
    total = tl.where(seen, total, 1.0)
    tl.store(out_ptr + bh * Sq * DV + rows[:, None] * DV + dvs[None, :],
             tl.where(seen[:, None], acc / total[:, None], 0.0),
             mask=(rows[:, None] < Sq) & (dvs[None, :] < DV))
    tl.store(lse_ptr + bh * Sq + rows, tl.where(seen, m + tl.log(total), float("inf")),
             mask=rows < Sq)


@triton.jit
def _delta_kernel(out_ptr, dy_ptr, delta_ptr, R, DV, BLOCK: tl.constexpr,
                  BLOCK_DV: tl.constexpr):
    """δ = rowsum(dO ⊙ out) = Σ_j p_ij dp_ij, over R = B·Hq·Sq rows."""
    rows = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    dvs = tl.arange(0, BLOCK_DV)
    inside = (rows[:, None] < R) & (dvs[None, :] < DV)
    out = tl.load(out_ptr + rows[:, None] * DV + dvs[None, :], mask=inside, other=0.0)
    dy = tl.load(dy_ptr + rows[:, None] * DV + dvs[None, :], mask=inside, other=0.0)
    tl.store(delta_ptr + rows, tl.sum(out * dy, axis=1), mask=rows < R)


@triton.jit
def _dkdv_blocks(dk, dv, kt, vt, q_ptr, dy_ptr, lse_ptr, delta_ptr, mask_ptr, cols, start, end,
                 Sq, Sk, D, DV, scale, stride_mq, stride_mk, HAS_MASK: tl.constexpr,
                 DIAGONAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_D: tl.constexpr,
                 BLOCK_DV: tl.constexpr):
    """dv += pᵀ dO and dk += dsᵀ q (scale applied by the caller) over the query blocks
    starting in [start, end) of one query head."""
    dims = tl.arange(0, BLOCK_D)
    dvs = tl.arange(0, BLOCK_DV)
    for first in range(start, end, BLOCK_M):
        rows = first + tl.arange(0, BLOCK_M)
        inside = rows < Sq
        q = tl.load(q_ptr + rows[:, None] * D + dims[None, :],
                    mask=inside[:, None] & (dims[None, :] < D), other=0.0)
        dy = tl.load(dy_ptr + rows[:, None] * DV + dvs[None, :],
                     mask=inside[:, None] & (dvs[None, :] < DV), other=0.0)
        lse = tl.load(lse_ptr + rows, mask=inside, other=0.0)
        delta = tl.load(delta_ptr + rows, mask=inside, other=0.0)
        s = _scores(q, kt, mask_ptr, rows, cols, Sq, Sk, scale, stride_mq, stride_mk,
                    HAS_MASK, DIAGONAL)
        # padding queries must add exactly nothing to the sums over rows
        p = tl.where(inside[:, None], tl.exp(s - lse[:, None]), 0.0)
        dv = tl.dot(tl.trans(p), dy, dv, input_precision="ieee", out_dtype=dv.dtype)
        dp = tl.dot(dy, vt, input_precision="ieee", out_dtype=dv.dtype)
        ds = p * (dp - delta[:, None])
        dk = tl.dot(tl.trans(ds), q, dk, input_precision="ieee", out_dtype=dk.dtype)
    return dk, dv


@triton.jit
def _dkdv_kernel(q_ptr, k_ptr, v_ptr, mask_ptr, dy_ptr, lse_ptr, delta_ptr, dk_ptr, dv_ptr,
                 hyper_ptr, Hq, G, Sq, Sk, D, DV, stride_mb, stride_mh, stride_mq, stride_mk,
                 HAS_MASK: tl.constexpr, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr,
                 BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_DV: tl.constexpr):
    """dk, dv for BLOCK_N keys of kv head (b, j), summed over its G query heads:
    program (b·Hkv + j, key block)."""
    bkv = tl.program_id(0).to(tl.int64)
    start_n = tl.program_id(1) * BLOCK_N
    Hkv = Hq // G
    b = bkv // Hkv
    cols = start_n + tl.arange(0, BLOCK_N)
    dims = tl.arange(0, BLOCK_D)
    dvs = tl.arange(0, BLOCK_DV)
    kt = tl.load(k_ptr + bkv * Sk * D + cols[None, :] * D + dims[:, None],
                 mask=(cols[None, :] < Sk) & (dims[:, None] < D), other=0.0)
    vt = tl.load(v_ptr + bkv * Sk * DV + cols[None, :] * DV + dvs[:, None],
                 mask=(cols[None, :] < Sk) & (dvs[:, None] < DV), other=0.0)
    scale = tl.load(hyper_ptr)
    dk = tl.zeros((BLOCK_N, BLOCK_D), kt.dtype)
    dv = tl.zeros((BLOCK_N, BLOCK_DV), kt.dtype)
    if CAUSAL:  # query blocks before lo see none of these keys; those from mid on see all
        lo = start_n // BLOCK_M * BLOCK_M
        mid = tl.minimum(tl.cdiv(start_n + BLOCK_N - 1, BLOCK_M) * BLOCK_M, Sq)
    else:
        lo = 0
        mid = 0
    for g in range(G):
        h = (bkv % Hkv) * G + g
        bh = b * Hq + h
        q_head = q_ptr + bh * Sq * D
        dy_head = dy_ptr + bh * Sq * DV
        mask_head = mask_ptr + b * stride_mb + h * stride_mh
        if CAUSAL:
            dk, dv = _dkdv_blocks(dk, dv, kt, vt, q_head, dy_head, lse_ptr + bh * Sq,
                                  delta_ptr + bh * Sq, mask_head, cols, lo, mid, Sq, Sk, D, DV,
                                  scale, stride_mq, stride_mk, HAS_MASK, True, BLOCK_M,
                                  BLOCK_D, BLOCK_DV)
        dk, dv = _dkdv_blocks(dk, dv, kt, vt, q_head, dy_head, lse_ptr + bh * Sq,
                              delta_ptr + bh * Sq, mask_head, cols, mid, Sq, Sq, Sk, D, DV,
                              scale, stride_mq, stride_mk, HAS_MASK, False, BLOCK_M, BLOCK_D,
                              BLOCK_DV)
    tl.store(dk_ptr + bkv * Sk * D + cols[:, None] * D + dims[None, :], dk * scale,
             mask=(cols[:, None] < Sk) & (dims[None, :] < D))
    tl.store(dv_ptr + bkv * Sk * DV + cols[:, None] * DV + dvs[None, :], dv,
             mask=(cols[:, None] < Sk) & (dvs[None, :] < DV))


@triton.jit
def _dq_blocks(dq, q, dy, lse, delta, k_ptr, v_ptr, mask_ptr, rows, start, end, Sq, Sk, D, DV,
               scale, stride_mq, stride_mk, HAS_MASK: tl.constexpr, DIAGONAL: tl.constexpr,
               BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_DV: tl.constexpr):
    """dq += ds k (scale applied by the caller) over the key blocks starting in [start, end)."""
    dims = tl.arange(0, BLOCK_D)
    dvs = tl.arange(0, BLOCK_DV)
    for first in range(start, end, BLOCK_N):
        cols = first + tl.arange(0, BLOCK_N)
        kt = _transposed_tile(k_ptr, cols, dims, Sk, D)
        vt = _transposed_tile(v_ptr, cols, dvs, Sk, DV)
        s = _scores(q, kt, mask_ptr, rows, cols, Sq, Sk, scale, stride_mq, stride_mk,
                    HAS_MASK, DIAGONAL)
        p = tl.exp(s - lse[:, None])
        dp = tl.dot(dy, vt, input_precision="ieee", out_dtype=dq.dtype)
        ds = p * (dp - delta[:, None])
        dq = tl.dot(ds, tl.trans(kt), dq, input_precision="ieee", out_dtype=dq.dtype)
    return dq


@triton.jit
def _dq_kernel(q_ptr, k_ptr, v_ptr, mask_ptr, dy_ptr, lse_ptr, delta_ptr, dq_ptr, hyper_ptr,
               Hq, G, Sq, Sk, D, DV, stride_mb, stride_mh, stride_mq, stride_mk,
               HAS_MASK: tl.constexpr, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr,
               BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_DV: tl.constexpr):
    """dq for BLOCK_M queries of head (b, h), key blocks visited as in the forward."""
    bh = tl.program_id(0).to(tl.int64)
    start_m = tl.program_id(1) * BLOCK_M
    b = bh // Hq
    h = bh % Hq
    kv = b * (Hq // G) + h // G
    rows = start_m + tl.arange(0, BLOCK_M)
    inside = rows < Sq
    dims = tl.arange(0, BLOCK_D)
    dvs = tl.arange(0, BLOCK_DV)
    q = tl.load(q_ptr + bh * Sq * D + rows[:, None] * D + dims[None, :],
                mask=inside[:, None] & (dims[None, :] < D), other=0.0)
    dy = tl.load(dy_ptr + bh * Sq * DV + rows[:, None] * DV + dvs[None, :],
                 mask=inside[:, None] & (dvs[None, :] < DV), other=0.0)
    lse = tl.load(lse_ptr + bh * Sq + rows, mask=inside, other=0.0)
    delta = tl.load(delta_ptr + bh * Sq + rows, mask=inside, other=0.0)
    k_ptr += kv * Sk * D
    v_ptr += kv * Sk * DV
    mask_ptr += b * stride_mb + h * stride_mh
    scale = tl.load(hyper_ptr)
    dq = tl.zeros((BLOCK_M, BLOCK_D), q.dtype)
    if CAUSAL:
        lo = tl.minimum(start_m // BLOCK_N * BLOCK_N, Sk)
        hi = tl.minimum(start_m + BLOCK_M, Sk)
    else:
        lo = Sk
        hi = Sk
    dq = _dq_blocks(dq, q, dy, lse, delta, k_ptr, v_ptr, mask_ptr, rows, 0, lo, Sq, Sk, D, DV,
                    scale, stride_mq, stride_mk, HAS_MASK, False, BLOCK_N, BLOCK_D, BLOCK_DV)
    if CAUSAL:
        dq = _dq_blocks(dq, q, dy, lse, delta, k_ptr, v_ptr, mask_ptr, rows, lo, hi, Sq, Sk, D,
                        DV, scale, stride_mq, stride_mk, HAS_MASK, True, BLOCK_N, BLOCK_D,
                        BLOCK_DV)
    tl.store(dq_ptr + bh * Sq * D + rows[:, None] * D + dims[None, :], dq * scale,
             mask=inside[:, None] & (dims[None, :] < D))


def _tiles(dtype, width: int, longest: int) -> tuple[dict, dict, dict]:
    """Launch settings of the forward, dk/dv and dq kernels for head dims padded to width
    and sequences of up to `longest` positions."""
    if INTERPRET:
        # programs run one at a time, each tile op a NumPy call: the smallest tile tl.dot
        # takes for short sequences, and for long ones tiles that keep the programs few
        # (a 1024-long causal head is then 8 query blocks, 36 tiles, not 2080)
        tiles = {"BLOCK_M": 16, "BLOCK_N": 16} if longest <= 256 else {"BLOCK_M": 128,
                                                                         "BLOCK_N": 128}
        return tiles, tiles, tiles
    if dtype == torch.float64 or width > 128:
        # float64 tiles take twice the registers of float32 ones: smaller tiles, no spills
        tiles = {"BLOCK_M": 32, "BLOCK_N": 32, "num_warps": 4 if width <= 128 else 8,
                 "num_stages": 2}
        return tiles, tiles, tiles
    # dk/dv holds four key-side tiles (k, v, dk, dv), dq two query-side: the fixed side wide
    return ({"BLOCK_M": 64, "BLOCK_N": 64, "num_warps": 4, "num_stages": 2},
            {"BLOCK_M": 32, "BLOCK_N": 64, "num_warps": 4, "num_stages": 2},
            {"BLOCK_M": 64, "BLOCK_N": 32, "num_warps": 4, "num_stages": 2})


def _check(q, k, v, mask, causal, scale):
    """The validated inputs: (q, k, v, mask, mask strides, causal, scale)."""
    q = require_tensor("q", q)
    k = require_like("k", k, q, "q")
    v = require_like("v", v, q, "q")
    for name, x, axes in (("q", q, "(B, Hq, Sq, D)"), ("k", k, "(B, Hkv, Sk, D)"),
                          ("v", v, "(B, Hkv, Sk, Dv)")):
        if x.ndim != 4:
            raise ValueError(f"{name}: expected a 4-D tensor {axes}, got shape {tuple(x.shape)}")
    batch, hq, sq, d = q.shape
    _, hkv, sk, _ = k.shape
    if k.shape[0] != batch:
        raise ValueError(f"k: batch size {k.shape[0]} does not match q's {batch}")
    if hq == 0 or hkv == 0 or hq % hkv:
        raise ValueError(f"k: q's Hq = {hq} heads must be a positive multiple of k's Hkv = "
                         f"{hkv} (grouped-query attention)")
    if k.shape[3] != d:
        raise ValueError(f"k: head dimension {k.shape[3]} does not match q's D = {d}")
    if d == 0 or sk == 0:
        raise ValueError(f"k: expected D >= 1 and Sk >= 1, got shape {tuple(k.shape)}")
    if tuple(v.shape[:3]) != (batch, hkv, sk):
        raise ValueError(f"v: expected shape (B, Hkv, Sk, Dv) = ({batch}, {hkv}, {sk}, Dv) "
                         f"like k's, got {tuple(v.shape)}")
    strides = (0, 0, 0, 0)
    if mask is not None:
        # not made contiguous: an expanded mask keeps its zero strides instead of a full copy
        if not (isinstance(mask, torch.Tensor) and mask.dtype == q.dtype
                and mask.device.type == q.device.type):
            require_like("mask", mask, q, "q")  # raises, naming mask
        target = (batch, hq, sq, sk)
        trailing = zip(mask.shape[::-1], target[::-1], strict=False)
        if mask.ndim > 4 or any(m not in (1, t) for m, t in trailing):
            raise ValueError(f"mask: shape {tuple(mask.shape)} does not broadcast to "
                             f"(B, Hq, Sq, Sk) = {target}")
        strides = torch.broadcast_to(mask, target).stride()
    if not isinstance(causal, bool | np.bool_):
        raise TypeError(f"causal: expected a bool, got {type(causal).__name__}")
    if scale is None:
        scale = 1 / math.sqrt(d)
    elif not math.isfinite(positive("scale", scale)):
        raise ValueError(f"scale: expected a finite positive number or None, got {scale!r}")
    return q, k, v, mask, strides, bool(causal), float(scale)


def scaled_dot_product_attention_forward(q, k, v, mask=None, causal=False, scale=None):
    """out = softmax(scale·q kᵀ + mask, causal) v, (B, Hq, Sq, Dv); torch's
    F.scaled_dot_product_attention(..., enable_gqa=True)."""
    q, k, v, mask, strides, causal, scale = _check(q, k, v, mask, causal, scale)
    batch, hq, sq, d = q.shape
    hkv, sk, dv = k.shape[1], k.shape[2], v.shape[3]
    out = q.new_empty((batch, hq, sq, dv))
    lse = q.new_empty((batch, hq, sq))
    hyper = scalars(q, scale)
    widths = {"BLOCK_D": block(d), "BLOCK_DV": block(dv)}
    tiles = _tiles(q.dtype, max(widths.values()), max(sq, sk))[0]
    if out.numel():
        _forward_kernel[(batch * hq, triton.cdiv(sq, tiles["BLOCK_M"]))](
            q, k, v, q if mask is None else mask, out, lse, hyper, hq, hq // hkv, sq, sk, d, dv,
            strides[0], strides[1], strides[2], strides[3], HAS_MASK=mask is not None,
            CAUSAL=causal, **widths, **tiles)
    return out, (q, k, v, mask, strides, causal, hyper, out, lse)


def scaled_dot_product_attention_backward(dy, ctx):
    """(dq, dk, dv), p recomputed from the saved logsumexp; dk and dv summed over the G
    query heads of each kv head."""
    q, k, v, mask, strides, causal, hyper, out, lse = ctx
    dy = require_like("dy", dy, out, "out", out.shape)
    batch, hq, sq, d = q.shape
    hkv, sk, dv_width = k.shape[1], k.shape[2], v.shape[3]
    dq, dk, dv = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    delta = torch.empty_like(lse)
    widths = {"BLOCK_D": block(d), "BLOCK_DV": block(dv_width)}
    _, kv_tiles, q_tiles = _tiles(q.dtype, max(widths.values()), max(sq, sk))
    shared = (q if mask is None else mask, dy, lse, delta)
    sizes = (hq, hq // hkv, sq, sk, d, dv_width, *strides)
    flags = {"HAS_MASK": mask is not None, "CAUSAL": causal, **widths}
    if dq.numel():
        rows = 16 if INTERPRET else 64
        _delta_kernel[(triton.cdiv(lse.numel(), rows),)](out, dy, delta, lse.numel(), dv_width,
                                                         BLOCK=rows,
                                                         BLOCK_DV=widths["BLOCK_DV"])
        _dq_kernel[(batch * hq, triton.cdiv(sq, q_tiles["BLOCK_M"]))](
            q, k, v, *shared, dq, hyper, *sizes, **flags, **q_tiles)
    if dk.numel() or dv.numel():  # with Sq = 0 the kernel still writes zeros
        _dkdv_kernel[(batch * hkv, triton.cdiv(sk, kv_tiles["BLOCK_N"]))](
            q, k, v, *shared, dk, dv, hyper, *sizes, **flags, **kv_tiles)
    return dq, dk, dv
