"""BatchNormalization.backward forgets that μ depends on x: dx lacks the -mean(dx̂c) term."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "adapter_example"))  # layers.py
from layers import *  # noqa: E402, F403

OP, CAUGHT_BY = "batch_norm", ("backward_torch", "backward_numeric")

_BatchNormalization = BatchNormalization  # noqa: F405


class BatchNormalization(_BatchNormalization):
    def backward(self, dout):
        if self.std is None:
            return super().backward(dout)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum(dxn * self.xc / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        return dxc + (2.0 / self.batch_size) * self.xc * dvar
