"""An elementwise rule applied to big arrays a block at a time.

A NumPy formula such as `beta1 * m + (1 - beta1) * grad` makes a full-size temporary for
each operator. On arrays larger than the caches (an optimizer's 10M parameters), every
temporary is one more trip through main memory, and one more fresh allocation whose
pages the kernel must fault in and zero: that, not the arithmetic, is the time. The
same formula run on blocks of BLOCK elements keeps its temporaries in the L2 cache, where
malloc hands the same memory back for the next block. The values are the same bit for
bit: every operation is elementwise, so it does not matter how the arrays are cut.
"""

from __future__ import annotations

import numpy as np

BLOCK = 1 << 15  # elements: 128 KB of float32 per operand, a few of them fit in L2


def in_blocks(rule, *arrays):
    """rule(*arrays), a tuple of arrays of the operands' common shape, computed BLOCK
    elements at a time (arrays no larger than a block go to the rule whole)."""
    size, shape = arrays[0].size, arrays[0].shape
    if size <= BLOCK:
        return rule(*arrays)
    flat = [np.ravel(a) for a in arrays]  # a view unless the array is not contiguous
    results = None
    for start in range(0, size, BLOCK):
        block = slice(start, start + BLOCK)
        parts = rule(*(a[block] for a in flat))
        if results is None:
            results = [np.empty(size, part.dtype) for part in parts]
        for result, part in zip(results, parts, strict=True):
            result[block] = part
    return tuple(result.reshape(shape) for result in results)


def in_row_blocks(rule, *arrays):
    """rule(*arrays) for a rule that works along the last axis (a softmax over each row),
    computed on blocks of whole rows, about BLOCK elements each. The arrays share their
    shape; the results keep it."""
    shape = arrays[0].shape
    row = shape[-1] if shape else 1
    rows = arrays[0].size // row if row else 0
    step = max(1, BLOCK // max(row, 1))
    if rows <= step:
        return rule(*arrays)
    matrices = [a.reshape(rows, row) for a in arrays]  # a view unless not contiguous
    results = None
    for start in range(0, rows, step):
        block = slice(start, start + step)
        parts = rule(*(m[block] for m in matrices))
        if results is None:
            results = [np.empty((rows, row), part.dtype) for part in parts]
        for result, part in zip(results, parts, strict=True):
            result[block] = part
    return tuple(result.reshape(shape) for result in results)
