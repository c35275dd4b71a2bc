"""asv benchmarks for batch norm in train mode, forward and forward+backward, float32, on
every backend (benchmarks/_backends.py), with our time over torch's on the same shape."""

from benchmarks import _backends, _cases


class BatchNorm(_backends.LayerMemoryBenchmark):
    op = "batch_norm"
    params = [[_backends.label(shape) for shape in _cases.NORM_SHAPES], ["float32"],
              _backends.BACKENDS]
    param_names = ["N-C-H-W or N-F", "dtype", "backend"]
    timeout = 60
