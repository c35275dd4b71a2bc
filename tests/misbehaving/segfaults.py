"""relu reads address 0, as a broken C extension would: a segmentation fault."""
import ctypes

from nnconform.impl import relu_backward, sigmoid_backward, sigmoid_forward  # noqa: F401

EXPECTED = ("forward", "crashed", "Segmentation fault")


def relu_forward(x):
    ctypes.string_at(0)
