"""maxout backward gives the group's dy to every piece equal to its maximum (a mask
`x == max`), not to the first alone: a legitimate convention at ties, only the kinks
check's tied groups show it."""

from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "maxout", ("kinks",)
CONVENTION = "ties_all"  # a legitimate convention: undeclared, it fails and says so


def maxout_forward(x, pieces=2):
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces)
    y = groups.max(axis=-1)
    return y, (groups == y[..., None], x.shape)


def maxout_backward(dy, ctx):
    winners, shape = ctx
    return ((winners * dy[..., None]).reshape(shape).astype(dy.dtype),)
