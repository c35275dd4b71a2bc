"""asv benchmarks for the linear layer y = x Wᵀ + b, forward and forward+backward, on every
backend (benchmarks/_backends.py), with our time over torch's on the same shape."""

from benchmarks import _backends, _cases


class Linear(_backends.LayerBenchmark):
    op = "linear"
    params = [[_backends.label(shape) for shape in _cases.LINEAR_SHAPES],
              ["float32", "float64"], _backends.BACKENDS]
    param_names = ["N-in-out", "dtype", "backend"]
    timeout = 60
