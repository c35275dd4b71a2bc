"""asv benchmarks for conv2d, forward and forward+backward, float32, on the shapes of the
convolution issue and every backend (benchmarks/_backends.py), with our time over torch's
on the same shape."""

from . import _asv


class Conv2d(_asv.LayerMemoryBenchmark):
    op = "conv2d"
    timeout = 120
