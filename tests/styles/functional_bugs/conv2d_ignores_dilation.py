"""conv2d's kernel handles stride, padding and groups but drops dilation: a dilated
kernel is applied as a dense one."""

import sys
from pathlib import Path

import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "conv2d", ("forward", "backward_torch")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return F.conv2d(input, weight, bias, stride, padding, 1, groups)
