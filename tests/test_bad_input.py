"""Bad arguments to the convolution, pooling, normalisation, dropout, embedding and
recurrent ops (the per-step affine map and masked loss too) fail at the call, with the error type
and the name of the argument the contract promises."""

import numpy as np
import pytest
from conftest import assert_rejected_by_name

from nnconform import impl

X = np.zeros((1, 2, 4, 4), np.float32)
W = np.zeros((3, 2, 3, 3), np.float32)
ODD = np.zeros((2, 2, 3, 3), np.float32)
B = np.zeros(2, np.float32)
F2 = np.ones(2, np.float32)  # one per channel of X
SEQ = np.zeros((3, 2, 4), np.float32)  # (T, N, I)
H0 = np.zeros((2, 5), np.float32)
F4 = np.ones(4, np.float32)  # one per value of X's last axis
W_OUT, B_OUT = np.zeros((3, 4), np.float32), np.zeros(3, np.float32)  # SEQ's D = 4 to M = 3
WORDS, MASK = np.zeros((3, 2), np.int64), np.ones((3, 2), bool)  # (T, N) of SEQ


def _tsl(x=SEQ, target=WORDS, mask=MASK, **hyper):
    return impl.temporal_softmax_loss_forward(x, target, mask, **hyper)


def _bn(x=X, **hyper):
    return impl.batch_norm_forward(x, F2, F2, F2, F2, **hyper)


def _rnn(x=SEQ, h0=H0, w_ih=None, hidden=5):
    w_ih = np.zeros((hidden, 4), np.float32) if w_ih is None else w_ih
    return impl.rnn_forward(x, h0, w_ih, np.zeros((hidden, hidden), np.float32),
                            np.zeros(hidden, np.float32), np.zeros(hidden, np.float32))


def _lstm(w_hh_rows=20):
    return impl.lstm_forward(SEQ, H0, H0, np.zeros((20, 4), np.float32),
                             np.zeros((w_hh_rows, 5), np.float32), np.zeros(20, np.float32),
                             np.zeros(20, np.float32))


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
    "residual x without a batch axis": (
        lambda: impl.residual_block_forward(X[0], ODD, B, ODD, B), ValueError, "x"),
    "residual w1 for other input channels": (
        lambda: impl.residual_block_forward(X, np.zeros((2, 3, 3, 3), np.float32), B, ODD, B),
        ValueError, "w1"),
    "residual w2 of another kernel size": (
        lambda: impl.residual_block_forward(X, ODD, B, np.zeros((2, 2, 1, 1), np.float32), B),
        ValueError, "w2"),
    "residual b1 for other kernels": (
        lambda: impl.residual_block_forward(X, ODD, np.zeros(3, np.float32), ODD, B),
        ValueError, "b1"),
    "residual b2 of another dtype": (
        lambda: impl.residual_block_forward(X, ODD, B, ODD, B.astype(np.float64)), TypeError,
        "b2"),
    "flatten past the last axis": (lambda: impl.flatten_forward(X, start_dim=4), ValueError,
                                   "start_dim"),
    "batch norm gamma for other channels": (
        lambda: impl.batch_norm_forward(X, np.ones(3, np.float32), F2, F2, F2), ValueError,
        "gamma"),
    "batch norm of one value per channel": (lambda: _bn(X[:1, :, :1, :1]), ValueError, "x"),
    "batch norm momentum over 1": (lambda: _bn(momentum=1.5), ValueError, "momentum"),
    "batch norm eps 0": (lambda: _bn(eps=0), ValueError, "eps"),
    "batch norm training as text": (lambda: _bn(training="eval"), TypeError, "training"),
    "batch norm of a vector": (lambda: _bn(X[0, 0, 0]), ValueError, "x"),
    "layer_norm gamma that is not x's trailing shape": (
        lambda: impl.layer_norm_forward(X, F2, F2), ValueError, "x"),
    "layer_norm beta of another shape than gamma": (
        lambda: impl.layer_norm_forward(X, F4, F2), ValueError, "beta"),
    "layer_norm 0-d gamma": (lambda: impl.layer_norm_forward(X, F4[:1].reshape(()), F4),
                             ValueError, "gamma"),
    "layer_norm gamma of another dtype": (
        lambda: impl.layer_norm_forward(X, F4.astype(np.float64), F4), TypeError, "gamma"),
    "layer_norm eps 0": (lambda: impl.layer_norm_forward(X, F4, F4, eps=0), ValueError, "eps"),
    "group_norm groups that do not divide the channels": (
        lambda: impl.group_norm_forward(X, F2, F2, groups=3), ValueError, "groups"),
    "group_norm groups 0": (lambda: impl.group_norm_forward(X, F2, F2, groups=0), ValueError,
                            "groups"),
    "group_norm groups as a float": (
        lambda: impl.group_norm_forward(X, F2, F2, groups=2.0), TypeError, "groups"),
    "group_norm gamma for other channels": (
        lambda: impl.group_norm_forward(X, F4, F2), ValueError, "gamma"),
    "group_norm beta of another dtype": (
        lambda: impl.group_norm_forward(X, F2, F2.astype(np.float64)), TypeError, "beta"),
    "group_norm of a vector": (lambda: impl.group_norm_forward(F2, F2, F2), ValueError, "x"),
    "group_norm negative eps": (lambda: impl.group_norm_forward(X, F2, F2, eps=-1e-5),
                                ValueError, "eps"),
    "keep_prob 0": (lambda: impl.dropout_forward(X, keep_prob=0), ValueError, "keep_prob"),
    "keep_prob over 1": (lambda: impl.dropout_forward(X, keep_prob=1.2), ValueError,
                         "keep_prob"),
    "mask of floats": (lambda: impl.dropout_forward(X, mask=np.ones_like(X)), TypeError,
                       "mask"),
    "mask of another shape": (lambda: impl.dropout_forward(X, mask=np.ones(3, bool)),
                              ValueError, "mask"),
    "rng that is not a Generator": (lambda: impl.dropout_forward(X, rng=0), TypeError, "rng"),
    "float indices": (lambda: impl.embedding_forward(np.zeros(2), F2[:, None]), TypeError,
                      "indices"),
    "index past the table": (lambda: impl.embedding_forward(np.array([2]), F2[:, None]),
                             ValueError, "indices"),
    "negative index": (lambda: impl.embedding_forward(np.array([-1]), F2[:, None]),
                       ValueError, "indices"),
    "query of another width": (lambda: impl.embedding_nearest_forward(F2, F2[:, None]),
                               ValueError, "queries"),
    "rnn x without a batch axis": (lambda: _rnn(SEQ[:, 0]), ValueError, "x"),
    "rnn empty sequence": (lambda: _rnn(SEQ[:0]), ValueError, "x"),
    "rnn h0 of another size": (lambda: _rnn(h0=H0[:, :3]), ValueError, "h0"),
    "rnn w_ih for other inputs": (lambda: _rnn(w_ih=np.zeros((5, 3), np.float32)),
                                  ValueError, "w_ih"),
    "rnn float64 weights for float32 x": (lambda: _rnn(w_ih=np.zeros((5, 4))), TypeError,
                                          "w_ih"),
    "lstm w_hh without four gate blocks": (lambda: _lstm(w_hh_rows=5), ValueError, "w_hh"),
    "temporal_affine x without a time axis": (
        lambda: impl.temporal_affine_forward(SEQ[0], W_OUT, B_OUT), ValueError, "x"),
    "temporal_affine w for other inputs": (
        lambda: impl.temporal_affine_forward(SEQ, W_OUT[:, :3], B_OUT), ValueError, "x"),
    "temporal_affine w of one axis": (
        lambda: impl.temporal_affine_forward(SEQ, B_OUT, B_OUT), ValueError, "w"),
    "temporal_affine b per input": (
        lambda: impl.temporal_affine_forward(SEQ, W_OUT, F4), ValueError, "b"),
    "temporal_affine b of another dtype": (
        lambda: impl.temporal_affine_forward(SEQ, W_OUT, B_OUT.astype(np.float64)), TypeError,
        "b"),
    "temporal_softmax_loss scores without a time axis": (
        lambda: _tsl(x=SEQ[0]), ValueError, "x"),
    "temporal_softmax_loss targets of another shape": (
        lambda: _tsl(target=WORDS.T), ValueError, "target"),
    "temporal_softmax_loss word past the vocabulary": (
        lambda: _tsl(target=WORDS + 4), ValueError, "target"),
    "temporal_softmax_loss float targets": (
        lambda: _tsl(target=WORDS.astype(np.float32)), TypeError, "target"),
    "temporal_softmax_loss mask of floats": (
        lambda: _tsl(mask=MASK.astype(np.float32)), TypeError, "mask"),
    "temporal_softmax_loss mask of another shape": (
        lambda: _tsl(mask=MASK[:1]), ValueError, "mask"),
    "temporal_softmax_loss reduction by name unknown": (
        lambda: _tsl(reduction="none"), ValueError, "reduction"),
    "normalize given a mean without a std": (
        lambda: impl.normalize_forward(X, mean=X[0]), ValueError, "mean, std"),
    "normalize std of another shape": (
        lambda: impl.normalize_forward(X, mean=X[0], std=X[0, 0]), ValueError, "std"),
    "negative learning rate": (
        lambda: impl.sgd_step(F2, F2, impl.sgd_init(F2), lr=-0.1), ValueError, "lr"),
    "adam beta1 of 1": (lambda: impl.adam_step(F2, F2, impl.adam_init(F2), beta1=1.0),
                        ValueError, "beta1"),
    "rmsprop eps 0": (lambda: impl.rmsprop_step(F2, F2, impl.rmsprop_init(F2), eps=0.0),
                      ValueError, "eps"),
    "momentum beta above 1": (
        lambda: impl.momentum_average_step(F2, F2, impl.momentum_average_init(F2), beta=1.5),
        ValueError, "beta"),
    "gradient of another shape": (
        lambda: impl.adagrad_step(F2, F2[:1], impl.adagrad_init(F2)), ValueError, "grad"),
    "adam state without its moments": (
        lambda: impl.adam_step(F2, F2, {"t": 0}), ValueError, "state"),
    "one_hot of float indices": (lambda: impl.one_hot_forward(F2), TypeError, "indices"),
    "he_normal without a shape": (lambda: impl.he_normal_forward(), ValueError, "shape"),
    "he_normal with a draw and a shape": (
        lambda: impl.he_normal_forward(np.ones((2, 2)), shape=(2, 2)), ValueError, "shape"),
    "normalize negative std": (
        lambda: impl.normalize_forward(X, mean=X[0], std=-np.ones_like(X[0])), ValueError,
        "std"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_argument_is_named(name):
    assert_rejected_by_name(*BAD[name])
