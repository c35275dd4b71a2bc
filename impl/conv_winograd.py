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


def _along(matrix, a, axis):
    """Σ_j matrix[i, j] · a[j] along `axis` (moved to the front of the result), using only
    the nonzero coefficients: the transforms are a handful of additions per value."""
    a = np.moveaxis(a, axis, 0)
    out = np.empty((matrix.shape[0], *a.shape[1:]), dtype=a.dtype)
    for row, coefficients in zip(out, matrix, strict=True):
        terms = [(float(c), a[j]) for j, c in enumerate(coefficients) if c]
        (c0, first), rest = terms[0], terms[1:]
        np.multiply(first, c0, out=row) if c0 != 1 else np.copyto(row, first)
        for c, term in rest:
            if c == 1:
                row += term
            elif c == -1:
                row -= term
            else:
                row += c * term
    return out


def _tiles(x, padding):
    """The transformed 4×4 input tiles Bᵀ d B of x (N, C, H, W) padded by `padding`, as
    (16, N·th·tw, C) with th × tw the grid of 2×2 output blocks; and (th, tw)."""
    n, c, h, w = x.shape
    ph, pw = padding
    th, tw = (h + 2 * ph - 1) // 2, (w + 2 * pw - 1) // 2  # ceil(out / 2), out = H + 2P - 2
    padded = np.zeros((n, 2 * th + 2, 2 * tw + 2, c), dtype=x.dtype)  # channels last
    padded[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
    s_n, s_h, s_w, s_c = padded.strides
    d = as_strided(padded, (4, 4, n, th, tw, c), (s_h, s_w, s_n, 2 * s_h, 2 * s_w, s_c),
                   writeable=False)
    v = _along(B_T, _along(B_T, d, 0), 1)  # rows then columns: (col, row, N, th, tw, C)
    return v.reshape(16, n * th * tw, c), (th, tw)


def _kernel_transform(w):
    """G g Gᵀ for every kernel g of w (K, C, 3, 3), as (16, K, C) in the tiles' order."""
    u = np.einsum("ai,kcij,bj->bakc", G, w.astype(np.float64), G)  # (col, row) like _tiles
    return u.reshape(16, *w.shape[:2]).astype(w.dtype)


def _untile(m, n, out, tiles):
    """Aᵀ m A for the products m (16, K, N·th·tw): the NCHW output (N, K, Ho, Wo)."""
    th, tw = tiles
    k = m.shape[1]
    m = m.reshape(4, 4, k, n, th, tw)  # (col, row, ...)
    blocks = _along(A_T, _along(A_T, m, 1), 1)  # (col, row, K, N, th, tw) again
    y = np.empty((n, k, th, 2, tw, 2), dtype=m.dtype)
    for row in range(2):
        for col in range(2):
            y[:, :, :, row, :, col] = blocks[col, row].transpose(1, 0, 2, 3)
    return y.reshape(n, k, 2 * th, 2 * tw)[:, :, :out[0], :out[1]]


def forward(x, w, padding):
    """conv2d of x (N, C, H, W) with w (K, C, 3, 3) at stride 1, dilation 1, zero padding
    (P_h, P_w); returns y (N, K, Ho, Wo) without bias, and the transformed tiles with
    their grid, which the weight gradient reuses."""
    v, grid = _tiles(x, padding)
    m = np.matmul(_kernel_transform(w), v.transpose(0, 2, 1))  # 16 × (K, C) @ (C, tiles)
    out = (x.shape[2] + 2 * padding[0] - 2, x.shape[3] + 2 * padding[1] - 2)
    return np.ascontiguousarray(_untile(m, x.shape[0], out, grid)), (v, grid)


def input_gradient(dy, w, padding, x_shape):
    """dx: the full correlation of dy with the flipped kernel, channels swapped, i.e. the
    forward pass with padding 2 - P (which also crops back to H × W)."""
    flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    dx, _ = forward(dy, flipped, (2 - padding[0], 2 - padding[1]))
    return dx if dx.shape == tuple(x_shape) else np.ascontiguousarray(
        dx[:, :, :x_shape[2], :x_shape[3]])


def weight_gradient(dy, tiles):
    """dW = Gᵀ [Σ_tiles (A u Aᵀ) ⊙ V] G for the 2×2 blocks u of dy and the forward pass's
    transformed tiles V (16, tiles, C); returns (K, C, 3, 3)."""
    v, (th, tw) = tiles
    n, k, ho, wo = dy.shape
    blocks = np.zeros((n, k, 2 * th, 2 * tw), dtype=dy.dtype)
    blocks[:, :, :ho, :wo] = dy
    u = blocks.reshape(n, k, th, 2, tw, 2).transpose(3, 5, 1, 0, 2, 4)  # (row, col, K, ..)
    du = _along(A_T.T, _along(A_T.T, u, 0), 1)  # (col, row, K, N, th, tw) like the tiles
    m = np.matmul(du.reshape(16, k, -1), v)  # 16 × (K, tiles) @ (tiles, C)
    dw = np.einsum("ai,bakc,bj->kcij", G, m.reshape(4, 4, k, -1).astype(np.float64), G)
    return dw.astype(dy.dtype)
