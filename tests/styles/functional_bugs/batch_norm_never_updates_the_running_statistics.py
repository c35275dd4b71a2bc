"""batch_norm normalises with the batch's statistics in train mode but never writes the
running mean and variance it was given (a fused kernel with no write-back)."""

import sys
from pathlib import Path

import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "batch_norm", ("forward",)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    return F.batch_norm(input, running_mean.clone(), running_var.clone(), weight, bias,
                        training, momentum, eps)
