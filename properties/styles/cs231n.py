"""The CS231n assignment API (assignments 1–3, 2017–2024) mapped onto the contract.

    nnconform check --style cs231n --impl path/to/cs231n
    nnconform check --style cs231n --impl cs231n/layers.py,cs231n/rnn_layers.py,cs231n/optim.py

What the assignment's functions are checked as:

    affine_forward/backward            linear (w is (D, M), the contract's transposed)
    relu_forward/backward              relu
    conv_forward_naive/backward_naive  conv2d (conv_param {'stride', 'pad'})
    max_pool_forward_naive/backward_naive  max_pool2d (pool_height, pool_width, stride)
    batchnorm_forward/backward, spatial_batchnorm_forward/backward  batch_norm, 2-D, 4-D
    layernorm_forward/backward         layer_norm
    spatial_groupnorm_forward/backward group_norm
    dropout_forward/backward           dropout (p is the keep probability, as here)
    softmax_loss, svm_loss             cross_entropy, multiclass_hinge ((loss, dx) at once)
    sgd, sgd_momentum, rmsprop, adam   sgd, momentum_velocity, rmsprop, adam (config dicts)
    rnn_layers.py                      rnn, lstm, embedding, temporal_affine,
                                       temporal_softmax_loss (cs231n_recurrent.py)

The domain is the assignment's own, as its docstrings state it (SUPPORT): float64; square
strides and paddings, no dilation, no groups, windows that tile the padded input exactly;
no padding in max pooling; cross-entropy and the SVM loss on class indices, averaged, at
margin 1. A call outside it raises NotImplementedError, reported "unsupported": the
hyperparameters no conv_param can hold, a dropout mask given in train mode (dropout_forward
draws its own from NumPy's global RNG; the train mode is checked on the masks it draws,
recovered from its output by the dropout invariants), and batch norm's backward in eval
mode (the assignment's batchnorm_backward is the train-mode gradient).
CONVENTIONS: the running variance is np.var's, biased; a max-pool backward's mask
`window == window.max()` gives a tied window's gradient to every maximum.
"""

from __future__ import annotations

import copy

import numpy as np

from nnconform.properties.styles import cs231n_recurrent
from nnconform.properties.styles.base import Stub, loss_backward, needs

PARTS = (cs231n_recurrent,)  # rnn_layers.py's functions, bound with these by base.build


def _pair(value) -> tuple[int, int]:
    return (value, value) if np.isscalar(value) else tuple(value)


def _square(value, what: str) -> int:
    """One int for an (h, w) pair with h = w, as conv_param and pool_param hold it."""
    h, w = _pair(value)
    if h != w:
        raise NotImplementedError(f"{what} ({h}, {w}): the assignment takes one {what} for "
                                  f"both axes")
    return int(h)


def _tiles(size, kernel, stride, padding) -> bool:
    """Windows of `kernel` at `stride` cover the padded input exactly, per axis, as the
    docstrings assume ((H + 2 * pad - HH) % stride == 0); a kernel larger than the padded
    input is left to the user's code (bad input, not a configuration)."""
    s, p = _pair(stride), _pair(padding)
    return s[0] == s[1] and p[0] == p[1] and all(
        (n + 2 * p[0] - k) % s[0] == 0 or n + 2 * p[0] < k
        for n, k in zip(size, kernel, strict=True))


def _conv_fits(arrays, hyper) -> bool:
    return _tiles(arrays[0].shape[2:], arrays[1].shape[2:], hyper.get("stride", 1),
                  hyper.get("padding", 0))


def _pool_fits(arrays, hyper) -> bool:
    kernel = _pair(hyper.get("kernel_size", 2))
    stride = hyper.get("stride")
    return _tiles(arrays[0].shape[2:], kernel, kernel if stride is None else stride, 0)


TILING = "stride and padding equal on both axes, windows that tile the input exactly"

SUPPORT = {
    "*": {"dtypes": ["float64"]},
    "conv2d": {"dilation": [1], "groups": [1],
               "variants": ["bias", "no_bias", "3x3_stride1", "1x1"],
               "where": (TILING, _conv_fits)},
    "max_pool2d": {"padding": [0], "where": (TILING, _pool_fits)},
    "cross_entropy": {"variants": ["indices-mean"]},
    "multiclass_hinge": {"margin": [1.0], "variants": ["mean"]},
    "sgd": {"weight_decay": [0.0]},
    **cs231n_recurrent.SUPPORT,
}
CONVENTIONS = {"batch_norm": "biased_running_var", "max_pool2d": "ties_all"}


# --- layers.py ----------------------------------------------------------------------------


@needs("affine_forward", "affine_backward")
def linear_forward(user, x, w, b=None):
    """x (..., in) reaches affine_forward as (N, in), or as (N, 1, in) when it has several
    leading axes, so the assignment's flattening of (N, d_1, ..., d_k) is exercised too."""
    flat = x.reshape(-1, x.shape[-1])
    if x.ndim > 2:
        flat = flat[:, None, :]
    bias = np.zeros(w.shape[0], x.dtype) if b is None else b
    out, cache = user.call("affine_forward", flat, w.T, bias)
    return out.reshape(*x.shape[:-1], w.shape[0]), (cache, x.shape, b is None)


@needs("affine_forward", "affine_backward")
def linear_backward(user, dy, ctx):
    cache, shape, no_bias = ctx
    dx, dw, db = user.call("affine_backward", dy.reshape(-1, dy.shape[-1]), cache)
    return dx.reshape(shape), dw.T, None if no_bias else db


@needs("relu_forward", "relu_backward")
def relu_forward(user, x):
    return user.call("relu_forward", x)


@needs("relu_forward", "relu_backward")
def relu_backward(user, dy, cache):
    return (user.call("relu_backward", dy, cache),)


@needs("softmax_loss")
def cross_entropy_forward(user, pred, target, reduction="mean"):
    if reduction != "mean" or target.ndim != 1 or target.dtype.kind not in "iu":
        raise NotImplementedError("softmax_loss takes class indices and averages over N")
    loss, dx = user.call("softmax_loss", pred, target)
    return np.asarray(loss), dx


cross_entropy_backward = loss_backward("softmax_loss")


@needs("svm_loss")
def multiclass_hinge_forward(user, scores, target, margin=1.0, reduction="mean"):
    if margin != 1.0 or reduction != "mean":
        raise NotImplementedError("svm_loss has a margin of 1 and averages over N")
    loss, dx = user.call("svm_loss", scores, target)
    return np.asarray(loss), dx


multiclass_hinge_backward = loss_backward("svm_loss")


@needs("conv_forward_naive", "conv_backward_naive")
def conv2d_forward(user, x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    if _pair(dilation) != (1, 1) or groups != 1:
        raise NotImplementedError("conv_forward_naive has no dilation and no groups")
    conv_param = {"stride": _square(stride, "stride"), "pad": _square(padding, "padding")}
    if not _tiles(x.shape[2:], w.shape[2:], stride, padding):
        raise NotImplementedError("conv_forward_naive assumes (H + 2 * pad - HH) % stride "
                                  "== 0 on both axes")
    bias = np.zeros(w.shape[0], x.dtype) if b is None else b
    out, cache = user.call("conv_forward_naive", x, w, bias, conv_param)
    return out, (cache, b is None)


@needs("conv_forward_naive", "conv_backward_naive")
def conv2d_backward(user, dy, ctx):
    cache, no_bias = ctx
    dx, dw, db = user.call("conv_backward_naive", dy, cache)
    return dx, dw, None if no_bias else db


@needs("max_pool_forward_naive", "max_pool_backward_naive")
def max_pool2d_forward(user, x, kernel_size=2, stride=None, padding=0):
    if _pair(padding) != (0, 0):
        raise NotImplementedError("max_pool_forward_naive has no padding")
    kh, kw = _pair(kernel_size)
    pool_param = {"pool_height": kh, "pool_width": kw,
                  "stride": _square((kh, kw) if stride is None else stride, "stride")}
    if not _tiles(x.shape[2:], (kh, kw), pool_param["stride"], 0):
        raise NotImplementedError("max_pool_forward_naive assumes (H - pool_height) % stride "
                                  "== 0 on both axes")
    return user.call("max_pool_forward_naive", x, pool_param)


@needs("max_pool_forward_naive", "max_pool_backward_naive")
def max_pool2d_backward(user, dy, cache):
    return (user.call("max_pool_backward_naive", dy, cache),)


def _as_4d(x):
    """(N, C, ...) as the (N, C, H, W) the spatial layers take: other axes joined in H."""
    return x if x.ndim == 4 else x.reshape(x.shape[0], x.shape[1], -1, 1)


def _spatial(user, name: str):
    if not user.has(name):
        raise Stub(f"{name} is not defined: batch_norm's 4-D variants need it")
    return name


@needs("batchnorm_forward", "batchnorm_backward")
def batch_norm_forward(user, x, gamma, beta, running_mean, running_var, training=True,
                       momentum=0.1, eps=1e-5):
    """CS231n's momentum keeps that much of the old statistic: the contract's 1 - momentum.
    bn_param is updated in place; the new statistics are read back from it."""
    bn_param = {"mode": "train" if training else "test", "eps": eps, "momentum": 1 - momentum,
                "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    if x.ndim == 2:
        out, cache = user.call("batchnorm_forward", x, gamma, beta, bn_param)
    else:
        out, cache = user.call(_spatial(user, "spatial_batchnorm_forward"), _as_4d(x), gamma,
                               beta, bn_param)
    outputs = (out.reshape(x.shape), bn_param["running_mean"], bn_param["running_var"])
    return outputs, (cache, x.shape, training)


@needs("batchnorm_forward", "batchnorm_backward")
def batch_norm_backward(user, dy, ctx):
    cache, shape, training = ctx
    if not training:
        raise NotImplementedError("batchnorm_backward is the train-mode gradient (the "
                                  "assignment keeps no cache in test mode)")
    if len(shape) == 2:
        return user.call("batchnorm_backward", dy, cache)
    dx, dgamma, dbeta = user.call(_spatial(user, "spatial_batchnorm_backward"), _as_4d(dy),
                                  cache)
    return dx.reshape(shape), dgamma, dbeta


@needs("layernorm_forward", "layernorm_backward")
def layer_norm_forward(user, x, gamma, beta, eps=1e-5):
    """The trailing axes gamma covers joined into D: x (N, D) as layernorm_forward takes it."""
    d = gamma.size
    out, cache = user.call("layernorm_forward", x.reshape(-1, d), gamma.reshape(d),
                           beta.reshape(d), {"eps": eps})
    return out.reshape(x.shape), (cache, x.shape, gamma.shape)


@needs("layernorm_forward", "layernorm_backward")
def layer_norm_backward(user, dy, ctx):
    cache, shape, gamma_shape = ctx
    dx, dgamma, dbeta = user.call("layernorm_backward", dy.reshape(-1, int(np.prod(
        gamma_shape))), cache)
    return dx.reshape(shape), dgamma.reshape(gamma_shape), dbeta.reshape(gamma_shape)


@needs("spatial_groupnorm_forward", "spatial_groupnorm_backward")
def group_norm_forward(user, x, gamma, beta, groups=1, eps=1e-5):
    """gamma and beta (C,) as the assignment's (1, C, 1, 1); x (N, C, ...) as (N, C, H, W)."""
    per_channel = (1, -1, 1, 1)
    out, cache = user.call("spatial_groupnorm_forward", _as_4d(x), gamma.reshape(per_channel),
                           beta.reshape(per_channel), groups, {"eps": eps})
    return out.reshape(x.shape), (cache, x.shape, gamma.shape)


@needs("spatial_groupnorm_forward", "spatial_groupnorm_backward")
def group_norm_backward(user, dy, ctx):
    cache, shape, gamma_shape = ctx
    dx, dgamma, dbeta = user.call("spatial_groupnorm_backward", _as_4d(dy), cache)
    return dx.reshape(shape), dgamma.reshape(gamma_shape), dbeta.reshape(gamma_shape)


@needs("dropout_forward", "dropout_backward")
def dropout_forward(user, x, mask=None, keep_prob=0.5, training=True, rng=None):
    """dropout_param's p is the keep probability, as keep_prob is. The mask is drawn by
    dropout_forward itself, from NumPy's global RNG seeded with dropout_param['seed']
    (drawn from `rng`, so a run is reproducible); a mask given in train mode cannot be
    passed (unless keep_prob = 1, where every unit is kept)."""
    if training and mask is not None and keep_prob < 1:
        raise NotImplementedError("dropout_forward draws its own mask (from NumPy's global "
                                  "RNG): a given mask cannot be passed in train mode")
    dropout_param = {"p": keep_prob, "mode": "train" if training else "test"}
    if training and rng is not None:
        dropout_param["seed"] = int(rng.integers(2**31))
    return user.call("dropout_forward", x, dropout_param)


@needs("dropout_forward", "dropout_backward")
def dropout_backward(user, dy, cache):
    return (user.call("dropout_backward", dy, cache),)


# --- optim.py: the config dict is the state; lr is passed in it at every step ------------


def _optimizer(function: str, keys: dict, unsupported: dict | None = None):
    """NAME_init and NAME_step over the assignment's `function(w, dw, config)`, the
    contract's settings renamed to their config keys. The config is copied before each
    step (the assignment updates it, and sgd updates w, in place)."""

    def settings(given: dict) -> dict:
        for name, value in (unsupported or {}).items():
            if given.get(name, value) != value:
                raise NotImplementedError(f"{function} has no {name}")
        return {keys[name]: value for name, value in given.items() if name in keys}

    @needs(function)
    def init(user, param, **given):
        return settings(given)

    @needs(function)
    def step(user, param, grad, state, lr=None, **given):
        config = {**copy.deepcopy(state), **settings(given)}
        if lr is not None:
            config["learning_rate"] = lr
        return user.call(function, param.copy(), grad, config)

    return init, step


sgd_init, sgd_step = _optimizer("sgd", {}, {"weight_decay": 0.0})
momentum_velocity_init, momentum_velocity_step = _optimizer("sgd_momentum",
                                                            {"beta": "momentum"})
rmsprop_init, rmsprop_step = _optimizer("rmsprop", {"alpha": "decay_rate", "eps": "epsilon"})
adam_init, adam_step = _optimizer("adam", {"beta1": "beta1", "beta2": "beta2",
                                           "eps": "epsilon"})
