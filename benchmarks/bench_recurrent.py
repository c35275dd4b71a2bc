"""asv benchmarks for a one-layer LSTM over a whole sequence, forward and forward+backward
(backpropagation through time), float32, on every backend (benchmarks/_backends.py), with
our time over torch's on the same shape."""

from benchmarks import _backends, _cases


class LSTM(_backends.LayerMemoryBenchmark):
    op = "lstm"
    params = [[_backends.label(shape) for shape in _cases.LSTM_SHAPES], ["float32"],
              _backends.BACKENDS]
    param_names = ["T-N-I-H", "dtype", "backend"]
    timeout = 180
