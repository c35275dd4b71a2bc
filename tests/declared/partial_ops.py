"""Ops with a part missing, checked on what they have (tests/test_declared_support.py):
step without its backward; an LSTM that returns the hidden sequence and the last hidden
state but no c_n (as CS231n's lstm_forward); leaky_relu without identity (an invariant
of leaky_relu uses identity, its kinks check stands alone); float64 only."""
from nnconform import impl

SUPPORT = {"lstm": {"outputs": ["y", "h_n"]}, "*": {"dtypes": ["float64"]}}

step_forward = impl.step_forward
leaky_relu_forward, leaky_relu_backward = impl.leaky_relu_forward, impl.leaky_relu_backward


def lstm_forward(*arrays):
    (y, h_n, _), ctx = impl.lstm_forward(*arrays)
    return (y, h_n, None), ctx


def lstm_backward(dy, dh_n, dc_n, ctx):
    assert not dc_n.any(), "the harness gives no gradient to an output not returned"
    return impl.lstm_backward(dy, dh_n, dc_n, ctx)
