"""asv benchmarks for the cross-entropy of logits and class indices (the mean over the
rows), forward and forward+backward, on every backend (benchmarks/_backends.py), with our
time over PyTorch's on the same shape and device."""

from . import _asv


class CrossEntropy(_asv.LayerBenchmark):
    op = "cross_entropy"
