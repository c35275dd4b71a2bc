"""asv benchmarks for max and average pooling, forward and forward+backward, float32, on
ResNet's stem pool and a plain 2×2 halving and every backend (benchmarks/_backends.py),
with our time over torch's on the same shape."""

from . import _asv


class MaxPool2d(_asv.LayerMemoryBenchmark):
    op = "max_pool2d"
    timeout = 120


class AvgPool2d(_asv.LayerMemoryBenchmark):
    op = "avg_pool2d"
    timeout = 120
