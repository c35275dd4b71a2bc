"""The fully connected layer (catalog §2, docs/notes.md) on a tiled Triton matmul: y = x Wᵀ + b with
the bias added in the product's epilogue, and the backward's two products dx = dy W and
dW = dyᵀ x, the transposes being strides, never copies. Products are IEEE float32 (no
TF32) or float64, accumulated in the inputs' dtype."""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from . import _reduce
from ._runtime import INTERPRET, require_like, require_tensor


@triton.jit
def _matmul_kernel(a_ptr, b_ptr, bias_ptr, c_ptr, M, N, K, stride_am, stride_ak, stride_bk,
                   stride_bn, stride_cm, stride_cn, HAS_BIAS: tl.constexpr,
                   BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                   GROUP_M: tl.constexpr):
    """C = A B (+ bias along N). Tiles are visited GROUP_M rows of tiles at a time, so the
    programs running together share B's column tiles in the L2 cache."""
    pid = tl.program_id(0)
    tiles_m = tl.cdiv(M, BLOCK_M)
    tiles_n = tl.cdiv(N, BLOCK_N)
    per_group = GROUP_M * tiles_n
    first_m = (pid // per_group) * GROUP_M
    rows_in_group = tl.minimum(tiles_m - first_m, GROUP_M)
    pid_m = first_m + (pid % per_group) % rows_in_group
    pid_n = (pid % per_group) // rows_in_group

    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    rk = tl.arange(0, BLOCK_K)
    a = a_ptr + rm[:, None].to(tl.int64) * stride_am + rk[None, :] * stride_ak
    b = b_ptr + rk[:, None].to(tl.int64) * stride_bk + rn[None, :] * stride_bn
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=c_ptr.dtype.element_ty)
    for k in range(0, K, BLOCK_K):
        a_tile = tl.load(a, mask=(rm[:, None] < M) & (rk[None, :] + k < K), other=0.0)
        b_tile = tl.load(b, mask=(rk[:, None] + k < K) & (rn[None, :] < N), other=0.0)
        acc = tl.dot(a_tile, b_tile, acc, input_precision="ieee",
                     out_dtype=c_ptr.dtype.element_ty)
        a += BLOCK_K * stride_ak
        b += BLOCK_K * stride_bk
    if HAS_BIAS:
        acc += tl.load(bias_ptr + rn, mask=rn < N, other=0.0)[None, :]
    c = c_ptr + rm[:, None].to(tl.int64) * stride_cm + rn[None, :] * stride_cn
    tl.store(c, acc, mask=(rm[:, None] < M) & (rn[None, :] < N))


def _config(m, n, k, warps, stages, group=8):
    return triton.Config({"BLOCK_M": m, "BLOCK_N": n, "BLOCK_K": k, "GROUP_M": group},
                         num_warps=warps, num_stages=stages)


if INTERPRET:  # programs run one at a time: one config, big enough to keep them few
    _CONFIG = {"BLOCK_M": 32, "BLOCK_N": 32, "BLOCK_K": 32, "GROUP_M": 8}
    _matmul = _matmul_kernel
else:
    _CONFIG = {}
    _matmul = triton.autotune(
        configs=[_config(128, 128, 32, 8, 3), _config(128, 128, 16, 8, 4),
                 _config(128, 64, 32, 4, 4), _config(64, 128, 32, 4, 4),
                 _config(64, 64, 32, 4, 5), _config(256, 64, 16, 8, 3),
                 _config(64, 256, 16, 8, 3), _config(32, 32, 32, 2, 4)],
        key=["M", "N", "K", "stride_ak", "stride_bn", "HAS_BIAS"])(_matmul_kernel)


def matmul(a: torch.Tensor, b: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """a (M, K) @ b (K, N) (+ bias (N,)), any strides, as a new contiguous (M, N) tensor."""
    (m, k), n = a.shape, b.shape[1]
    c = torch.empty((m, n), dtype=a.dtype, device=a.device)
    if c.numel():
        def tiles(meta):
            return (triton.cdiv(m, meta["BLOCK_M"]) * triton.cdiv(n, meta["BLOCK_N"]),)

        _matmul[tiles](a, b, c if bias is None else bias, c, m, n, k, *a.stride(), *b.stride(),
                       *c.stride(), HAS_BIAS=bias is not None, **_CONFIG)
    return c


def linear_forward(x, w, b=None):
    """y = x Wᵀ + b [002][003]: W is (out, in); rows of x (..., in) give y (..., out)."""
    x = require_tensor("x", x)
    w = require_like("w", w, x, "x")
    if w.ndim != 2:
        raise ValueError(f"w: expected shape (out, in), got {tuple(w.shape)}")
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"x: last axis must be in = w.shape[1] = {w.shape[1]}, got shape "
                         f"{tuple(x.shape)}")
    if b is not None:
        b = require_like("b", b, x, "x", (w.shape[0],))
    rows = x.reshape(-1, w.shape[1])
    y = matmul(rows, w.t(), b)
    return y.reshape(*x.shape[:-1], w.shape[0]), (rows, w, x.shape, b is not None)


def linear_backward(dy, ctx):
    """dx = dy W; dW = dyᵀ x and db = Σ dy over every row of x (each row is one more
    example through the same W and b). db is None when b was None."""
    rows, w, x_shape, has_bias = ctx
    dy = require_like("dy", dy, rows, "x", (*x_shape[:-1], w.shape[0]))
    rows_dy = dy.reshape(-1, w.shape[0])
    dx = matmul(rows_dy, w).reshape(x_shape)
    dw = matmul(rows_dy.t(), rows)
    db = _reduce.channel_sums(rows_dy, rows_dy.shape[0], w.shape[0], 1) if has_bias else None
    return dx, dw, db
