"""Ops with a part missing, checked on what they have (tests/test_declared_support.py):
step without its backward; an LSTM that returns the hidden sequence and the last hidden
state but no c_n, and whose backward gives no dc0 (as CS231n's lstm_forward and
lstm_backward); leaky_relu without identity (an invariant
of leaky_relu uses identity, its kinks check stands alone); float64 only."""
from nnconform import impl

SUPPORT = {"lstm": {"outputs": ["y", "h_n"], "grads": ["x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"]},
           "*": {"dtypes": ["float64"]}}

step_forward = impl.step_forward
leaky_relu_forward, leaky_relu_backward = impl.leaky_relu_forward, impl.leaky_relu_backward


def lstm_forward(*arrays):
    (y, h_n, _), ctx = impl.lstm_forward(*arrays)
    return (y, h_n, None), ctx


def lstm_backward(dy, dh_n, dc_n, ctx):
    assert not dc_n.any(), "the harness gives no gradient to an output not returned"
    dx, dh0, _, *weights = impl.lstm_backward(dy, dh_n, dc_n, ctx)
    return (dx, dh0, None, *weights)
