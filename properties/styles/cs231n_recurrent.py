"""CS231n's rnn_layers.py mapped onto the contract (part of the cs231n style, imported by
cs231n.py).

The assignment's sequences are batch-major, x (N, T, D), with weights (D, H) applied on
the right, one bias, and LSTM gate blocks i, f, o, g; the contract's are torch's: x
(T, N, I), weights (G·H, I), two biases b_ih and b_hh, gates i, f, g, o. The adapter
transposes, sums the biases (b = b_ih + b_hh; db goes to both) and reorders the gate
blocks. rnn_forward returns every hidden state h: the contract's y is h, its h_n h's
last step. lstm_forward starts from c0 = 0 and returns no cell state: the LSTM is checked
on the op's zero_c0 variant (declared in SUPPORT), c_n is not returned and dc0 is not
computed (lstm_backward returns none): both are reported not implemented.
"""

from __future__ import annotations

import numpy as np

from nnconform.properties.styles.base import loss_backward, needs

SUPPORT = {
    "lstm": {"outputs": ["y", "h_n"], "variants": ["zero_c0"],
             "grads": ["x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"]},
    "temporal_softmax_loss": {"variants": ["mean"]},
}


def _batch_major(x):
    return np.swapaxes(x, 0, 1)


def _upstream(dy, dh_n):
    """The gradient of every hidden state, (N, T, H): dy's, with dh_n's added at t = T - 1."""
    dh = _batch_major(dy).copy()
    dh[:, -1] += dh_n
    return dh


def _ifog(blocks):
    """Gate blocks (along axis 0) i, f, g, o as i, f, o, g, and back (its own inverse)."""
    i, f, g, o = np.split(blocks, 4, axis=0)
    return np.concatenate([i, f, o, g], axis=0)


@needs("rnn_forward", "rnn_backward")
def rnn_forward(user, x, h0, w_ih, w_hh, b_ih, b_hh):
    h, cache = user.call("rnn_forward", _batch_major(x), h0, w_ih.T, w_hh.T, b_ih + b_hh)
    y = _batch_major(h)
    return (y, y[-1].copy()), cache


@needs("rnn_forward", "rnn_backward")
def rnn_backward(user, dy, dh_n, cache):
    dx, dh0, dwx, dwh, db = user.call("rnn_backward", _upstream(dy, dh_n), cache)
    return _batch_major(dx), dh0, dwx.T, dwh.T, db, db.copy()


@needs("lstm_forward", "lstm_backward")
def lstm_forward(user, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    if c0 is not None and np.any(c0):
        raise NotImplementedError("lstm_forward starts from c0 = 0 (it takes no c0)")
    h, cache = user.call("lstm_forward", _batch_major(x), h0, _ifog(w_ih).T, _ifog(w_hh).T,
                         _ifog(b_ih + b_hh))
    y = _batch_major(h)
    return (y, y[-1].copy(), None), cache


@needs("lstm_forward", "lstm_backward")
def lstm_backward(user, dy, dh_n, dc_n, cache):
    if dc_n is not None and np.any(dc_n):
        raise NotImplementedError("lstm_forward returns no cell state to take a gradient")
    dx, dh0, dwx, dwh, db = user.call("lstm_backward", _upstream(dy, dh_n), cache)
    return (_batch_major(dx), dh0, None, _ifog(dwx.T), _ifog(dwh.T), _ifog(db),
            _ifog(db))


@needs("word_embedding_forward", "word_embedding_backward")
def embedding_forward(user, indices, weight):
    """Indices of any shape as the (N, T) word_embedding_forward takes: (1, T) for one
    axis, the leading axes joined in N for more."""
    words = indices.reshape(-1, indices.shape[-1]) if indices.ndim >= 2 else \
        indices.reshape(1, -1)
    out, cache = user.call("word_embedding_forward", words, weight)
    return out.reshape(*indices.shape, weight.shape[1]), (cache, words.shape)


@needs("word_embedding_forward", "word_embedding_backward")
def embedding_backward(user, dy, ctx):
    cache, shape = ctx
    return (user.call("word_embedding_backward", dy.reshape(*shape, dy.shape[-1]), cache),)


@needs("temporal_affine_forward", "temporal_affine_backward")
def temporal_affine_forward(user, x, w, b):
    out, cache = user.call("temporal_affine_forward", _batch_major(x), w.T, b)
    return _batch_major(out), cache


@needs("temporal_affine_forward", "temporal_affine_backward")
def temporal_affine_backward(user, dy, cache):
    dx, dw, db = user.call("temporal_affine_backward", _batch_major(dy), cache)
    return _batch_major(dx), dw.T, db


@needs("temporal_softmax_loss")
def temporal_softmax_loss_forward(user, x, target, mask, reduction="mean"):
    """(loss, dx) in one call, as softmax_loss: the backward scales dx by dloss."""
    if reduction != "mean":
        raise NotImplementedError("temporal_softmax_loss sums over T and averages over N")
    loss, dx = user.call("temporal_softmax_loss", _batch_major(x), target.T, mask.T)
    return np.asarray(loss), _batch_major(dx)


temporal_softmax_loss_backward = loss_backward("temporal_softmax_loss")
