"""linear backward returns the first sample's dy as db instead of summing over the batch."""

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "linear", ("backward_torch", "backward_numeric", "closed_form")


def linear_forward(x, w, b=None):
    y = x @ w.T
    return (y if b is None else y + b), (x, w, b is None)


def linear_backward(dy, ctx):
    x, w, no_bias = ctx
    dy2 = dy.reshape(-1, dy.shape[-1])
    dw = dy2.T @ x.reshape(-1, x.shape[-1])
    return dy @ w, dw, None if no_bias else dy2[0].copy()
