"""asv benchmarks for softmax along the last axis, forward and forward+backward, on every
backend (benchmarks/_backends.py), with our time over torch's on the same shape."""

from benchmarks import _asv


class Softmax(_asv.LayerBenchmark):
    op = "softmax"
    timeout = 60
