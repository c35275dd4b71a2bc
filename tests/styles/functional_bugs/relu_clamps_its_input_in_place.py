"""relu's autograd.Function clamps its input in place to save a buffer: the output is
right, but the caller's x has lost its negative values."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "relu", ("contract",)


class _Relu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.clamp_(min=0)  # grad mode is off in forward: nothing stops this
        ctx.save_for_backward(y)
        return y.clone()

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (y > 0).to(grad_output.dtype)


def relu(input, inplace=False):
    return _Relu.apply(input)
