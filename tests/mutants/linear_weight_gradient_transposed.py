"""linear backward returns dW as xᵀ dy, shaped (in, out) instead of the contract's (out, in)."""

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "linear", ("contract",)


def linear_forward(x, w, b=None):
    y = x @ w.T
    return (y if b is None else y + b), (x, w, b is None)


def linear_backward(dy, ctx):
    x, w, no_bias = ctx
    dy2, x2 = dy.reshape(-1, dy.shape[-1]), x.reshape(-1, x.shape[-1])
    return dy @ w, x2.T @ dy2, None if no_bias else dy2.sum(axis=0)
