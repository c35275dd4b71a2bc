"""Window geometry shared by convolution and pooling: (h, w) pairs and the output size."""

from __future__ import annotations

import operator


def pair(name: str, value, minimum: int) -> tuple[int, int]:
    """An int or an (h, w) pair of ints >= minimum, as an (h, w) pair of Python ints;
    TypeError or ValueError naming `name` otherwise."""
    try:
        values = (value, value) if not isinstance(value, tuple | list) else tuple(value)
        values = tuple(operator.index(v) for v in values if not isinstance(v, bool))
    except TypeError:
        values = ()
    if len(values) != 2:
        raise TypeError(f"{name}: expected an int or an (h, w) pair of ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name}: expected values >= {minimum}, got {value!r}")
    return values


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """floor((H + 2P - dilation·(F - 1) - 1)/S) + 1; the notes' (H + 2P - F)/S + 1 rounded
    down at dilation 1 [003][004]."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def phase_slices(size: int, stride: int, padding: int):
    """Split one axis of a zero-padded input into `stride` phases, phase r holding padded
    positions r, r + S, r + 2S, ...; yield (r, where the input's own positions sit in the
    phase, which input positions they are), as slices. Padded position r + S·t is input
    position r + S·t - P; every input position lands in exactly one phase."""
    for r in range(stride):
        first = -(-(padding - r) // stride) if padding > r else 0  # the first t inside
        start = r + stride * first - padding
        count = len(range(start, size, stride))
        yield r, slice(first, first + count), slice(start, None, stride)


def phase_length(size: int, stride: int, padding: int) -> int:
    """The length of every phase: ceil((size + 2P)/S)."""
    return -(-(size + 2 * padding) // stride)
