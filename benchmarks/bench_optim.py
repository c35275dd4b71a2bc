"""asv benchmarks for one optimizer step on 10M float32 parameters, on every backend
(benchmarks/_backends.py), with our time over torch.optim's (foreach=True); the grid,
time_step, peakmem_step and track_ratio_step are _asv.OptimizerBenchmark's."""

from . import _asv


class SGD(_asv.OptimizerBenchmark):
    optimizer = "sgd"


class MomentumAverage(_asv.OptimizerBenchmark):
    optimizer = "momentum_average"


class Adagrad(_asv.OptimizerBenchmark):
    optimizer = "adagrad"


class RMSprop(_asv.OptimizerBenchmark):
    optimizer = "rmsprop"


class Adam(_asv.OptimizerBenchmark):
    optimizer = "adam"


class AdamW(_asv.OptimizerBenchmark):
    optimizer = "adamw"
