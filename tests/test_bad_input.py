"""Bad arguments to the convolution and pooling ops fail at the call, with the error type
and the name of the argument the contract promises."""

import numpy as np
import pytest

import impl

X = np.zeros((1, 2, 4, 4), np.float32)
W = np.zeros((3, 2, 3, 3), np.float32)
ODD = np.zeros((2, 2, 3, 3), np.float32)
B = np.zeros(2, np.float32)

BAD = {
    "stride 0": (lambda: impl.conv2d_forward(X, W, stride=0), ValueError, "stride"),
    "negative padding": (lambda: impl.conv2d_forward(X, W, padding=-1), ValueError, "padding"),
    "dilation 0": (lambda: impl.conv2d_forward(X, W, dilation=(1, 0)), ValueError, "dilation"),
    "stride as text": (lambda: impl.conv2d_forward(X, W, stride="2"), TypeError, "stride"),
    "kernel larger than the padded input": (
        lambda: impl.conv2d_forward(X, np.zeros((3, 2, 7, 7), np.float32)), ValueError, "w"),
    "w's channels are not x's": (
        lambda: impl.conv2d_forward(X, np.zeros((3, 3, 3, 3), np.float32)), ValueError, "w"),
    "groups that do not divide": (lambda: impl.conv2d_forward(X, W, groups=3), ValueError,
                                  "groups"),
    "x without a batch axis": (lambda: impl.conv2d_forward(X[0], W), ValueError, "x"),
    "integer x": (lambda: impl.conv2d_forward(X.astype(int), W), TypeError, "x"),
    "w of another dtype": (lambda: impl.conv2d_forward(X, W.astype(np.float64)), TypeError,
                           "w"),
    "a bias per input channel": (lambda: impl.conv2d_forward(X, W, B), ValueError, "b"),
    "pool padding over half the kernel": (
        lambda: impl.max_pool2d_forward(X, kernel_size=2, padding=2), ValueError, "padding"),
    "pool window larger than x": (lambda: impl.avg_pool2d_forward(X, kernel_size=5),
                                  ValueError, "kernel_size"),
    "count_include_pad not a bool": (
        lambda: impl.avg_pool2d_forward(X, count_include_pad="no"), ValueError,
        "count_include_pad"),
    "negative p": (lambda: impl.lp_pool2d_forward(X, norm_type=-1), ValueError, "norm_type"),
    "residual kernel of even size": (
        lambda: impl.residual_block_forward(X, W[:2, :, :2, :2], B, W[:2, :, :2, :2], B),
        ValueError, "w1"),
    "residual block that changes the channels": (
        lambda: impl.residual_block_forward(X, ODD, B, np.zeros((3, 2, 3, 3), np.float32),
                                            np.zeros(3, np.float32)), ValueError, "w2"),
    "flatten past the last axis": (lambda: impl.flatten_forward(X, start_dim=4), ValueError,
                                   "start_dim"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_argument_is_named(name):
    call, error, argument = BAD[name]
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value).startswith(f"{argument}:"), str(raised.value)
