"""A correct implementation of the contract that computes on torch tensors.

It exercises the array-conversion hook (the harness hands it tensors and takes tensors
back) and shows the suite raises no false alarms on an implementation it did not write:
forward is plain torch, backward is torch.autograd on the graph kept in ctx.
"""

import numpy as np
import torch
import torch.nn.functional as F

from oracles import torch as torch_oracle


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


def _batch_norm(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
                eps=1e-5):
    mean, var = running_mean.clone(), running_var.clone()  # updated in place by torch
    return F.batch_norm(x, mean, var, gamma, beta, training, momentum, eps), mean, var


def _dropout(x, mask=None, keep_prob=0.5, training=True, rng=None):
    if not training:
        return x.clone()
    if mask is None:
        mask = torch.from_numpy((rng or np.random.default_rng()).random(tuple(x.shape))
                                < keep_prob)
    return x * mask / keep_prob


def _recurrent(module_type):
    def run(x, *states_and_weights):
        count = len(states_and_weights) - 4
        states, (w_ih, w_hh, b_ih, b_hh) = states_and_weights[:count], states_and_weights[count:]
        module = module_type(x.shape[2], w_hh.shape[1], dtype=x.dtype)
        parameters = {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh, "bias_ih_l0": b_ih,
                      "bias_hh_l0": b_hh}
        initial = states[0][None] if count == 1 else tuple(s[None] for s in states)
        y, final = torch.func.functional_call(module, parameters, (x, initial))
        return (y, final[0]) if count == 1 else (y, final[0][0], final[1][0])

    return run


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
    "batch_norm": _batch_norm,
    "dropout": _dropout,
    "embedding": F.embedding,
    "rnn": _recurrent(torch.nn.RNN),
    "lstm": _recurrent(torch.nn.LSTM),
}
# Forward-only ops: plain torch expressions, the torch oracle's own.
FORWARD_ONLY = {name: torch_oracle.function(name) for name in ("embedding_nearest", "normalize")}
# Differentiable inputs by position; the rest (targets, indices, statistics) are data.
DIFFERENTIABLE = {"prelu": (0, 1), "linear": (0, 1, 2), "conv2d": (0, 1, 2),
                  "residual_block": (0, 1, 2, 3, 4), "batch_norm": (0, 1, 2),
                  "embedding": (1,), "rnn": tuple(range(6)), "lstm": tuple(range(7))}
# Outputs that take an upstream gradient, when not all of them do.
UPSTREAM = {"batch_norm": 1}


def _define(name, function):
    wrt = DIFFERENTIABLE.get(name, (0,))

    def forward(*arrays, **hyper):
        inputs = [a.detach().clone().requires_grad_(i in wrt and a.is_floating_point())
                  if a is not None else None for i, a in enumerate(arrays)]
        y = function(*inputs, **hyper)
        outputs = y if isinstance(y, tuple) else (y,)
        copies = tuple(t.detach().clone() for t in outputs)
        graph = outputs[:UPSTREAM.get(name, len(outputs))]
        return (copies if isinstance(y, tuple) else copies[0]), (graph, [inputs[i] for i in wrt])

    def backward(*dys_and_ctx):
        *dys, (outputs, inputs) = dys_and_ctx
        live = [x for x in inputs if x is not None]
        grads = iter(torch.autograd.grad(outputs, live, dys, retain_graph=True,
                                         allow_unused=True))
        out = []
        for x in inputs:
            grad = None if x is None else next(grads)
            out.append(torch.zeros_like(x) if grad is None and x is not None else grad)
        return tuple(out)

    globals()[f"{name}_forward"], globals()[f"{name}_backward"] = forward, backward


def _define_forward_only(name, function):
    def forward(*arrays, **hyper):
        with torch.no_grad():
            y = function(*arrays, **hyper)
        return (tuple(y) if isinstance(y, tuple) else y), None

    globals()[f"{name}_forward"] = forward


for _name, _function in FUNCTIONS.items():
    _define(_name, _function)
for _name, _function in FORWARD_ONLY.items():
    _define_forward_only(_name, _function)
