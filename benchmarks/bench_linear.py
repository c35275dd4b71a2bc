"""asv benchmarks for the linear layer y = x Wᵀ + b, forward and forward+backward, on every
backend (benchmarks/_backends.py), with our time over torch's on the same shape."""

from . import _asv


class Linear(_asv.LayerBenchmark):
    op = "linear"
