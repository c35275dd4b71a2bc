"""leaky_relu's default slope is 0.2 (tf.nn.leaky_relu's alpha), not the contract's
negative_slope=0.01: every call that passes the slope is right, one that leaves it out is
not, so only the contract's check of the declared defaults can see it."""
from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "leaky_relu", ("contract",)


def leaky_relu_forward(x, negative_slope=0.2):
    return impl.leaky_relu_forward(x, negative_slope=negative_slope)
