"""torch.nn.functional's names and signatures on tensors, with autograd for the backward:
how kernel authors write replacements (a custom torch.autograd.Function, or a Triton
kernel behind one). `nnconform check --style functional --impl my_kernels.py`.

The user's module defines functions under torch's names (relu, linear, conv2d,
batch_norm, cross_entropy, ...) with torch's signatures; any it lacks is "not
implemented". Each NAME_forward turns the NumPy arrays into tensors of the same dtype, on
the device the module names in `DEVICE` (default "cpu"), with requires_grad on the
inputs the op differentiates, calls the user's function and returns NumPy; ctx keeps the
input tensors and the outputs, and NAME_backward is torch.autograd.grad of those outputs
with the upstream gradients (None for an omitted optional input, such as bias=None).

- A hyperparameter the harness leaves out is left out of the call too, so the user's
  defaults are checked against the contract's, which are torch's, except where torch has
  none or another (softmax's dim, flatten's start_dim, pooling's kernel_size, batch_norm's
  training): those are always passed.
- An input changed in place (an autograd.Function writing into its input) is copied back
  into the caller's array, so the contract check sees what the user's code did.
- torch.nn.functional.dropout draws its own mask: train mode with the table's explicit
  mask is unsupported (except keep_prob = 1, where every unit is kept), and is checked
  by the dropout invariants, which leave the mask to a numpy Generator: torch's generator
  is seeded from it (inside torch.random.fork_rng), so every run draws the same masks.
- mse's "half" variant is mse_loss(reduction="mean") / 2; multiclass_hinge is
  multi_margin_loss times the class count C (torch divides each example's sum by C);
  layer_norm's normalized_shape is gamma.shape; temporal_affine is linear on (T, N, D);
  temporal_softmax_loss is cross_entropy(reduction="none") over the T·N positions,
  masked and summed (divided by N for "mean").
- A user function that does not support a dtype or a configuration raises;
  NotImplementedError there is reported "unsupported", anything else fails.
"""

from __future__ import annotations

import numpy as np
import torch

from nnconform.properties.styles.base import LEFT_OUT, needs
from nnconform.properties.styles.functional_autograd import backward_of, device_of, run


def _given(**hyper) -> dict:
    """The keywords the harness passed (the user's defaults apply to the others)."""
    return {key: value for key, value in hyper.items() if value is not LEFT_OUT}


def _or(value, default):
    return default if value is LEFT_OUT else value


# --- activations -------------------------------------------------------------------------


def _elementwise(name: str):
    @needs(name)
    def forward(user, x):
        return run(user, name, (x,), (0,), lambda x: user.call(name, x))

    return forward


sigmoid_forward = _elementwise("sigmoid")
sigmoid_backward = backward_of(sigmoid_forward)
tanh_forward = _elementwise("tanh")
tanh_backward = backward_of(tanh_forward)
relu_forward = _elementwise("relu")
relu_backward = backward_of(relu_forward)
sign_forward = _elementwise("sign")  # torch.sign: derivative 0
sign_backward = backward_of(sign_forward)


@needs("leaky_relu")
def leaky_relu_forward(user, x, negative_slope=LEFT_OUT):
    hyper = _given(negative_slope=negative_slope)
    return run(user, "leaky_relu", (x,), (0,), lambda x: user.call("leaky_relu", x, **hyper))


leaky_relu_backward = backward_of(leaky_relu_forward)


@needs("prelu")
def prelu_forward(user, x, a):
    return run(user, "prelu", (x, a), (0, 1), lambda x, a: user.call("prelu", x, a))


prelu_backward = backward_of(prelu_forward)


@needs("softmax")
def softmax_forward(user, x, axis=-1):
    return run(user, "softmax", (x,), (0,), lambda x: user.call("softmax", x, dim=axis))


softmax_backward = backward_of(softmax_forward)


@needs("log_softmax")
def log_softmax_forward(user, x, axis=-1):
    return run(user, "log_softmax", (x,), (0,),
                lambda x: user.call("log_softmax", x, dim=axis))


log_softmax_backward = backward_of(log_softmax_forward)


# --- losses ------------------------------------------------------------------------------


@needs("mse_loss")
def mse_forward(user, pred, target, reduction=LEFT_OUT):
    def call(pred, target):
        if reduction == "half":  # the notes' 1/(2m) Σ: half of the mean
            return user.call("mse_loss", pred, target, reduction="mean") / 2
        return user.call("mse_loss", pred, target, **_given(reduction=reduction))

    return run(user, "mse_loss", (pred, target), (0,), call)


mse_backward = backward_of(mse_forward)


def _loss(name: str, op_name: str):
    @needs(name)
    def forward(user, pred, target, reduction=LEFT_OUT):
        hyper = _given(reduction=reduction)
        return run(user, name, (pred, target), (0,),
                    lambda pred, target: user.call(name, pred, target, **hyper))

    forward.__name__ = f"{op_name}_forward"
    return forward


binary_cross_entropy_forward = _loss("binary_cross_entropy", "binary_cross_entropy")
binary_cross_entropy_backward = backward_of(binary_cross_entropy_forward)
binary_cross_entropy_with_logits_forward = _loss("binary_cross_entropy_with_logits",
                                                 "binary_cross_entropy_with_logits")
binary_cross_entropy_with_logits_backward = backward_of(binary_cross_entropy_with_logits_forward)
cross_entropy_forward = _loss("cross_entropy", "cross_entropy")  # indices or probabilities
cross_entropy_backward = backward_of(cross_entropy_forward)


@needs("multi_margin_loss")
def multiclass_hinge_forward(user, scores, target, margin=LEFT_OUT, reduction=LEFT_OUT):
    # torch divides each example's Σ_{j≠y} max(0, Δ - s_y + s_j) by C; the SVM loss does not.
    hyper = _given(margin=margin, reduction=reduction)
    return run(user, "multi_margin_loss", (scores, target), (0,),
                lambda scores, target: user.call("multi_margin_loss", scores, target, **hyper)
                * scores.shape[1])


multiclass_hinge_backward = backward_of(multiclass_hinge_forward)


@needs("cross_entropy")
def temporal_softmax_loss_forward(user, x, target, mask, reduction="mean"):
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction: {reduction!r}; expected 'mean' or 'sum'")

    def call(x, target, mask):
        t, n, v = x.shape
        per_position = user.call("cross_entropy", x.reshape(t * n, v), target.reshape(t * n),
                                 reduction="none").reshape(t, n)
        total = torch.where(mask, per_position, torch.zeros_like(per_position)).sum()
        return total / n if reduction == "mean" else total

    return run(user, "cross_entropy", (x, target, mask), (0,), call)


temporal_softmax_loss_backward = backward_of(temporal_softmax_loss_forward)


# --- layers ------------------------------------------------------------------------------


@needs("linear")
def linear_forward(user, x, w, b=None):
    return run(user, "linear", (x, w, b), (0, 1, 2),
                lambda x, w, b: user.call("linear", x, w, b))


linear_backward = backward_of(linear_forward)
temporal_affine_forward = linear_forward  # linear on x (T, N, D), w (M, D)
temporal_affine_backward = linear_backward


@needs("conv2d")
def conv2d_forward(user, x, w, b=None, stride=LEFT_OUT, padding=LEFT_OUT,
                   dilation=LEFT_OUT, groups=LEFT_OUT):
    hyper = _given(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return run(user, "conv2d", (x, w, b), (0, 1, 2),
                lambda x, w, b: user.call("conv2d", x, w, b, **hyper))


conv2d_backward = backward_of(conv2d_forward)


@needs("flatten")
def flatten_forward(user, x, start_dim=1):  # torch.flatten's own default is 0
    return run(user, "flatten", (x,), (0,),
                lambda x: user.call("flatten", x, start_dim=start_dim))


flatten_backward = backward_of(flatten_forward)


@needs("embedding")
def embedding_forward(user, indices, weight):
    return run(user, "embedding", (indices, weight), (1,),
                lambda indices, weight: user.call("embedding", indices, weight))


embedding_backward = backward_of(embedding_forward)


@needs("one_hot")
def one_hot_forward(user, indices, classes=None, dtype="float64"):
    # torch's one_hot returns int64 by definition; the contract's is of the float `dtype`.
    y, _ = run(user, "one_hot", (indices,), (), lambda indices: user.call(
        "one_hot", indices, -1 if classes is None else classes).to(getattr(torch, dtype)))
    return y, None


# --- pooling -----------------------------------------------------------------------------


@needs("max_pool2d")
def max_pool2d_forward(user, x, kernel_size=2, stride=LEFT_OUT, padding=LEFT_OUT):
    hyper = _given(stride=stride, padding=padding)
    return run(user, "max_pool2d", (x,), (0,),
                lambda x: user.call("max_pool2d", x, kernel_size, **hyper))


max_pool2d_backward = backward_of(max_pool2d_forward)


@needs("avg_pool2d")
def avg_pool2d_forward(user, x, kernel_size=2, stride=LEFT_OUT, padding=LEFT_OUT,
                       count_include_pad=LEFT_OUT):
    hyper = _given(stride=stride, padding=padding, count_include_pad=count_include_pad)
    return run(user, "avg_pool2d", (x,), (0,),
                lambda x: user.call("avg_pool2d", x, kernel_size, **hyper))


avg_pool2d_backward = backward_of(avg_pool2d_forward)


@needs("lp_pool2d")
def lp_pool2d_forward(user, x, norm_type=2.0, kernel_size=2, stride=LEFT_OUT):
    hyper = _given(stride=stride)
    return run(user, "lp_pool2d", (x,), (0,),
                lambda x: user.call("lp_pool2d", x, norm_type, kernel_size, **hyper))


lp_pool2d_backward = backward_of(lp_pool2d_forward)


# --- normalisation -----------------------------------------------------------------------


@needs("batch_norm")
def batch_norm_forward(user, x, gamma, beta, running_mean, running_var, training=True,
                       momentum=LEFT_OUT, eps=LEFT_OUT):
    # F.batch_norm updates the running statistics in place: it is given tensors of its
    # own, which come back as the contract's new running statistics.
    hyper = _given(momentum=momentum, eps=eps)

    def call(x, gamma, beta, mean, var):
        y = user.call("batch_norm", x, mean, var, gamma, beta, training=training, **hyper)
        return y, mean, var

    return run(user, "batch_norm", (x, gamma, beta, running_mean, running_var), (0, 1, 2),
                call, owned=(3, 4))


batch_norm_backward = backward_of(batch_norm_forward)


@needs("layer_norm")
def layer_norm_forward(user, x, gamma, beta, eps=LEFT_OUT):
    hyper = _given(eps=eps)
    return run(user, "layer_norm", (x, gamma, beta), (0, 1, 2), lambda x, gamma, beta:
                user.call("layer_norm", x, tuple(gamma.shape), gamma, beta, **hyper))


layer_norm_backward = backward_of(layer_norm_forward)


@needs("group_norm")
def group_norm_forward(user, x, gamma, beta, groups=1, eps=LEFT_OUT):
    hyper = _given(eps=eps)
    return run(user, "group_norm", (x, gamma, beta), (0, 1, 2), lambda x, gamma, beta:
                user.call("group_norm", x, groups, gamma, beta, **hyper))


group_norm_backward = backward_of(group_norm_forward)


# --- dropout -----------------------------------------------------------------------------


@needs("dropout")
def dropout_forward(user, x, mask=None, keep_prob=LEFT_OUT, training=LEFT_OUT, rng=None):
    hyper = _given(p=LEFT_OUT if keep_prob is LEFT_OUT else 1 - keep_prob,
                   training=training)
    if _or(training, True) and mask is not None:
        if _or(keep_prob, 0.5) != 1 or not np.all(mask):
            raise NotImplementedError(
                "torch.nn.functional.dropout draws its own mask, so a given mask cannot be "
                "applied; train mode is checked by the dropout invariants, with the mask "
                "left to a numpy Generator")
        rng = np.random.default_rng(0)  # keep_prob = 1 keeps every unit: any draw will do
    if not _or(training, True):
        rng = None
    device = device_of(user)

    def call(x):
        if rng is None:
            return user.call("dropout", x, **hyper)
        forked = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=forked, device_type=device.type):
            torch.manual_seed(int(rng.integers(2**63)))
            return user.call("dropout", x, **hyper)

    return run(user, "dropout", (x,), (0,), call)


dropout_backward = backward_of(dropout_forward)
