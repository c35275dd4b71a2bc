"""Per-channel sums, the reduction behind a bias gradient (linear, conv2d) and batch norm's
statistics and backward. A tensor is seen as (outer, C, inner), channel c's elements being
x[o, c, i] for every o and i; each channel is split into chunks summed by separate
programs, then the chunks' partial sums by a second launch of the same kernel."""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from ._runtime import INTERPRET

SUM, PRODUCT, CENTRED_SQUARE = range(3)
BLOCK = 1024
# Programs per channel: enough to fill a GPU when C is small; one under the interpreter,
# which runs programs one after another.
CHUNKS = 1 if INTERPRET else 64


@triton.jit
def _channel_sums_kernel(a_ptr, b_ptr, shift_ptr, scale_ptr, out_ptr, C, inner, count,
                         per_chunk, MODE: tl.constexpr, SCALED: tl.constexpr,
                         BLOCK: tl.constexpr):
    """out[c, chunk] = Σ over the chunk's share of channel c of a (SUM), a·(b - shift[c])
    (PRODUCT) or (a - shift[c])², times scale[c] when SCALED."""
    c = tl.program_id(0)
    chunk = tl.program_id(1)
    begin = chunk.to(tl.int64) * per_chunk
    end = tl.minimum(begin + per_chunk, count)
    acc = tl.zeros((BLOCK,), dtype=out_ptr.dtype.element_ty)
    if MODE != 0:
        shift = tl.load(shift_ptr + c)
    for start in range(begin, end, BLOCK):
        q = start + tl.arange(0, BLOCK)
        inside = q < end
        address = (q // inner) * C * inner + c * inner + q % inner
        a = tl.load(a_ptr + address, mask=inside, other=0.0)
        if MODE == 1:
            b = tl.load(b_ptr + address, mask=inside, other=0.0)
            a = a * tl.where(inside, b - shift, 0.0)
        elif MODE == 2:
            a = tl.where(inside, a - shift, 0.0)
            a = a * a
        acc += a
    result = tl.sum(acc, axis=0)
    if SCALED:
        result = result * tl.load(scale_ptr + c)
    tl.store(out_ptr + c * tl.num_programs(1) + chunk, result)


def _launch(a, b, shift, scale, outer: int, channels: int, inner: int, mode: int,
            chunks: int):
    count = outer * inner
    chunks = max(1, min(chunks, triton.cdiv(count, BLOCK)))
    per_chunk = triton.cdiv(max(count, 1), chunks)
    out = torch.empty((channels, chunks), dtype=a.dtype, device=a.device)
    if channels:
        scaled = scale is not None and chunks == 1  # the last stage scales
        _channel_sums_kernel[(channels, chunks)](
            a, b, shift, scale if scaled else out, out, channels, inner, count, per_chunk,
            MODE=mode, SCALED=scaled, BLOCK=BLOCK)
    return out, chunks


def channel_sums(a, outer: int, channels: int, inner: int, mode: int = SUM, b=None,
                 shift=None, scale=None) -> torch.Tensor:
    """The (C,) sums over each channel of contiguous a seen as (outer, C, inner), of a,
    a·(b - shift) or (a - shift)² by `mode`, each times scale[c] if a scale is given; b
    has a's layout, shift and scale are (C,) tensors of a's dtype."""
    b = a if b is None else b
    shift = a if shift is None else shift  # unread in SUM mode
    partial, chunks = _launch(a, b, shift, scale, outer, channels, inner, mode, CHUNKS)
    if chunks > 1:
        partial, _ = _launch(partial, partial, partial, scale, 1, channels, chunks, SUM, 1)
    return partial.reshape(channels)


def total(a) -> torch.Tensor:
    """Σ a over every element, as a 0-d tensor of a's dtype."""
    return channel_sums(a.reshape(-1), outer=1, channels=1, inner=a.numel()).reshape(())
