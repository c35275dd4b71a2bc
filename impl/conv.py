"""Convolution (CATALOG section 2): conv2d, flatten and the residual block.

conv2d is the notes' cross-correlation [003][004]: no kernel flip, one kernel per input
channel summed with a bias, one output channel per kernel. All of its work is matrix
products, so it is laid out for NumPy's BLAS, by case:

- 1×1 at stride 1: a fully connected layer at every pixel [003], (K, C) @ (C, H·W) per
  image, NCHW in and out.
- ungrouped, any kernel, stride and dilation: the shifted-slices GEMM below, over the
  stride phases of the flattened padded image, a few images at a time.
- grouped: im2col on a channels-last copy, one GEMM per group.

Each backward pass reuses its forward's layout: dW and dx are the two other products of
the same operands, and the scatter back to x is one contiguous or strided add per kernel
tap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._checks import require_float, require_same_dtype, require_shape
from ._windows import output_size, pair, phase_length, phase_slices


def _geometry(x, w, stride, padding, dilation, groups):
    """Validate the arguments; return (stride, padding, dilation, output (Ho, Wo))."""
    require_float("x", x)
    require_float("w", w)
    require_same_dtype("w", w, x, "x")
    if x.ndim != 4:
        raise ValueError(f"x: expected shape (N, C, H, W), got {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"w: expected shape (C_out, C_in/groups, F_h, F_w), got {w.shape}")
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer) or groups < 1:
        raise ValueError(f"groups: expected a positive int, got {groups!r}")
    channels, kernels = x.shape[1], w.shape[0]
    if channels % groups or kernels % groups:
        raise ValueError(f"groups: {groups} must divide both x's channels ({channels}) and "
                         f"w's output channels ({kernels})")
    if w.shape[1] != channels // groups:
        raise ValueError(f"w: expected {channels // groups} input channels per kernel "
                         f"(x's {channels} channels / groups={groups}), got shape {w.shape}")
    stride = pair("stride", stride, 1)
    padding = pair("padding", padding, 0)
    dilation = pair("dilation", dilation, 1)
    out = tuple(output_size(*axis) for axis in
                zip(x.shape[2:], w.shape[2:], stride, padding, dilation, strict=True))
    if min(out) < 1:
        raise ValueError(f"w: a kernel of {w.shape[2:]} (dilation {dilation}) does not fit "
                         f"x's {x.shape[2:]} padded by {padding}: output size {out}")
    return stride, padding, dilation, out


def _pad_channels_last(x, padding):
    """x (N, C, H, W) as a zero-padded channels-last copy (N, H + 2P_h, W + 2P_w, C)."""
    n, c, h, w = x.shape
    ph, pw = padding
    padded = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
    padded[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
    return padded


def _im2col(padded, kernel, stride, dilation, out, groups):
    """Rows of receptive fields: (groups, N·Ho·Wo, F_h·F_w·C/groups), each row ordered
    (kernel row, kernel column, channel) as the channels-last layout stores it."""
    n, _, _, c = padded.shape
    s_n, s_h, s_w, s_c = padded.strides
    fields = as_strided(
        padded,
        shape=(n, *out, *kernel, groups, c // groups),
        strides=(s_n, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1],
                 s_c * (c // groups), s_c),
        writeable=False,
    )
    rows = n * out[0] * out[1]
    return np.moveaxis(fields, 5, 0).reshape(groups, rows, -1)


def _kernels_as_rows(w, groups):
    """w (K, C/groups, F_h, F_w) as (groups, K/groups, F_h·F_w·C/groups), in im2col order."""
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

    def stack(self, first: int, count: int, into: np.ndarray) -> np.ndarray:
        """Images first..first+count as one GEMM operand (F·F·C, count·Ho·Wq): row block t
        is every channel's slice for tap t, image after image."""
        c, length = self.flat.shape[2], self.length
        into = into[:, :count * length].reshape(len(self.taps), c, count, length)
        for block, (phase, shift) in zip(into, self.taps, strict=True):
            images = self.flat[first:first + count, phase, :, shift:shift + length]
            np.copyto(block, images.transpose(1, 0, 2))
        return into.reshape(len(self.taps) * c, count * length)

    def scatter(self, grad: np.ndarray, first: int, count: int, dstack: np.ndarray) -> None:
        """The transpose of `stack`: add each tap's row block back where it was read."""
        c, length = self.flat.shape[2], self.length
        dstack = dstack.reshape(len(self.taps), c, count, length)
        for block, (phase, shift) in zip(dstack, self.taps, strict=True):
            grad[first:first + count, phase, :, shift:shift + length] += block.transpose(
                1, 0, 2)


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
    step = max(1, CHUNK_BYTES // max(1, per_image_bytes))
    return [(first, min(step, n - first)) for first in range(0, n, step)]


def _shifted_forward(x, w, bias, stride, padding, dilation, out):
    n, k = x.shape[0], w.shape[0]
    phases = _split_phases(x, w.shape[2:], stride, padding, dilation, out)
    kernels = _kernels_as_rows(w, 1)[0]  # (K, F_h·F_w·C) in (i, j, c) order
    chunks = _chunks(n, kernels.shape[1] * phases.length * x.itemsize)
    buffer = np.empty((kernels.shape[1], chunks[0][1] * phases.length), dtype=x.dtype)
    y = np.empty((n, k, *out), dtype=x.dtype)
    for first, count in chunks:
        wide = kernels @ phases.stack(first, count, buffer)
        wide = wide.reshape(k, count, out[0], phases.width)
        _to_nchw(wide[..., :out[1]], bias, y[first:first + count])
    return y, phases


def _shifted_backward(dy, w, phases, x_shape, stride, padding):
    """dW = Σ dy_wide @ stackᵀ and dstack = Wᵀ dy_wide, chunk by chunk; each tap's block
    of dstack adds back into the flat phases' gradient where the tap read them."""
    n, k = dy.shape[:2]
    (ho, wo), width, length = phases.out, phases.width, phases.length
    kernels = _kernels_as_rows(w, 1)[0]
    dw = np.zeros(kernels.shape, dtype=dy.dtype)
    grad = np.zeros_like(phases.flat)
    chunks = _chunks(n, kernels.shape[1] * length * dy.itemsize)
    buffer = np.empty((kernels.shape[1], chunks[0][1] * length), dtype=dy.dtype)
    for first, count in chunks:
        wide = np.zeros((k, count, ho, width), dtype=dy.dtype)  # 0 in the dropped columns
        wide[..., :wo] = dy[first:first + count].transpose(1, 0, 2, 3)
        wide = wide.reshape(k, count * length)
        dw += wide @ phases.stack(first, count, buffer).T
        phases.scatter(grad, first, count, kernels.T @ wide)
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
        y = np.matmul(w[:, :, 0, 0], x.reshape(n, x.shape[1], -1)).reshape(n, k, *out)
        if b is not None:
            y += b[:, None, None]
        saved = ("pointwise", x)
    elif groups == 1:
        y, saved = _shifted_forward(x, w, b, stride, padding, dilation, out)
        saved = ("shifted", saved)
    else:
        cols = _im2col(_pad_channels_last(x, padding), w.shape[2:], stride, dilation, out,
                       groups)
        # (groups, K/groups, N·Ho·Wo): one GEMM per group, then back to NCHW.
        product = np.matmul(_kernels_as_rows(w, groups), cols.transpose(0, 2, 1))
        y = np.empty((n, k, out[0] * out[1]), dtype=x.dtype)
        _to_nchw(product.reshape(k, n, -1), b, y)
        y = y.reshape(n, k, *out)
        saved = ("im2col", cols)
    return y, (x.shape, w, b is not None, stride, padding, dilation, groups, saved)


def conv2d_backward(dy, ctx):
    """dW = Σ dy ⊗ receptive field; dx scatters dy · W back over every window it came
    from (the full correlation with the flipped kernel); db = Σ dy over N, H, W."""
    x_shape, w, has_bias, stride, padding, dilation, groups, (method, saved) = ctx
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    if method == "pointwise":
        n, k = dy.shape[:2]
        rows_dy, rows_x = dy.reshape(n, k, -1), saved.reshape(n, saved.shape[1], -1)
        dx = np.matmul(w[:, :, 0, 0].T, rows_dy).reshape(x_shape)
        dw = np.einsum("nkp,ncp->kc", rows_dy, rows_x, optimize=True)[:, :, None, None]
        return dx, np.ascontiguousarray(dw), db
    if method == "shifted":
        dx, dw = _shifted_backward(dy, w, saved, x_shape, stride, padding)
        return dx, dw, db
    dx, dw = _im2col_backward(dy, w, saved, x_shape, stride, padding, dilation, groups)
    return dx, dw, db


def _im2col_backward(dy, w, cols, x_shape, stride, padding, dilation, groups):
    """dW = dy_rows @ cols per group; dcols = Wᵀ dy_rows scattered back (col2im) with one
    strided add per kernel offset."""
    n, c, h, width = x_shape
    k, cg, fh, fw = w.shape
    ho, wo = dy.shape[2:]
    # dy as (groups, K/groups, N·Ho·Wo), the layout both products want.
    dy_rows = np.ascontiguousarray(dy.reshape(n, k, ho * wo).transpose(1, 0, 2)).reshape(
        groups, k // groups, -1)
    dw = np.matmul(dy_rows, cols)  # (groups, K/groups, F_h·F_w·C/groups)
    dw = dw.reshape(k, fh, fw, cg).transpose(0, 3, 1, 2).copy()
    dcols = np.matmul(_kernels_as_rows(w, groups).transpose(0, 2, 1), dy_rows)
    dcols = dcols.reshape(groups, fh, fw, cg, n, ho, wo)
    (ph, pw), (sh, sw), (dh, dw_) = padding, stride, dilation
    grad = np.zeros((n, groups, cg, h + 2 * ph, width + 2 * pw), dtype=dy.dtype)
    for i in range(fh):
        for j in range(fw):
            rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
            columns = slice(j * dw_, j * dw_ + sw * (wo - 1) + 1, sw)
            grad[:, :, :, rows, columns] += dcols[:, i, j].transpose(2, 0, 1, 3, 4)
    dx = grad.reshape(n, c, h + 2 * ph, width + 2 * pw)[:, :, ph:ph + h, pw:pw + width]
    return np.ascontiguousarray(dx), dw


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
    return x.reshape(*x.shape[:start], -1).copy(), x.shape


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
    for name, w in (("w1", w1), ("w2", w2)):
        require_float(name, w)
        if w.ndim != 4 or w.shape[2] != w.shape[3] or w.shape[2] % 2 == 0:
            raise ValueError(f"{name}: expected an odd square kernel (C_out, C_in, F, F), "
                             f"got shape {w.shape}")
    if w1.shape[2:] != w2.shape[2:]:
        raise ValueError(f"w2: expected w1's kernel size {w1.shape[2:]}, got {w2.shape[2:]}")
    if x.ndim != 4 or w2.shape[0] != x.shape[1]:
        raise ValueError(f"w2: the block must return x's channels; x {x.shape}, w2 {w2.shape}")
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
