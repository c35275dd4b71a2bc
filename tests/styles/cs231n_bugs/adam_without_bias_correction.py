"""adam steps with the raw moments m and v, not m/(1 - beta1^t) and v/(1 - beta2^t): the
first steps are far too small (m starts at (1 - beta1)·g) and differ from then on."""

import _assignment  # noqa: F401  (tests/styles on sys.path: the correct cs231n package)
import numpy as np
from cs231n.optim import *  # noqa: F403

OP, CAUGHT_BY = "adam", ("forward", "closed_form", "invariants")


def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw ** 2
    next_w = w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"])
                                                          + config["epsilon"])
    return next_w, config
