"""asv benchmarks for conv2d, forward and forward+backward, float32, on the shapes of the
convolution issue and every backend (benchmarks/_backends.py), with our time over torch's
on the same shape (benchmarks/vs_torch.py prints a fuller comparison)."""

from benchmarks import _backends, _cases


class Conv2d(_backends.LayerMemoryBenchmark):
    op = "conv2d"
    params = [[_backends.label(shape) for shape in _cases.CONV_SHAPES], ["float32"],
              _backends.BACKENDS]
    param_names = ["N-C-H-W-K-F-S-P", "dtype", "backend"]
    timeout = 120
