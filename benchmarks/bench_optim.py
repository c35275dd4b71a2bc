"""asv benchmarks for one optimizer step on 10M float32 parameters, on every backend
(benchmarks/_backends.py), with our time over torch.optim's (foreach=True); the grid,
time_step, peakmem_step and track_ratio_step are _backends.OptimizerBenchmark's."""

from benchmarks import _backends


class SGD(_backends.OptimizerBenchmark):
    optimizer = "sgd"


class MomentumAverage(_backends.OptimizerBenchmark):
    optimizer = "momentum_average"


class Adagrad(_backends.OptimizerBenchmark):
    optimizer = "adagrad"


class RMSprop(_backends.OptimizerBenchmark):
    optimizer = "rmsprop"


class Adam(_backends.OptimizerBenchmark):
    optimizer = "adam"


class AdamW(_backends.OptimizerBenchmark):
    optimizer = "adamw"
