"""rmsprop writes `w - lr * dw / np.sqrt(cache) + eps`: operator precedence adds epsilon
to the new weights instead of to the denominator (and 0/0 where a gradient is 0)."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.optim import *  # noqa: F403

OP, CAUGHT_BY = "rmsprop", ("forward", "closed_form")


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    decay = config["decay_rate"]
    config["cache"] = decay * config["cache"] + (1 - decay) * dw ** 2
    next_w = w - config["learning_rate"] * dw / np.sqrt(config["cache"]) + config["epsilon"]
    return next_w, config
