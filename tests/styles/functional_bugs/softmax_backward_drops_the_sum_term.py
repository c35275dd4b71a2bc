"""softmax's backward multiplies grad_output by y element by element, the Jacobian's
diagonal alone: the -y·Σ(grad_output·y) term is missing."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "softmax", ("backward_torch", "backward_numeric")


class _Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim):
        e = torch.exp(x - x.amax(dim=dim, keepdim=True))
        y = e / e.sum(dim=dim, keepdim=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y * (1 - y), None


def softmax(input, dim=None, dtype=None):
    return _Softmax.apply(input, dim)
