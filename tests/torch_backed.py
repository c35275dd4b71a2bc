"""A correct implementation of the contract that computes on torch tensors.

It exercises the array-conversion hook (the harness hands it tensors and takes tensors
back) and shows the suite raises no false alarms on an implementation it did not write:
forward is plain torch, backward is torch.autograd on the graph kept in ctx.
"""

import numpy as np
import torch
import torch.nn.functional as F


def to_native(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(array))  # a copy: the suite's arrays stay untouched


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().numpy().copy()


def _mse(pred, target, reduction="mean"):
    if reduction == "half":
        return F.mse_loss(pred, target) / 2
    return F.mse_loss(pred, target, reduction=reduction)


def _maxout(x, pieces=2):
    return x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces).max(dim=-1).values


def _step(x):
    return (x > 0).to(x.dtype) + 0 * x  # keeps the graph: derivative 0


def _penalty(kind):
    def penalty(w, lam=0.01, m=1):
        return lam / (2 * m) * (w * w).sum() if kind == 2 else lam / m * w.abs().sum()

    return penalty


def _residual_block(x, w1, b1, w2, b2):
    pad = w1.shape[-1] // 2
    return torch.relu(F.conv2d(torch.relu(F.conv2d(x, w1, b1, padding=pad)), w2, b2,
                               padding=pad) + x)


FUNCTIONS = {
    "step": _step,
    "sign": torch.sign,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
    "prelu": F.prelu,
    "identity": lambda x: x.clone(),
    "softmax": lambda x, axis=-1: torch.softmax(x, dim=axis),
    "log_softmax": lambda x, axis=-1: torch.log_softmax(x, dim=axis),
    "maxout": _maxout,
    "mse": _mse,
    "binary_cross_entropy": lambda p, t, reduction="mean": F.binary_cross_entropy(
        p, t, reduction=reduction),
    "binary_cross_entropy_with_logits": lambda z, t, reduction="mean": (
        F.binary_cross_entropy_with_logits(z, t, reduction=reduction)),
    "cross_entropy": lambda z, t, reduction="mean": F.cross_entropy(z, t, reduction=reduction),
    "l2_penalty": _penalty(2),
    "l1_penalty": _penalty(1),
    "linear": F.linear,
    "conv2d": F.conv2d,
    "max_pool2d": lambda x, kernel_size=2, stride=None, padding=0: F.max_pool2d(
        x, kernel_size, stride, padding),
    "avg_pool2d": lambda x, kernel_size=2, stride=None, padding=0, count_include_pad=True: (
        F.avg_pool2d(x, kernel_size, stride, padding, count_include_pad=count_include_pad)),
    "lp_pool2d": lambda x, norm_type=2.0, kernel_size=2, stride=None: F.lp_pool2d(
        x, norm_type, kernel_size, stride),
    "flatten": lambda x, start_dim=1: torch.flatten(x, start_dim),
    "residual_block": _residual_block,
}
# Differentiable inputs by position; the rest (targets) are data.
DIFFERENTIABLE = {"prelu": (0, 1), "linear": (0, 1, 2), "conv2d": (0, 1, 2),
                  "residual_block": (0, 1, 2, 3, 4)}


def _define(name, function):
    wrt = DIFFERENTIABLE.get(name, (0,))

    def forward(*arrays, **hyper):
        inputs = [a.detach().clone().requires_grad_(i in wrt and a.is_floating_point())
                  if a is not None else None for i, a in enumerate(arrays)]
        y = function(*inputs, **hyper)
        return y.detach().clone(), (y, [inputs[i] for i in wrt])

    def backward(dy, ctx):
        y, inputs = ctx
        live = [x for x in inputs if x is not None]
        grads = iter(torch.autograd.grad(y, live, dy, retain_graph=True, allow_unused=True))
        out = []
        for x in inputs:
            grad = None if x is None else next(grads)
            out.append(torch.zeros_like(x) if grad is None and x is not None else grad)
        return tuple(out)

    globals()[f"{name}_forward"], globals()[f"{name}_backward"] = forward, backward


for _name, _function in FUNCTIONS.items():
    _define(_name, _function)
