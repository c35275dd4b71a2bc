"""momentum_average puts the learning rate inside the velocity, v = βv + (1 - β)αg,
w = w - v, instead of w = w - αv: the same steps at a constant α, different ones once α
decays (old gradients keep the rate they were scaled with)."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "momentum_average", ("forward", "closed_form")

momentum_average_init = impl.momentum_average_init


def momentum_average_step(param, grad, state, lr=0.01, beta=0.9):
    v = beta * state["v"] + (1 - beta) * lr * grad
    return param - v, {"v": v}
