"""Affine.backward keeps dW as doutᵀ·x, (out, in): the transpose of W's (in, out) layout."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "adapter_example"))  # layers.py
from layers import *  # noqa: E402, F403

OP, CAUGHT_BY = "linear", ("backward_torch", "backward_numeric")


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
