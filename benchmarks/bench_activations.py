"""asv benchmarks for the activations, forward and forward+backward, on every backend
(benchmarks/_backends.py): the elementwise ones and softmax and log_softmax along the last
axis, with our time over PyTorch's on the same shape and device."""

from . import _asv


class Sigmoid(_asv.LayerBenchmark):
    op = "sigmoid"


class Tanh(_asv.LayerBenchmark):
    op = "tanh"


class Relu(_asv.LayerBenchmark):
    op = "relu"


class LeakyRelu(_asv.LayerBenchmark):
    op = "leaky_relu"


class Softmax(_asv.LayerBenchmark):
    op = "softmax"


class LogSoftmax(_asv.LayerBenchmark):
    op = "log_softmax"
