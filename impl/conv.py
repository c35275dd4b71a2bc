"""Convolution (catalog §2, docs/notes.md): conv2d, flatten and the residual block.

conv2d is the notes' cross-correlation [003][004]: no kernel flip, one kernel per input
channel summed with a bias, one output channel per kernel. All of its work is matrix
products, so it is laid out for NumPy's BLAS, by case:

- 1×1 at stride 1: a fully connected layer at every pixel [003], (K, C) @ (C, H·W) per
  image, NCHW in and out.
- everything else, any kernel, stride, dilation and groups: the shifted-slices GEMM below,
  over the stride phases of the flattened padded image, a few images at a time, one GEMM
  per group.

Each backward pass reuses its forward's layout: dW and dx are the two other products of
the same operands, and the scatter back to x is one contiguous or strided add per kernel
tap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import require_float, require_same_dtype, require_shape
from ._windows import conv_geometry, phase_length, phase_slices


def _geometry(x, w, stride, padding, dilation, groups):
    """Validate the arguments; return (stride, padding, dilation, output (Ho, Wo))."""
    require_float("x", x)
    require_float("w", w)
    require_same_dtype("w", w, x, "x")
    return conv_geometry(x.shape, w.shape, stride, padding, dilation, groups)


def _kernels_as_rows(w, groups):
    """w (K, C/groups, F_h, F_w) as (groups, K/groups, F_h·F_w·C/groups), each row in
    (tap i, tap j, channel) order, as the stacked slices are."""
    k, cg, fh, fw = w.shape
    return w.reshape(groups, k // groups, cg, fh, fw).transpose(0, 1, 3, 4, 2).reshape(
        groups, k // groups, fh * fw * cg)


# Any stride works on whole image rows. Split the zero-padded image into S_h × S_w phases
# (phase (a, b) holds rows a, a + S_h, ... and columns b, b + S_w, ...) and flatten each
# channel of each phase into one long row. Kernel tap (i, j) of output (h, w) reads padded
# pixel (S_h·h + d_h·i, S_w·w + d_w·j), which is pixel (h + d_h·i div S_h, w + d_w·j div
# S_w) of phase (d_h·i mod S_h, d_w·j mod S_w): for every output at once, one slice of
# that phase's row. The GEMM's operand is the F·F slices stacked, copied in runs of Ho·Wq
# values, a few images at a time so the stack stays in cache. The output comes out Wq wide;
# the last Wq - Wo columns of each row mix in the next row and are dropped.
CHUNK_BYTES = 4 << 20  # the stacked slices of one batch of images


@dataclass(frozen=True)
class _Phases:
    """The flat phases of a padded input and where each kernel tap reads them."""

    flat: np.ndarray  # (N, S_h·S_w, C, Hq·Wq + slack)
    width: int  # Wq, the length of one phase row
    taps: tuple  # (phase, shift) for every kernel tap (i, j), row-major
    out: tuple  # (Ho, Wo)

    @property
    def length(self) -> int:
        return self.out[0] * self.width  # one slice: Ho rows of the phase, Wq wide

    def stack(self, first: int, count: int, groups: int, into: np.ndarray) -> np.ndarray:
        """Images first..first+count as one GEMM operand per group, (groups, F·F·C/groups,
        count·Ho·Wq): in group g, row block t is the slice of each of g's channels for
        tap t, image after image."""
        c, length = self.flat.shape[2], self.length
        into = into[..., :count * length].reshape(groups, len(self.taps), c // groups, count,
                                                  length)
        for t, (phase, shift) in enumerate(self.taps):
            images = self.flat[first:first + count, phase, :, shift:shift + length]
            np.copyto(into[:, t], images.reshape(count, groups, -1, length).transpose(
                1, 2, 0, 3))
        return into.reshape(groups, -1, count * length)

    def scatter(self, grad: np.ndarray, first: int, count: int, dstack: np.ndarray) -> None:
        """The transpose of `stack`: add each tap's row blocks back where they were read."""
        groups, c, length = dstack.shape[0], self.flat.shape[2], self.length
        dstack = dstack.reshape(groups, len(self.taps), c // groups, count, length)
        for t, (phase, shift) in enumerate(self.taps):
            target = grad[first:first + count, phase, :, shift:shift + length]
            target.reshape(count, groups, -1, length)[...] += dstack[:, t].transpose(
                2, 0, 1, 3)


def _split_phases(x, kernel, stride, padding, dilation, out) -> _Phases:
    n, c, h, w = x.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    hq, wq = phase_length(h, sh, ph), phase_length(w, sw, pw)
    taps = tuple(((dh * i % sh) * sw + dw * j % sw, (dh * i // sh) * wq + dw * j // sw)
                 for i in range(kernel[0]) for j in range(kernel[1]))
    room = max(hq * wq, max(shift for _, shift in taps) + out[0] * wq)
    flat = np.zeros((n, sh * sw, c, room), dtype=x.dtype)
    for a, rows_in, rows_from in phase_slices(h, sh, ph):
        for b, cols_in, cols_from in phase_slices(w, sw, pw):
            phase = flat[:, a * sw + b, :, :hq * wq].reshape(n, c, hq, wq)
            phase[:, :, rows_in, cols_in] = x[:, :, rows_from, cols_from]
    return _Phases(flat, wq, taps, out)


def _join_phases(grad, x_shape, stride, padding) -> np.ndarray:
    """dx out of the gradient of the flat phases (the padding's share dropped)."""
    n, c, h, w = x_shape
    (sh, sw), (ph, pw) = stride, padding
    hq, wq = phase_length(h, sh, ph), phase_length(w, sw, pw)
    dx = np.empty(x_shape, dtype=grad.dtype)
    for a, rows_in, rows_from in phase_slices(h, sh, ph):
        for b, cols_in, cols_from in phase_slices(w, sw, pw):
            phase = grad[:, a * sw + b, :, :hq * wq].reshape(n, c, hq, wq)
            dx[:, :, rows_from, cols_from] = phase[:, :, rows_in, cols_in]
    return dx


def _chunks(n, per_image_bytes):
    """(first image, count) per chunk (none for an empty batch) and the largest count."""
    step = max(1, CHUNK_BYTES // max(1, per_image_bytes))
    return [(first, min(step, n - first)) for first in range(0, n, step)], min(step, n)


def _shifted_forward(x, w, bias, stride, padding, dilation, groups, out):
    n, k = x.shape[0], w.shape[0]
    phases = _split_phases(x, w.shape[2:], stride, padding, dilation, out)
    kernels = _kernels_as_rows(w, groups)  # (groups, K/groups, F_h·F_w·C/groups)
    rows = groups * kernels.shape[2]
    chunks, most = _chunks(n, rows * phases.length * x.itemsize)
    buffer = np.empty((groups, kernels.shape[2], most * phases.length), x.dtype)
    y = np.empty((n, k, *out), dtype=x.dtype)
    for first, count in chunks:
        wide = np.matmul(kernels, phases.stack(first, count, groups, buffer))
        wide = wide.reshape(k, count, out[0], phases.width)
        _to_nchw(wide[..., :out[1]], bias, y[first:first + count])
    return y, phases


def _shifted_backward(dy, w, phases, x_shape, stride, padding, groups):
    """dW = Σ dy_wide @ stackᵀ and dstack = Wᵀ dy_wide per group, chunk by chunk; each
    tap's blocks of dstack add back into the flat phases' gradient where they were read."""
    n, k = dy.shape[:2]
    (ho, wo), width, length = phases.out, phases.width, phases.length
    kernels = _kernels_as_rows(w, groups)
    dw = np.zeros(kernels.shape, dtype=dy.dtype)
    grad = np.zeros_like(phases.flat)
    chunks, most = _chunks(n, groups * kernels.shape[2] * length * dy.itemsize)
    buffer = np.empty((groups, kernels.shape[2], most * length), dtype=dy.dtype)
    for first, count in chunks:
        wide = np.zeros((k, count, ho, width), dtype=dy.dtype)  # 0 in the dropped columns
        wide[..., :wo] = dy[first:first + count].transpose(1, 0, 2, 3)
        wide = wide.reshape(groups, k // groups, count * length)
        stack = phases.stack(first, count, groups, buffer)
        dw += np.matmul(wide, stack.transpose(0, 2, 1))
        phases.scatter(grad, first, count, np.matmul(kernels.transpose(0, 2, 1), wide))
    dw = dw.reshape(k, *w.shape[2:], w.shape[1]).transpose(0, 3, 1, 2)
    return _join_phases(grad, x_shape, stride, padding), np.ascontiguousarray(dw)


def _to_nchw(product, bias, y):
    """y = the GEMM's (K, N, ...) result moved to (N, K, ...), plus the bias per kernel, in
    one pass."""
    product = product.swapaxes(0, 1)
    if bias is None:
        np.copyto(y, product)
    else:
        np.add(product, bias.reshape(-1, *[1] * (product.ndim - 2)), out=y)


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """y[n, k] = Σ_c Σ_ij x_pad[n, c, S·h + d·i, S·w + d·j] · w[k, c, i, j] + b[k]: the
    notes' sliding window without a kernel flip [003]; channels split into `groups`.

    x (N, C, H, W), w (K, C/groups, F_h, F_w), b (K,) or None; stride, padding (zeros)
    and dilation an int or an (h, w) pair. Returns y (N, K, Ho, Wo)."""
    stride, padding, dilation, out = _geometry(x, w, stride, padding, dilation, groups)
    if b is not None:
        require_float("b", b)
        require_same_dtype("b", b, x, "x")
        require_shape("b", b, (w.shape[0],), " (one bias per kernel)")
    n, k = x.shape[0], w.shape[0]
    if w.shape[2:] == (1, 1) and stride == (1, 1) and padding == (0, 0) and groups == 1:
        # A 1×1 convolution is a fully connected layer at every pixel [003]: per image,
        # (K, C) @ (C, H·W), which is NCHW in and NCHW out with no reshuffling.
        pixels = out[0] * out[1]  # not -1: an empty batch has no size to infer it from
        y = np.matmul(w[:, :, 0, 0], x.reshape(n, x.shape[1], pixels)).reshape(n, k, *out)
        if b is not None:
            y += b[:, None, None]
        saved = ("pointwise", x)
    else:
        y, saved = _shifted_forward(x, w, b, stride, padding, dilation, groups, out)
        saved = ("shifted", saved)
    return y, (x.shape, w, b is not None, stride, padding, dilation, groups, saved)


def conv2d_backward(dy, ctx):
    """dW = Σ dy ⊗ receptive field; dx scatters dy · W back over every window it came
    from (the full correlation with the flipped kernel); db = Σ dy over N, H, W."""
    x_shape, w, has_bias, stride, padding, dilation, groups, (method, saved) = ctx
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    if method == "pointwise":
        n, k, pixels = *dy.shape[:2], dy.shape[2] * dy.shape[3]
        rows_dy, rows_x = dy.reshape(n, k, pixels), saved.reshape(n, saved.shape[1], pixels)
        dx = np.matmul(w[:, :, 0, 0].T, rows_dy).reshape(x_shape)
        dw = np.einsum("nkp,ncp->kc", rows_dy, rows_x, optimize=True)[:, :, None, None]
        return dx, np.ascontiguousarray(dw), db
    dx, dw = _shifted_backward(dy, w, saved, x_shape, stride, padding, groups)
    return dx, dw, db


# --- flatten -----------------------------------------------------------------------------


def flatten_forward(x, start_dim=1):
    """Join every axis from `start_dim` on into one, so a conv stack's (N, C, H, W) output
    feeds a fully connected layer as (N, C·H·W) [000][003]."""
    require_float("x", x)
    if isinstance(start_dim, bool) or not isinstance(start_dim, int | np.integer):
        raise TypeError(f"start_dim: expected an int, got {start_dim!r}")
    if not -max(x.ndim, 1) <= start_dim < max(x.ndim, 1):
        raise ValueError(f"start_dim: expected an axis of x's {x.ndim} dims, got {start_dim}")
    start = start_dim % max(x.ndim, 1)
    joined = math.prod(x.shape[start:])  # not -1: an empty batch has no size to infer it from
    return x.reshape(*x.shape[:start], joined).copy(), x.shape


def flatten_backward(dy, x_shape):
    """The gradient is dy put back in x's shape."""
    return (dy.reshape(x_shape).copy(),)


# --- residual block ----------------------------------------------------------------------


def _relu(z):
    return np.maximum(z, 0)


def residual_block_forward(x, w1, b1, w2, b2):
    """a[l+2] = relu(z[l+2] + a[l]) with z[l+2] = conv(relu(conv(a[l], W1) + b1), W2) + b2
    [003]: "same" convolutions (stride 1, P = (F - 1)/2, F odd) keep the shape, so the
    skip adds a[l] as it is. w1 (C_mid, C, F, F), w2 (C, C_mid, F, F)."""
    require_float("x", x)
    if x.ndim != 4:
        raise ValueError(f"x: expected shape (N, C, H, W), got {x.shape}")
    for name, w in (("w1", w1), ("w2", w2)):
        require_float(name, w)
        require_same_dtype(name, w, x, "x")
        if w.ndim != 4 or w.shape[2] != w.shape[3] or w.shape[2] % 2 == 0:
            raise ValueError(f"{name}: expected an odd square kernel (C_out, C_in, F, F), "
                             f"got shape {w.shape}")
    if w1.shape[1] != x.shape[1]:
        raise ValueError(f"w1: expected x's {x.shape[1]} input channels, got shape {w1.shape}")
    require_shape("w2", w2, (x.shape[1], w1.shape[0], *w1.shape[2:]),
                  " (x's channels out, w1's in, w1's kernel: the skip adds x as it is)")
    for name, b, w in (("b1", b1, w1), ("b2", b2, w2)):
        require_float(name, b)
        require_same_dtype(name, b, x, "x")
        require_shape(name, b, (w.shape[0],), f" (one per kernel of w{name[1]})")
    same = w1.shape[2] // 2
    z1, conv1 = conv2d_forward(x, w1, b1, padding=same)
    a1 = _relu(z1)
    z2, conv2 = conv2d_forward(a1, w2, b2, padding=same)
    y = _relu(z2 + x)
    return y, (conv1, conv2, z1 > 0, y > 0)


def residual_block_backward(dy, ctx):
    """Back through the outer relu, then both paths: the skip passes dz straight to x, the
    convolutions chain their own backward passes through the inner relu."""
    conv1, conv2, inner_open, outer_open = ctx
    dz = dy * outer_open
    da1, dw2, db2 = conv2d_backward(dz, conv2)
    dx_conv, dw1, db1 = conv2d_backward(da1 * inner_open, conv1)
    return dx_conv + dz, dw1, db1, dw2, db2
