"""leaky_relu's backward masks the gradient like relu's: the negative side gets 0
instead of negative_slope times the upstream gradient."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "leaky_relu", ("backward_torch", "backward_numeric")


class _LeakyRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x > 0).to(grad_output.dtype), None


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _LeakyRelu.apply(input, negative_slope)
