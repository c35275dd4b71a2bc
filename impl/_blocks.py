"""Elementwise and channel-wise rules applied to big arrays a block at a time.

A NumPy formula such as `beta1 * m + (1 - beta1) * grad` makes a full-size temporary for
each operator. On arrays larger than the caches (an optimizer's 10M parameters), every
temporary is one more trip through main memory, and one more fresh allocation whose
pages the kernel must fault in and zero: that, not the arithmetic, is the time. The
same formula run on blocks of BLOCK elements keeps its temporaries in the L2 cache, where
malloc hands the same memory back for the next block. The values are the same bit for
bit: every operation is elementwise (or within one channel), so it does not matter how
the arrays are cut.

Blocks are independent, so they can also run on several threads: NumPy lets go of the
GIL inside each operation. The count is OMP_NUM_THREADS, the variable the harness and
`nnconform bench --threads` set for every library, else 1, so nnconform.impl never takes
more cores than it was given.
"""

from __future__ import annotations

import contextvars
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BLOCK = 1 << 15  # elements: 128 KB of float32 per operand, a few of them fit in L2
# elements: 2 MB of float32. Smaller channel groups (one channel of a 32 × 32 image's
# pooling a group) ran slower than the whole arrays did.
CHANNEL_BLOCK = 1 << 19
_POOLS: dict[int, ThreadPoolExecutor] = {}
# A forked child inherits the pools but not their threads: it starts its own.
os.register_at_fork(after_in_child=_POOLS.clear)


def threads() -> int:
    """OMP_NUM_THREADS if it is a positive count, else 1."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _each(run, starts: range) -> None:
    """run(start) for every start, on threads() threads, each a contiguous share; in the
    caller's context (NumPy's errstate lives in a context variable)."""
    count = min(threads(), len(starts))
    if count == 1:
        for start in starts:
            run(start)
        return
    pool = _POOLS.setdefault(count, ThreadPoolExecutor(count, "nnconform-blocks"))

    def share(k):
        for start in starts[k::count]:
            run(start)

    futures = [pool.submit(contextvars.copy_context().run, share, k) for k in range(count)]
    for future in futures:
        future.result()  # re-raises a rule's error here


def _blockwise(rule, arrays, length: int, step: int, axis_of):
    """rule on the arrays' blocks [start, start + step) for start in range(0, length, step),
    each array cut along its axis_of(array); the results are assembled the same way."""

    def at(a, block):
        return (slice(None),) * axis_of(a) + (block,)

    first = rule(*(a[at(a, slice(0, step))] for a in arrays))  # its dtypes size the results
    results = []
    for part in first:
        shape = list(part.shape)
        shape[axis_of(part)] = length
        results.append(np.empty(shape, part.dtype))

    def run(start):
        block = slice(start, start + step)
        parts = rule(*(a[at(a, block)] for a in arrays)) if start else first
        for result, part in zip(results, parts, strict=True):
            result[at(result, block)] = part

    _each(run, range(0, length, step))
    return results


def in_blocks(rule, *arrays):
    """rule(*arrays), a tuple of arrays of the operands' common shape, computed BLOCK
    elements at a time (arrays no larger than a block go to the rule whole)."""
    size, shape = arrays[0].size, arrays[0].shape
    if size <= BLOCK:
        return rule(*arrays)
    flat = [np.ravel(a) for a in arrays]  # a view unless the array is not contiguous
    return tuple(r.reshape(shape) for r in _blockwise(rule, flat, size, BLOCK, lambda a: 0))


def in_row_blocks(rule, *arrays):
    """rule(*arrays) for a rule that works row by row (a norm over each example's values):
    operands and results (R, ...) cut along axis 0 into groups of whole rows, about
    CHANNEL_BLOCK elements of the first operand each (groups of BLOCK elements, a few
    dozen rows, ran slower: a row's reductions are short there)."""
    rows = arrays[0].shape[0]
    step = max(1, CHANNEL_BLOCK // max(1, arrays[0].size // max(1, rows)))
    if rows <= step:
        return rule(*arrays)
    return tuple(_blockwise(rule, arrays, rows, step, lambda a: 0))


def in_channel_blocks(rule, *arrays):
    """rule(*arrays) for a rule that works channel by channel (average pooling): the
    operands and results have their channels on axis 1 (x (N, C, ...), or a vector shaped
    to broadcast with it) or axis 0 (a vector (C,)); computed on groups of whole channels,
    about CHANNEL_BLOCK elements of the first operand each."""
    x = arrays[0]
    channels = x.shape[1]
    step = max(1, CHANNEL_BLOCK // max(1, x.size // max(1, channels)))
    if channels <= step:
        return rule(*arrays)
    return tuple(_blockwise(rule, arrays, channels, step, lambda a: 0 if a.ndim == 1 else 1))
