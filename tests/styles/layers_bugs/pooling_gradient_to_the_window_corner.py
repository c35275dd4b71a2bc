"""Pooling.backward sends each window's gradient to its top-left element instead of its
maximum."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "adapter_example"))  # layers.py
from layers import *  # noqa: E402, F403

OP, CAUGHT_BY = "max_pool2d", ("backward_torch", "backward_numeric")

_MaxPooling = Pooling  # noqa: F405


class Pooling(_MaxPooling):
    def backward(self, dout):
        self.arg_max = self.arg_max * 0
        return super().backward(dout)
