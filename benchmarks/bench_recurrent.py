"""asv benchmarks for a one-layer LSTM over a whole sequence, forward and forward+backward
(backpropagation through time), float32, on every backend (benchmarks/_backends.py), with
our time over torch's on the same shape."""

from . import _asv


class LSTM(_asv.LayerMemoryBenchmark):
    op = "lstm"
    timeout = 180
