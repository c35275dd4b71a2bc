"""asv benchmarks for softmax along the last axis, forward and forward+backward, on every
backend (benchmarks/_backends.py), with our time over torch's on the same shape."""

from benchmarks import _backends


class Softmax(_backends.LayerBenchmark):
    op = "softmax"
    timeout = 60
