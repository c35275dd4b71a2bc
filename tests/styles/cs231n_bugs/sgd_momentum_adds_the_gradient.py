"""sgd_momentum builds its velocity with the wrong sign, v = mu·v + lr·dw, and then adds
it: every step climbs the gradient instead of descending it."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.optim import *  # noqa: F403

OP, CAUGHT_BY = "momentum_velocity", ("closed_form", "invariants")


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config
