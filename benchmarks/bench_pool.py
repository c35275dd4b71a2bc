"""asv benchmarks for max and average pooling, forward and forward+backward, float32, on
ResNet's stem pool and a plain 2×2 halving and every backend (benchmarks/_backends.py),
with our time over torch's on the same shape."""

from benchmarks import _backends, _cases

SHAPES = [_backends.label(shape) for shape in _cases.POOL_SHAPES]


class MaxPool2d(_backends.LayerMemoryBenchmark):
    op = "max_pool2d"
    params = [SHAPES, ["float32"], _backends.BACKENDS]
    param_names = ["N-C-H-W-k-s-p", "dtype", "backend"]
    timeout = 120


class AvgPool2d(_backends.LayerMemoryBenchmark):
    op = "avg_pool2d"
    params = [SHAPES, ["float32"], _backends.BACKENDS]
    param_names = ["N-C-H-W-k-s-p", "dtype", "backend"]
    timeout = 120
