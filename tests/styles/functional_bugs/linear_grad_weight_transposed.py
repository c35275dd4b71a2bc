"""linear's backward returns grad_weight as xᵀ·grad_output, (in, out), the transpose of
the weight's (out, in) layout (autograd rejects its shape unless the weight is square)."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "linear", ("backward_torch", "backward_numeric")


class _Linear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        y = x @ weight.T
        return y + bias if bias is not None else y

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        rows = grad_output.reshape(-1, grad_output.shape[-1])
        grad_weight = x.reshape(-1, x.shape[-1]).T @ rows
        return (grad_output @ weight, grad_weight,
                rows.sum(dim=0) if ctx.has_bias else None)


def linear(input, weight, bias=None):
    return _Linear.apply(input, weight, bias)
