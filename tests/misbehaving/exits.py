"""relu ends its process with os._exit, as a C library calling exit() would."""
import os

from nnconform.impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("forward", "crashed", "the process died (os._exit")


def relu_forward(x):
    os._exit(3)
