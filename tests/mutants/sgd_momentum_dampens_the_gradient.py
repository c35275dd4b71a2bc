"""sgd_momentum averages the gradient into the buffer, buf = β·buf + (1 - β)·g, as if
torch's dampening were β: every step is (1 - β) times too short (momentum_average's
rule at torch's rate). With β = 0 it is plain SGD and right."""

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "sgd_momentum", ("forward", "invariants")

sgd_momentum_init = impl.sgd_momentum_init


def sgd_momentum_step(param, grad, state, lr=0.01, beta=0.9):
    buf = beta * state["buf"] + (1 - beta) * grad  # the bug: dampened
    return param - lr * buf, {"buf": buf}
