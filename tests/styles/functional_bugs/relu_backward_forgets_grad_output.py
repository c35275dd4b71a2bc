"""relu's autograd.Function returns the mask as its gradient, forgetting to multiply it by
grad_output: right only when the upstream gradient is all ones."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "relu", ("backward_torch", "backward_numeric")


class _Relu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return (x > 0).to(grad_output.dtype)


def relu(input, inplace=False):
    return _Relu.apply(input)
