"""asv benchmarks for softmax along the last axis, forward and forward+backward, on every
backend (benchmarks/_backends.py), with our time over torch's on the same shape."""

from benchmarks import _backends, _cases


class Softmax(_backends.LayerBenchmark):
    op = "softmax"
    params = [[_backends.label(shape) for shape in _cases.SOFTMAX_SHAPES],
              ["float32", "float64"], _backends.BACKENDS]
    param_names = ["N-D", "dtype", "backend"]
    timeout = 60
