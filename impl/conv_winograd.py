"""conv2d's fast path for 3×3 kernels at stride 1: Winograd's minimal filtering F(2×2, 3×3).

Each 2×2 block of outputs needs a 4×4 tile of the padded input. Transformed, a tile and a
kernel meet in 16 elementwise products instead of the 36 of the direct sum (2.25× fewer
multiplications); summed over channels, each of the 16 products is one matrix product
(tiles × C) @ (C × K), so the work is 16 GEMMs plus a few additions per value:

    y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A          (Lavin & Gray, "Fast Algorithms for CNNs")

The backward pass uses the same transforms: dx is the forward pass of dy with the kernel
flipped and its channels swapped; dW follows from the same trilinear identity with the
roles of kernel and output exchanged, dW = Gᵀ [Σ_tiles (A u Aᵀ) ⊙ (Bᵀ d B)] G, where u is a
2×2 block of dy and Bᵀ d B the input tiles the forward pass already transformed.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]])
G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]])


def _along(matrix, a, axis, out=None):
    """Σ_j matrix[i, j] · a[j] along `axis` (moved to the front of the result), into `out`
    if given. Only the nonzero coefficients are used, two terms at a time in one pass: the
    transforms are a handful of additions per value."""
    a = np.moveaxis(a, axis, 0)
    if out is None:
        out = np.empty((matrix.shape[0], *a.shape[1:]), dtype=a.dtype)
    for row, coefficients in zip(out, matrix, strict=True):
        terms = [(float(c), a[j]) for j, c in enumerate(coefficients) if c]
        (c0, first), rest = terms[0], terms[1:]
        if c0 == 1 and rest and abs(rest[0][0]) == 1:
            (np.add if rest[0][0] == 1 else np.subtract)(first, rest[0][1], out=row)
            rest = rest[1:]
        else:
            np.multiply(first, c0, out=row)
        for c, term in rest:
            if abs(c) == 1:
                (np.add if c == 1 else np.subtract)(row, term, out=row)
            else:
                row += c * term
    return out


def _grid(out):
    """The 2×2 output blocks covering an output of `out` = (Ho, Wo): (ceil(Ho/2), ...)."""
    return (out[0] + 1) // 2, (out[1] + 1) // 2


def _tiles(x, padding):
    """The transformed 4×4 input tiles Bᵀ d B of x (N, C, H, W) zero-padded by `padding`,
    as (16, C, N·th·tw), th × tw being the grid of 2×2 output blocks."""
    n, c, h, w = x.shape
    (ph, pw) = padding
    th, tw = _grid((h + 2 * ph - 2, w + 2 * pw - 2))
    padded = np.zeros((n, c, 2 * th + 2, 2 * tw + 2), dtype=x.dtype)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    s_n, s_c, s_h, s_w = padded.strides
    # Rows first, on whole image rows (4 rows per tile row, 2 apart): (4, N, C, th, W').
    rows = _along(B_T, as_strided(padded, (4, n, c, th, padded.shape[3]),
                                  (s_h, s_n, s_c, 2 * s_h, s_w), writeable=False), 0)
    r_a, r_n, r_c, r_t, r_w = rows.strides
    # Then columns, written straight into the GEMM's layout (col, row, C, N, th, tw).
    v = np.empty((4, 4, c, n, th, tw), dtype=x.dtype)
    columns = as_strided(rows, (4, 4, n, c, th, tw), (r_w, r_a, r_n, r_c, r_t, 2 * r_w),
                         writeable=False)
    _along(B_T, columns, 0, out=v.transpose(0, 1, 3, 2, 4, 5))
    return v.reshape(16, c, n * th * tw)


def _kernel_transform(w):
    """G g Gᵀ for every kernel g of w (K, C, 3, 3), as (16, K, C) in the tiles' order."""
    u = np.einsum("ai,kcij,bj->bakc", G, w.astype(np.float64), G)  # (col, row) like _tiles
    return u.reshape(16, *w.shape[:2]).astype(w.dtype)


def _untile(m, n, out):
    """Aᵀ m A for the products m (16, K, N·th·tw): the NCHW output (N, K, Ho, Wo)."""
    th, tw = _grid(out)
    k = m.shape[1]
    rows = _along(A_T, m.reshape(4, 4, k, n, th, tw), 1)  # (row p, col b, K, N, th, tw)
    y = np.empty((n, k, th, 2, tw, 2), dtype=m.dtype)
    _along(A_T, rows, 1, out=y.transpose(5, 3, 1, 0, 2, 4))  # (col q, row p, K, N, ..)
    y = y.reshape(n, k, 2 * th, 2 * tw)
    return y if y.shape[2:] == tuple(out) else np.ascontiguousarray(y[:, :, :out[0], :out[1]])


def forward(x, w, padding):
    """conv2d of x (N, C, H, W) with w (K, C, 3, 3) at stride 1, dilation 1, zero padding
    (P_h, P_w); returns y (N, K, Ho, Wo) without bias, and the transformed tiles with
    their grid, which the weight gradient reuses."""
    v = _tiles(x, padding)
    m = np.matmul(_kernel_transform(w), v)  # 16 × (K, C) @ (C, tiles)
    out = (x.shape[2] + 2 * padding[0] - 2, x.shape[3] + 2 * padding[1] - 2)
    return _untile(m, x.shape[0], out), v


def input_gradient(dy, w, padding, x_shape):
    """dx: the full correlation of dy with the flipped kernel, channels swapped, i.e. the
    forward pass with padding 2 - P (which also crops back to H × W)."""
    flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    dx, _ = forward(dy, flipped, (2 - padding[0], 2 - padding[1]))
    return dx if dx.shape == tuple(x_shape) else np.ascontiguousarray(
        dx[:, :, :x_shape[2], :x_shape[3]])


def weight_gradient(dy, tiles):
    """dW = Gᵀ [Σ_tiles (A u Aᵀ) ⊙ V] G for the 2×2 blocks u of dy and the forward pass's
    transformed tiles V (16, C, tiles); returns (K, C, 3, 3)."""
    n, k, ho, wo = dy.shape
    th, tw = _grid((ho, wo))
    blocks = np.zeros((n, k, th, 2, tw, 2), dtype=dy.dtype)
    blocks.reshape(n, k, 2 * th, 2 * tw)[:, :, :ho, :wo] = dy
    rows = _along(A_T.T, blocks.transpose(3, 5, 1, 0, 2, 4), 0)  # (row, col q, K, N, ..)
    du = _along(A_T.T, rows, 1)  # (col, row, K, N, th, tw) like the tiles
    m = np.matmul(du.reshape(16, k, -1), tiles.transpose(0, 2, 1))  # (K, tiles) @ (tiles, C)
    dw = np.einsum("ai,bakc,bj->kcij", G, m.reshape(4, 4, k, -1).astype(np.float64), G)
    return dw.astype(dy.dtype)
