"""Relu.backward returns dout untouched: the mask kept by forward is never applied."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "adapter_example"))  # layers.py
from layers import *  # noqa: E402, F403

OP, CAUGHT_BY = "relu", ("backward_torch", "backward_numeric")


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        return dout
