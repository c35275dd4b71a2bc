"""Dropout as the first book writes it: train mode keeps x·mask unscaled and test time
multiplies by 1 - dropout_ratio; the contract's dropout is inverted (x·mask/keep_prob in
train mode, the identity at test time)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "adapter_example"))  # layers.py
from layers import *  # noqa: E402, F403

OP, CAUGHT_BY = "dropout", ("forward", "invariants")


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio  # noqa: F405
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
