"""BatchNormalization keeps the book's momentum=0.9 but updates the running statistics
with torch's formula, (1 - momentum)·running + momentum·batch: each step keeps only a
tenth of the old statistics."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "adapter_example"))  # layers.py
from layers import *  # noqa: E402, F403

OP, CAUGHT_BY = "batch_norm", ("forward",)

_BatchNormalization = BatchNormalization  # noqa: F405


class BatchNormalization(_BatchNormalization):
    def forward(self, x, train_flg=True):
        if not train_flg:
            return super().forward(x, False)
        mu = x.mean(axis=0)
        self.xc = x - mu
        var = np.mean(self.xc ** 2, axis=0)
        self.std = np.sqrt(var + 10e-7)
        self.xn = self.xc / self.std
        self.batch_size = x.shape[0]
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var
        return self.gamma * self.xn + self.beta
