"""Layer classes with forward and backward methods, as "Deep Learning from Scratch" and many
course assignments write them: `nnconform check --style layers --impl layers.py`.

A class per layer, each NAME_forward builds a fresh one and the layer is the ctx:

    Relu(), Sigmoid(), Tanh(), LeakyRelu(negative_slope)   forward(x), backward(dout)
    Affine(W, b)          W stored (in, out); backward keeps dW and db
    Convolution(W, b, stride=1, pad=0)                    W (FN, C, FH, FW); keeps dW, db
    Pooling(pool_h, pool_w, stride=1, pad=0)              max pooling
    SoftmaxWithLoss()     forward(x, t) -> the mean loss, t indices or one-hot rows;
                          backward(dout=1) -> dx
    BatchNormalization(gamma, beta, momentum=0.9, running_mean=None, running_var=None)
                          forward(x, train_flg=True); keeps dgamma, dbeta
    Dropout(dropout_ratio=0.5)                            forward(x, train_flg=True)
    Embedding(W)          forward(indices); backward keeps dW

A parameter's gradient is read from the attribute (dW, db, dgamma, dbeta) or, failing
that, from the layer's `grads` list in parameter order (the second book's style). A
method that returns None is the assignment's stub: "not implemented".

How the contract maps onto the classes:
- linear and temporal_affine: x (..., in) goes in as (rows, in), W transposed in and dW
  out; a bias of None is a zero bias, and its gradient is None.
- cross_entropy: the class averages over the batch, so "sum" is N times its loss and
  gradient. Its backward is called as the books' networks call it, backward(1), and the
  adapter multiplies by the upstream gradient (the books' backward ignores dout).
- batch_norm: the class always gets 2-d input, (N·H·W, C) for images, so its statistics
  are per channel (the first book's reshape to (N, C·H·W) is per activation). Its momentum
  keeps the old statistics (running = m·running + (1 - m)·batch): the contract's momentum
  m goes in as 1 - m. It updates the running variance with the batch's biased variance:
  the style declares the table's convention biased_running_var (a class that uses the
  unbiased one declares CONVENTIONS = {"batch_norm": []}). A class that takes no `eps`
  (the first book's is fixed at 1e-6) reaches the contract's ε exactly: normalisation is
  invariant to scaling x, so x (and the running statistics) are scaled by
  √(ε_class/ε), with ε_class measured once on a two-value batch, and dx by the same.
- dropout: dropout_ratio is the drop probability, 1 - keep_prob. The class draws its own
  mask, so train mode with the table's explicit mask is unsupported (except keep_prob =
  1); the dropout invariants leave the mask to a numpy Generator, from which NumPy's
  global generator is seeded for the call (the books draw with np.random.rand) and then
  restored. After an eval-mode forward the gradient is dy: the style's backward follows a
  training forward only.
- Every backward gets a copy of its upstream gradient (the first book's Relu.backward
  zeroes dout in place), so a backward that writes into dout is not reported.

What the classes cannot take is declared in SUPPORT (a user's own SUPPORT for an op
replaces the style's, for a class that takes more): conv2d without dilation or groups,
one stride and one padding for both axes; max pooling without padding (the books' im2col
pads with zeros, not -inf), one stride for both axes; cross_entropy with class indices
(one-hot rows are checked by the invariant that compares them with indices).
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from nnconform.properties.styles.base import LEFT_OUT, Stub, needs


def _one_for_both_axes(*names):
    return lambda arrays, hyper: not any(isinstance(hyper.get(name), tuple | list)
                                         for name in names)


def _square_pool_stride(arrays, hyper) -> bool:
    stride = hyper.get("stride")
    step = hyper.get("kernel_size", 2) if stride is None else stride
    return not isinstance(step, tuple | list)


SUPPORT = {
    "conv2d": {"dilation": [1], "groups": [1],
               "variants": ["bias", "no_bias", "3x3_stride1", "1x1"],
               "where": ("one stride and one padding for both axes",
                         _one_for_both_axes("stride", "padding"))},
    "max_pool2d": {"padding": [0],
                   "where": ("one stride for both axes", _square_pool_stride)},
    "cross_entropy": {"variants": ["indices-mean", "indices-sum"]},
}
CONVENTIONS = {"batch_norm": "biased_running_var"}


# --- calling the classes -----------------------------------------------------------------


def _result(value, what: str):
    if value is None:
        raise Stub(f"{what} returns None (still the assignment's stub?)")
    return value


def _forward(layer, *args):
    return _result(layer.forward(*args), f"{type(layer).__name__}.forward")


def _backward(layer, dout):
    """The layer's backward on a copy of dout (the book's Relu zeroes it in place)."""
    return _result(layer.backward(np.array(dout)), f"{type(layer).__name__}.backward")


def _param_grad(layer, name: str, index: int):
    """The gradient the backward kept: attribute `name`, else `grads[index]`."""
    value = getattr(layer, name, None)
    grads = getattr(layer, "grads", None)
    if value is None and isinstance(grads, list | tuple) and len(grads) > index:
        value = grads[index]
    if value is None:
        raise AssertionError(f"{type(layer).__name__}.backward kept no {name} "
                             f"(nor grads[{index}])")
    return value


# --- activations -------------------------------------------------------------------------


def _activation(cls: str):
    @needs(cls)
    def forward(user, x):
        layer = user.find(cls)()
        return _forward(layer, x), layer

    @needs(cls)
    def backward(user, dy, layer):
        return (_backward(layer, dy),)

    return forward, backward


relu_forward, relu_backward = _activation("Relu")
sigmoid_forward, sigmoid_backward = _activation("Sigmoid")
tanh_forward, tanh_backward = _activation("Tanh")


@needs("LeakyRelu")
def leaky_relu_forward(user, x, negative_slope=LEFT_OUT):
    cls = user.find("LeakyRelu")
    layer = cls() if negative_slope is LEFT_OUT else cls(negative_slope)
    return _forward(layer, x), layer


@needs("LeakyRelu")
def leaky_relu_backward(user, dy, layer):
    return (_backward(layer, dy),)


# --- affine and loss ---------------------------------------------------------------------


@needs("Affine")
def linear_forward(user, x, w, b=None):
    bias = np.zeros(w.shape[0], w.dtype) if b is None else b
    layer = user.find("Affine")(w.T, bias)
    y = _forward(layer, x.reshape(-1, x.shape[-1]))
    return y.reshape(*x.shape[:-1], w.shape[0]), (layer, x.shape, b is None)


@needs("Affine")
def linear_backward(user, dy, ctx):
    layer, x_shape, no_bias = ctx
    dx = _backward(layer, dy.reshape(-1, dy.shape[-1]))
    dw = _param_grad(layer, "dW", 0)
    db = None if no_bias else _param_grad(layer, "db", 1)
    return dx.reshape(x_shape), dw.T, db


temporal_affine_forward = linear_forward  # x (T, N, D) as T·N rows, w (M, D)
temporal_affine_backward = linear_backward


def _loss(value, dtype) -> np.ndarray:
    """A 0-d array; a Python float (no dtype of its own) takes the input's."""
    return np.asarray(value, dtype if type(value) is float else None)


@needs("SoftmaxWithLoss")
def cross_entropy_forward(user, pred, target, reduction="mean"):
    if reduction not in ("mean", "sum"):
        raise NotImplementedError(f"reduction {reduction!r}: the class style's "
                                  f"SoftmaxWithLoss gives the batch's mean loss")
    layer = user.find("SoftmaxWithLoss")()
    scale = pred.shape[0] if reduction == "sum" else 1
    return np.asarray(_loss(_forward(layer, pred, target), pred.dtype) * scale), (layer, scale)


@needs("SoftmaxWithLoss")
def cross_entropy_backward(user, dy, ctx):
    layer, scale = ctx
    dx = _result(layer.backward(1), "SoftmaxWithLoss.backward")
    return (dx * (dy * scale),)


# --- convolution and pooling -------------------------------------------------------------


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value, value)


@needs("Convolution")
def conv2d_forward(user, x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    if _pair(dilation) != (1, 1) or groups != 1:
        raise NotImplementedError("Convolution(W, b, stride, pad) takes no dilation or "
                                  "groups")
    bias = np.zeros(w.shape[0], w.dtype) if b is None else b
    layer = user.find("Convolution")(w, bias, stride, padding)
    return _forward(layer, x), (layer, b is None)


@needs("Convolution")
def conv2d_backward(user, dy, ctx):
    layer, no_bias = ctx
    dx = _backward(layer, dy)
    return dx, _param_grad(layer, "dW", 0), None if no_bias else _param_grad(layer, "db", 1)


@needs("Pooling")
def max_pool2d_forward(user, x, kernel_size=2, stride=None, padding=0):
    pool_h, pool_w = _pair(kernel_size)
    layer = user.find("Pooling")(pool_h, pool_w, kernel_size if stride is None else stride,
                                 padding)
    return _forward(layer, x), layer


@needs("Pooling")
def max_pool2d_backward(user, dy, layer):
    return (_backward(layer, dy),)


# --- batch normalisation -----------------------------------------------------------------

_CLASS_EPS: dict = {}  # BatchNormalization class -> its fixed ε (None: not measurable)


def _takes_eps(cls) -> str | None:
    try:
        parameters = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return None
    return next((name for name in ("eps", "epsilon") if name in parameters), None)


def _class_eps(cls):
    """The ε of a class that takes none: a batch (-a, a) has mean 0 and biased variance a²,
    so it normalises to ±a/√(a² + ε)."""
    if cls not in _CLASS_EPS:
        a, eps = 1e-3, None
        try:
            layer = cls(np.ones(1), np.zeros(1), 0.9, np.zeros(1), np.ones(1))
            x_hat = abs(float(np.asarray(layer.forward(np.array([[-a], [a]]), True))[1, 0]))
            measured = a * a * (1 / (x_hat * x_hat) - 1)
            eps = measured if math.isfinite(measured) and measured > 0 else None
        except Exception:  # a broken class: its own checks say how
            eps = None
        _CLASS_EPS[cls] = eps
    return _CLASS_EPS[cls]


def _rows(a: np.ndarray) -> np.ndarray:
    """(N, C, ...) as (N·..., C): one row per value of every channel."""
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _unrows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    return np.moveaxis(rows.reshape(shape[0], *shape[2:], shape[1]), -1, 1)


@needs("BatchNormalization")
def batch_norm_forward(user, x, gamma, beta, running_mean, running_var, training=True,
                       momentum=0.1, eps=1e-5):
    cls = user.find("BatchNormalization")
    keyword, scale = _takes_eps(cls), 1.0
    if keyword is None:
        own = _class_eps(cls)
        scale = math.sqrt(own / eps) if own is not None else 1.0
    extra = {keyword: eps} if keyword else {}
    # the running statistics are the layer's state: it gets copies (scaled like x)
    layer = cls(gamma, beta, 1 - momentum, np.array(running_mean) * scale,
                np.array(running_var) * scale**2, **extra)
    rows = _rows(x) if scale == 1.0 else _rows(x) * scale
    y = _forward(layer, rows, training)
    new_mean = np.asarray(layer.running_mean) / scale
    new_var = np.asarray(layer.running_var) / scale**2
    return (_unrows(np.asarray(y), x.shape), new_mean, new_var), (layer, x.shape, scale)


@needs("BatchNormalization")
def batch_norm_backward(user, dy, ctx):
    layer, shape, scale = ctx
    dx = _backward(layer, _rows(dy))
    dx = _unrows(np.asarray(dx), shape) if scale == 1.0 else _unrows(np.asarray(dx) * scale,
                                                                     shape)
    return dx, _param_grad(layer, "dgamma", 0), _param_grad(layer, "dbeta", 1)


# --- dropout and embedding ---------------------------------------------------------------


def _seeded(rng, call):
    """call() with NumPy's global generator seeded from `rng` (None: as it is), restored
    afterwards."""
    if rng is None:
        return call()
    state = np.random.get_state()
    np.random.seed(int(rng.integers(2**32)))
    try:
        return call()
    finally:
        np.random.set_state(state)


@needs("Dropout")
def dropout_forward(user, x, mask=None, keep_prob=0.5, training=True, rng=None):
    layer = user.find("Dropout")(1 - keep_prob)
    if not training:
        return _forward(layer, x, False), (layer, False)
    if mask is not None:
        if keep_prob != 1 or not np.all(mask):
            raise NotImplementedError(
                "the class draws its own mask, so a given mask cannot be applied; train "
                "mode is checked by the dropout invariants, with the mask left to a numpy "
                "Generator")
        rng = np.random.default_rng(0)  # keep_prob = 1 keeps every unit: any draw will do
    return _seeded(rng, lambda: _forward(layer, x, True)), (layer, True)


@needs("Dropout")
def dropout_backward(user, dy, ctx):
    layer, training = ctx
    return (_backward(layer, dy) if training else np.array(dy),)


@needs("Embedding")
def embedding_forward(user, indices, weight):
    layer = user.find("Embedding")(weight)
    return _forward(layer, indices), layer


@needs("Embedding")
def embedding_backward(user, dy, layer):
    layer.backward(np.array(dy))  # the second book's returns None: indices have no gradient
    return (_param_grad(layer, "dW", 0),)
