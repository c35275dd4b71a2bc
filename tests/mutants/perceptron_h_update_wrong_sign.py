"""perceptron_step moves the threshold the wrong way, h ← h + a(r - y), against the
notes' h ← h - a(r - y) [000]: a neuron that should fire gets a higher threshold, so the
rule no longer converges on AND and OR."""
import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "perceptron_step", ("forward", "closed_form", "invariants")


def perceptron_step_forward(w, h, x, r, a=0.1):
    y, _ = impl.mp_neuron_forward(x, w, h)
    correction = float(a) * (r - y)
    return (w + correction * x, np.asarray(h + correction, h.dtype)), None
