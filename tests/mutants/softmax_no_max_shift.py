"""softmax without subtracting the row maximum: exp overflows at large logits."""
import numpy as np

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "softmax", ("robustness",)


def softmax_forward(x, axis=-1):
    e = np.exp(x)
    p = e / e.sum(axis=axis, keepdims=True)
    return p, (p, axis)


def softmax_backward(dy, ctx):
    p, axis = ctx
    return (p * (dy - (dy * p).sum(axis=axis, keepdims=True)),)
