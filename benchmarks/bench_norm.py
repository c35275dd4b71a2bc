"""asv benchmarks for batch norm in train mode, forward and forward+backward, float32, on
every backend (benchmarks/_backends.py), with our time over torch's on the same shape."""

from . import _asv


class BatchNorm(_asv.LayerMemoryBenchmark):
    op = "batch_norm"
