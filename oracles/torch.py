"""The torch oracle: each op as PyTorch computes it, in float64, gradients by autograd.

``forward(name, arrays, hyper)`` and ``vjp(name, arrays, hyper, dy, wrt)`` take the op's
inputs as NumPy arrays in the contract's argument order (None for an omitted optional
input, such as linear's bias) and its hyperparameters as a dict of keywords (missing ones
take the contract's defaults). Floating arrays become float64 tensors, integer arrays
(cross_entropy's class indices) int64 tensors. Results come back as float64 NumPy arrays
(int64 for indices), a tuple of them for an op with several outputs; a loss is a 0-d array.

The table ``_OPS`` maps each op name to a function of tensors and keywords built from
``torch.nn.functional`` and torch ops; it is the whole of this oracle's knowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from nnconform.oracles import torch_optim, torch_transformer


def _mse(pred, target, reduction="mean"):
    # "half" is the notes' J = 1/(2m) Σ (h - y)² [002]: half of the mean form.
    if reduction == "half":
        return F.mse_loss(pred, target, reduction="mean") / 2
    return F.mse_loss(pred, target, reduction=reduction)


def _maxout(x, pieces=2):
    if x.shape[-1] % pieces:
        raise ValueError(f"maxout: last axis of x ({x.shape[-1]}) is not divisible by "
                         f"pieces={pieces}")
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces)
    # max over a dim sends the gradient to the one index it returns (not split on ties).
    return groups.max(dim=-1).values


def _binary_cross_entropy(p, target, reduction="mean"):
    return F.binary_cross_entropy(p, target, reduction=reduction)


def _binary_cross_entropy_with_logits(z, target, reduction="mean"):
    return F.binary_cross_entropy_with_logits(z, target, reduction=reduction)


def _cross_entropy(logits, target, reduction="mean"):
    # F.cross_entropy takes class indices (int64, shape (N,)) or class probabilities
    # (float, shape (N, C)) as the target.
    return F.cross_entropy(logits, target, reduction=reduction)


def _pool_size(kernel_size, stride):
    # The contract's stride=None means "the kernel size", as in torch.
    return kernel_size, (kernel_size if stride is None else stride)


def _max_pool2d(x, kernel_size=2, stride=None, padding=0):
    kernel_size, stride = _pool_size(kernel_size, stride)
    return F.max_pool2d(x, kernel_size, stride, padding)


def _avg_pool2d(x, kernel_size=2, stride=None, padding=0, count_include_pad=True):
    kernel_size, stride = _pool_size(kernel_size, stride)
    return F.avg_pool2d(x, kernel_size, stride, padding, count_include_pad=count_include_pad)


def _lp_pool2d(x, norm_type=2.0, kernel_size=2, stride=None):
    kernel_size, stride = _pool_size(kernel_size, stride)
    return F.lp_pool2d(x, norm_type, kernel_size, stride)


def _residual_block(x, w1, b1, w2, b2):
    # a[l+2] = relu(z[l+2] + a[l]) with "same" convolutions at stride 1 [003].
    pad = (w1.shape[-2] // 2, w1.shape[-1] // 2)
    hidden = F.relu(F.conv2d(x, w1, b1, padding=pad))
    return F.relu(F.conv2d(hidden, w2, b2, padding=pad) + x)


def _batch_norm(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
                eps=1e-5):
    # F.batch_norm updates the running statistics in place: update copies, return them.
    mean, var = running_mean.detach().clone(), running_var.detach().clone()
    return F.batch_norm(x, mean, var, gamma, beta, training, momentum, eps), mean, var


def _layer_norm(x, gamma, beta, eps=1e-5):
    # normalized_shape is γ's shape: the statistics are over x's trailing axes it covers.
    return F.layer_norm(x, tuple(gamma.shape), gamma, beta, eps)


def _multiclass_hinge(scores, target, margin=1.0, reduction="mean"):
    # torch's multi_margin_loss divides each example's Σ_{j≠y} max(0, margin - s_y + s_j)
    # by the class count C; the multiclass SVM loss does not, so multiply it back.
    return F.multi_margin_loss(scores, target, p=1, margin=margin,
                               reduction=reduction) * scores.shape[1]


def _temporal_softmax_loss(x, target, mask, reduction="mean"):
    # Per position cross-entropy (T·N rows of V scores); masked positions give 0 (even a
    # NaN there), "mean" divides by the batch size N.
    t, n, v = x.shape
    per_position = F.cross_entropy(x.reshape(t * n, v), target.reshape(t * n),
                                   reduction="none").reshape(t, n)
    total = torch.where(mask.bool(), per_position, torch.zeros_like(per_position)).sum()
    return total / n if reduction == "mean" else total


def _dropout(x, mask, keep_prob=0.5, training=True):
    # torch's dropout draws its own mask; with the mask fixed it is the notes' a·d/keep_prob.
    return x * mask / keep_prob if training else x.clone()


def _embedding_nearest(queries, weight):
    # argmin returns the first of tied minima, the lower row.
    flat = queries.reshape(-1, weight.shape[1])
    return torch.cdist(flat, weight).argmin(dim=1).reshape(queries.shape[:-1])


def _normalize(x, mean=None, std=None):
    if mean is None:
        mean, std = x.mean(dim=0), x.std(dim=0, correction=0)
    return (x - mean) / torch.where(std > 0, std, torch.ones_like(std)), mean, std


def _rnn(x, h0, w_ih, w_hh, b_ih, b_hh):
    module = torch.nn.RNN(x.shape[2], h0.shape[1], dtype=torch.float64)
    y, h_n = torch.func.functional_call(module, _layer0(w_ih, w_hh, b_ih, b_hh), (x, h0[None]))
    return y, h_n[0]


def _lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    module = torch.nn.LSTM(x.shape[2], h0.shape[1], dtype=torch.float64)
    y, (h_n, c_n) = torch.func.functional_call(module, _layer0(w_ih, w_hh, b_ih, b_hh),
                                               (x, (h0[None], c0[None])))
    return y, h_n[0], c_n[0]


def _one_hot(indices, classes=None, dtype="float64"):
    return F.one_hot(indices, -1 if classes is None else classes).to(torch.float64)


def _initialiser(initialise):
    """(z·std, 0) for an explicit standard-normal draw z, with std read off torch's own
    initialiser: it fills a tensor by normal_(0, std) from a generator, which gives std
    times what normal_(0, 1) gives from the same seed."""

    def scaled(z, **hyper):
        seed = torch.Generator().manual_seed
        unit = torch.empty(z.shape, dtype=torch.float64).normal_(generator=seed(0))
        weight = initialise(torch.empty_like(unit), seed(0), **hyper)
        std = (weight * unit).sum() / (unit * unit).sum()
        if not torch.allclose(weight, std * unit, rtol=1e-12, atol=0):
            raise AssertionError("torch's initialiser is not a scaled standard normal draw")
        return z * std, torch.zeros(z.shape[0], dtype=z.dtype)

    return scaled


def _layer0(w_ih, w_hh, b_ih, b_hh):
    """Our weights in place of a one-layer nn.RNN's or nn.LSTM's own."""
    return {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh, "bias_ih_l0": b_ih, "bias_hh_l0": b_hh}


# --- classic learning rules, gradient-descent flavours, whole networks -------------------


def _mp_neuron(x, w, h):
    return (x @ w - h > 0).to(x.dtype)


def _perceptron_step(w, h, x, r, a=0.1):
    error = r - _mp_neuron(x, w, h)
    return w + a * error * x, h - a * error


def _delta_rule(w, x, r, eta=0.5):
    # -η ∂E/∂W for E = ½ Σ (r - σ(x Wᵀ))², by autograd (forward runs under no_grad).
    with torch.enable_grad():
        w = w.detach().clone().requires_grad_(True)
        error = 0.5 * ((r - torch.sigmoid(F.linear(x, w))) ** 2).sum()
        (grad,) = torch.autograd.grad(error, w)
    return -eta * grad


def _hot_cold_step(w, x, target, step=0.1):
    up = F.mse_loss((w + step) * x, target)
    down = F.mse_loss((w - step) * x, target)
    return torch.where(down < up, w - step, torch.where(up < down, w + step, w))


def _logistic_regression_step(w, b, x, y, lr=0.1):
    # A step against autograd's gradient of the mean binary cross-entropy.
    with torch.enable_grad():
        w, b = w.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True)
        loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
        grad_w, grad_b = torch.autograd.grad(loss, (w, b))
    return (w - lr * grad_w).detach(), (b - lr * grad_b).detach()


def _mini_batches(x, y, order, batch_size=64):
    return x[order], y[order], torch.arange(len(order)) // batch_size


def _mlp(x, w1, b1, w2, b2, target, activation="sigmoid", lam=0.0):
    hidden = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation](F.linear(x, w1, b1))
    loss = F.binary_cross_entropy_with_logits(F.linear(hidden, w2, b2), target)
    return loss + lam / (2 * x.shape[0]) * ((w1 ** 2).sum() + (w2 ** 2).sum())


_OPS: dict[str, Callable[..., torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
    "prelu": F.prelu,
    "softmax": lambda x, axis=-1: F.softmax(x, dim=axis),
    "log_softmax": lambda x, axis=-1: F.log_softmax(x, dim=axis),
    "maxout": _maxout,
    "mse": _mse,
    "binary_cross_entropy": _binary_cross_entropy,
    "binary_cross_entropy_with_logits": _binary_cross_entropy_with_logits,
    "cross_entropy": _cross_entropy,
    "multiclass_hinge": _multiclass_hinge,
    "linear": F.linear,  # y = x Wᵀ + b, W of shape (out, in); b may be None
    # NCHW cross-correlation; stride, padding and dilation an int or an (h, w) pair.
    "conv2d": lambda x, w, b=None, stride=1, padding=0, dilation=1, groups=1: F.conv2d(
        x, w, b, stride, padding, dilation, groups),
    "max_pool2d": _max_pool2d,
    "avg_pool2d": _avg_pool2d,
    "lp_pool2d": _lp_pool2d,
    "flatten": lambda x, start_dim=1: torch.flatten(x, start_dim),
    "residual_block": _residual_block,
    "batch_norm": _batch_norm,
    "layer_norm": _layer_norm,
    "group_norm": lambda x, gamma, beta, groups=1, eps=1e-5: F.group_norm(
        x, groups, gamma, beta, eps),
    "normalize": _normalize,
    "one_hot": _one_hot,  # float64 whatever the dtype asked for, like every oracle output
    "one_hot_argmax": lambda one_hot: torch.argmax(one_hot, dim=-1),  # ties: the first
    "small_normal": _initialiser(lambda w, g, scale=0.01: torch.nn.init.normal_(
        w, 0.0, scale, generator=g)),
    # The notes' Xavier, Var = 1/n_in, is torch's gain-1 Kaiming (LeCun); torch's own
    # xavier_normal_ is Glorot's 2/(n_in + n_out).
    "xavier_normal": _initialiser(lambda w, g: torch.nn.init.kaiming_normal_(
        w, mode="fan_in", nonlinearity="linear", generator=g)),
    "glorot_normal": _initialiser(lambda w, g: torch.nn.init.xavier_normal_(w, generator=g)),
    "he_normal": _initialiser(lambda w, g: torch.nn.init.kaiming_normal_(
        w, mode="fan_in", nonlinearity="relu", generator=g)),
    "dropout": _dropout,
    "embedding": F.embedding,  # (indices, weight), the table's rows looked up
    "embedding_nearest": _embedding_nearest,
    "rnn": _rnn,  # time-major (T, N, I), one layer, torch's parameters copied in
    "lstm": _lstm,
    "temporal_affine": F.linear,  # x (T, N, D) @ wᵀ + b at every step, w (M, D)
    "temporal_softmax_loss": _temporal_softmax_loss,
    "mp_neuron": _mp_neuron,
    "perceptron_step": _perceptron_step,
    "delta_rule": _delta_rule,
    "hot_cold_step": _hot_cold_step,
    "logistic_regression_step": _logistic_regression_step,
    "mini_batches": _mini_batches,
    # ŷ = w x + b with the mean squared error [002]
    "linear_regression": lambda w, b, x, y: F.mse_loss(w * x + b, y),
    # J = ½ (Xθ - Y)ᵀ(Xθ - Y) [002]
    "least_squares": lambda theta, x, y: 0.5 * ((x @ theta - y) ** 2).sum(),
    "mlp": _mlp,
}
_OPS.update(torch_optim.OPTIMIZERS)  # (param, grads, lr, decay_rate, ...) -> trajectory
_OPS.update(torch_transformer.OPS)  # gelu, silu, swiglu, rms_norm, rope, attention

SUPPORTED: frozenset[str] = frozenset(_OPS)
"""The op names this oracle has a truth for."""


def function(name: str) -> Callable[..., torch.Tensor]:
    """The op as a function of float64 tensors and the contract's keywords."""
    try:
        return _OPS[name]
    except KeyError:
        raise KeyError(f"the torch oracle has no op {name!r}; it supports "
                       f"{', '.join(sorted(SUPPORTED))}") from None


def _to_tensor(array, requires_grad: bool = False, keep_dtype: bool = False
               ) -> torch.Tensor | None:
    if array is None:
        return None
    array = np.asarray(array)
    if array.dtype.kind in "iub":
        if requires_grad:
            raise ValueError("cannot differentiate with respect to an integer input")
        return torch.from_numpy(array.astype(np.int64))
    if array.dtype.kind != "f":
        raise TypeError(f"the torch oracle takes float or integer arrays, got {array.dtype}")
    # astype copies: inputs stay intact
    tensor = torch.from_numpy(array.astype(array.dtype if keep_dtype else np.float64))
    return tensor.requires_grad_(requires_grad)


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    if not tensor.is_floating_point():  # indices stay integers
        return tensor.detach().to(torch.int64).numpy().copy()
    return tensor.detach().to(torch.float64).numpy().copy()


def forward(name: str, arrays: Sequence, hyper: dict | None = None, keep_dtype: bool = False):
    """The op's output as PyTorch computes it in float64 (or, with keep_dtype, in the
    arrays' own float dtypes); a tuple of them for an op with several outputs."""
    op = function(name)
    tensors = [_to_tensor(a, keep_dtype=keep_dtype) for a in arrays]
    with torch.no_grad():
        y = op(*tensors, **(hyper or {}))
    return tuple(_to_numpy(t) for t in y) if isinstance(y, tuple) else _to_numpy(y)


def _pair_upstream(name: str, outputs, dy) -> tuple[list, list]:
    """The outputs that get an upstream gradient and those gradients, as tensors."""
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    dys = dy if isinstance(dy, tuple) else (dy,)
    if len(dys) != len(outputs):
        raise ValueError(f"{name}: {len(dys)} upstream gradient(s) for {len(outputs)} outputs")
    pairs = [(y, torch.as_tensor(np.asarray(d, dtype=np.float64)))
             for y, d in zip(outputs, dys, strict=True) if d is not None]
    for y, d in pairs:
        if d.shape != y.shape:
            raise ValueError(f"{name}: an upstream gradient has shape {tuple(d.shape)}, "
                             f"expected its output's shape {tuple(y.shape)}")
    return [y for y, _ in pairs], [d for _, d in pairs]


def vjp(name: str, arrays: Sequence, hyper: dict | None, dy, wrt: Sequence[int]) -> tuple:
    """Gradients of Σ ⟨dy_k, output_k⟩ with respect to arrays[i] for each i in `wrt`, by
    torch.autograd in float64; None for an input passed as None. `dy` is one array for an
    op with one output, else a tuple with one entry per output (None: no gradient)."""
    op = function(name)
    wrt = tuple(int(i) for i in wrt)
    tensors = [_to_tensor(a, requires_grad=i in wrt and a is not None)
               for i, a in enumerate(arrays)]
    with torch.enable_grad():
        outputs, upstream = _pair_upstream(name, op(*tensors, **(hyper or {})), dy)
        inputs = [tensors[i] for i in wrt if tensors[i] is not None]
        grads = torch.autograd.grad(outputs, inputs, grad_outputs=upstream, allow_unused=True)
    by_index = dict(zip((i for i in wrt if tensors[i] is not None), grads, strict=True))
    result = []
    for i in wrt:
        if tensors[i] is None:
            result.append(None)
        elif by_index[i] is None:  # y does not depend on this input: zero gradient
            result.append(np.zeros(tuple(tensors[i].shape), dtype=np.float64))
        else:
            result.append(_to_numpy(by_index[i]))
    return tuple(result)
