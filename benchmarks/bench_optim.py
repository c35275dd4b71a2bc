"""asv benchmarks for one optimizer step on 10M float32 parameters (benchmarks/vs_torch.py
--only optim prints the ratios to torch.optim)."""

import numpy as np

import impl

SIZE = 10_000_000
# name -> hyperparameters of NAME_step (lr included); NAME_init takes the others.
OPTIMIZERS = {
    "sgd": {"lr": 0.01},
    "momentum_average": {"lr": 0.01, "beta": 0.9},
    "nesterov": {"lr": 0.01, "beta": 0.9},
    "adagrad": {"lr": 0.01},
    "adadelta": {"lr": 1.0},
    "rmsprop": {"lr": 0.01},
    "adam": {"lr": 1e-3},
    "adamw": {"lr": 1e-3, "weight_decay": 0.01},
}


class OptimizerStep:
    params = [list(OPTIMIZERS)]
    param_names = ["optimizer"]

    def setup(self, name):
        rng = np.random.default_rng(0)
        self.param = rng.standard_normal(SIZE, dtype=np.float32)
        self.grad = rng.standard_normal(SIZE, dtype=np.float32)
        self.hyper = OPTIMIZERS[name]
        init_hyper = {key: value for key, value in self.hyper.items() if key != "lr"}
        self.state = getattr(impl, f"{name}_init")(self.param, **init_hyper)
        self.step = getattr(impl, f"{name}_step")

    def time_step(self, name):
        self.step(self.param, self.grad, self.state, **self.hyper)
