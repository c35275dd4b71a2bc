"""Map class-style layers (layers.py) onto the nnconform contract.

Each NAME_forward builds a fresh layer and returns it as ctx; NAME_backward calls the
layer's backward. Ops not mapped here are reported as "not implemented".
Run: nnconform check --impl tests/adapter_example/adapter.py
"""

import layers  # the user's own module, beside this file
import numpy as np


def sigmoid_forward(x):
    layer = layers.Sigmoid()
    return layer.forward(x), layer


def sigmoid_backward(dy, layer):
    return (layer.backward(dy),)


def relu_forward(x):
    layer = layers.Relu()
    return layer.forward(x), layer


def relu_backward(dy, layer):
    return (layer.backward(dy),)


def linear_forward(x, w, b=None):
    # The class works on (N, in) batches with W stored (in, out): flatten leading axes and
    # transpose the contract's (out, in) W.
    bias = b if b is not None else np.zeros(w.shape[0], w.dtype)
    layer = layers.Affine(w.T, bias)
    y = layer.forward(x.reshape(-1, x.shape[-1]))
    return y.reshape(*x.shape[:-1], w.shape[0]), (layer, x.shape, b is None)


def linear_backward(dy, ctx):
    layer, x_shape, no_bias = ctx
    dx = layer.backward(dy.reshape(-1, dy.shape[-1]))
    return dx.reshape(x_shape), layer.dW.T, None if no_bias else layer.db


def cross_entropy_forward(logits, target, reduction="mean"):
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction={reduction!r}: expected 'mean' or 'sum'")
    layer = layers.SoftmaxWithLoss()
    scale = logits.shape[0] if reduction == "sum" else 1  # the class always averages
    return np.asarray(layer.forward(logits, target) * scale), (layer, scale)


def cross_entropy_backward(dy, ctx):
    layer, scale = ctx
    return (layer.backward(dy * scale),)
