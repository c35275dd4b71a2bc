"""A correct implementation of the contract that computes on torch tensors.

It exercises the array-conversion hook (the harness hands it tensors and takes tensors
back) and shows the suite raises no false alarms on an implementation it did not write:
forward is plain torch, backward is torch.autograd on the graph kept in ctx.
"""

import numpy as np
import torch
import torch.nn.functional as F

from nnconform.oracles import torch as torch_oracle


def to_native(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(array))  # a copy: the suite's arrays stay untouched


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().numpy().copy()


def _mse(pred, target, reduction="mean"):
    if reduction == "half":
        return F.mse_loss(pred, target) / 2
    return F.mse_loss(pred, target, reduction=reduction)


def _maxout(x, pieces=2):
    return x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces).max(dim=-1).values


def _step(x):
    return (x > 0).to(x.dtype) + 0 * x  # keeps the graph: derivative 0


def _penalty(kind):
    def penalty(w, lam=0.01, m=1):
        return lam / (2 * m) * (w * w).sum() if kind == 2 else lam / m * w.abs().sum()

    return penalty


def _residual_block(x, w1, b1, w2, b2):
    pad = w1.shape[-1] // 2
    return torch.relu(F.conv2d(torch.relu(F.conv2d(x, w1, b1, padding=pad)), w2, b2,
                               padding=pad) + x)


def _batch_norm(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1,
                eps=1e-5):
    mean, var = running_mean.clone(), running_var.clone()  # updated in place by torch
    return F.batch_norm(x, mean, var, gamma, beta, training, momentum, eps), mean, var


def _dropout(x, mask=None, keep_prob=0.5, training=True, rng=None):
    if not training:
        return x.clone()
    if mask is None:
        mask = torch.from_numpy((rng or np.random.default_rng()).random(tuple(x.shape))
                                < keep_prob)
    return x * mask / keep_prob


def _recurrent(module_type):
    def run(x, *states_and_weights):
        count = len(states_and_weights) - 4
        states, (w_ih, w_hh, b_ih, b_hh) = states_and_weights[:count], states_and_weights[count:]
        module = module_type(x.shape[2], w_hh.shape[1], dtype=x.dtype)
        parameters = {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh, "bias_ih_l0": b_ih,
                      "bias_hh_l0": b_hh}
        initial = states[0][None] if count == 1 else tuple(s[None] for s in states)
        y, final = torch.func.functional_call(module, parameters, (x, initial))
        return (y, final[0]) if count == 1 else (y, final[0][0], final[1][0])

    return run


def _temporal_softmax_loss(x, target, mask, reduction="mean"):
    t, n, v = x.shape
    losses = F.cross_entropy(x.reshape(t * n, v), target.reshape(t * n), reduction="none")
    total = torch.where(mask.reshape(t * n), losses, 0.0).sum()
    return total / n if reduction == "mean" else total


FUNCTIONS = {
    "step": _step,
    "sign": torch.sign,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
    "prelu": F.prelu,
    "identity": lambda x: x.clone(),
    "softmax": lambda x, axis=-1: torch.softmax(x, dim=axis),
    "log_softmax": lambda x, axis=-1: torch.log_softmax(x, dim=axis),
    "maxout": _maxout,
    "mse": _mse,
    "binary_cross_entropy": lambda p, t, reduction="mean": F.binary_cross_entropy(
        p, t, reduction=reduction),
    "binary_cross_entropy_with_logits": lambda z, t, reduction="mean": (
        F.binary_cross_entropy_with_logits(z, t, reduction=reduction)),
    "cross_entropy": lambda z, t, reduction="mean": F.cross_entropy(z, t, reduction=reduction),
    # multi_margin_loss divides each example's sum by the class count C: multiply it back
    "multiclass_hinge": lambda s, t, margin=1.0, reduction="mean": F.multi_margin_loss(
        s, t, margin=margin, reduction=reduction) * s.shape[1],
    "temporal_softmax_loss": _temporal_softmax_loss,
    "l2_penalty": _penalty(2),
    "l1_penalty": _penalty(1),
    "linear": F.linear,
    "conv2d": F.conv2d,
    "max_pool2d": lambda x, kernel_size=2, stride=None, padding=0: F.max_pool2d(
        x, kernel_size, stride, padding),
    "avg_pool2d": lambda x, kernel_size=2, stride=None, padding=0, count_include_pad=True: (
        F.avg_pool2d(x, kernel_size, stride, padding, count_include_pad=count_include_pad)),
    "lp_pool2d": lambda x, norm_type=2.0, kernel_size=2, stride=None: F.lp_pool2d(
        x, norm_type, kernel_size, stride),
    "flatten": lambda x, start_dim=1: torch.flatten(x, start_dim),
    "residual_block": _residual_block,
    "batch_norm": _batch_norm,
    "layer_norm": lambda x, gamma, beta, eps=1e-5: F.layer_norm(x, gamma.shape, gamma, beta,
                                                                eps),
    "group_norm": lambda x, gamma, beta, groups=1, eps=1e-5: F.group_norm(x, groups, gamma,
                                                                          beta, eps),
    "dropout": _dropout,
    "embedding": F.embedding,
    "rnn": _recurrent(torch.nn.RNN),
    "lstm": _recurrent(torch.nn.LSTM),
    "temporal_affine": F.linear,
    "gelu": lambda x, approximate="none": F.gelu(x, approximate=approximate),
    "silu": F.silu,
    "swiglu": lambda x, w1, w3: F.silu(F.linear(x, w1)) * F.linear(x, w3),
    "rms_norm": lambda x, weight, eps=1e-6: F.rms_norm(x, weight.shape, weight, eps),
    # torch has no rotary embedding, and its attention takes neither a 1-d mask nor a mask
    # with is_causal: the oracle's wrappers of complex multiplication and F.sdpa
    "rotary_embedding": torch_oracle.function("rotary_embedding"),
    "scaled_dot_product_attention": torch_oracle.function("scaled_dot_product_attention"),
}
# Forward-only ops: plain torch expressions, the torch oracle's own.
FORWARD_ONLY = {name: torch_oracle.function(name) for name in ("embedding_nearest", "normalize")}
# Differentiable inputs by position; the rest (targets, indices, statistics) are data.
DIFFERENTIABLE = {"prelu": (0, 1), "linear": (0, 1, 2), "conv2d": (0, 1, 2),
                  "residual_block": (0, 1, 2, 3, 4), "batch_norm": (0, 1, 2),
                  "layer_norm": (0, 1, 2), "group_norm": (0, 1, 2), "temporal_affine": (0, 1, 2),
                  "embedding": (1,), "rnn": tuple(range(6)), "lstm": tuple(range(7)),
                  "swiglu": (0, 1, 2), "rms_norm": (0, 1),
                  "scaled_dot_product_attention": (0, 1, 2)}
# Outputs that take an upstream gradient, when not all of them do.
UPSTREAM = {"batch_norm": 1}


def _define(name, function):
    wrt = DIFFERENTIABLE.get(name, (0,))

    def forward(*arrays, **hyper):
        inputs = [a.detach().clone().requires_grad_(i in wrt and a.is_floating_point())
                  if a is not None else None for i, a in enumerate(arrays)]
        y = function(*inputs, **hyper)
        outputs = y if isinstance(y, tuple) else (y,)
        copies = tuple(t.detach().clone() for t in outputs)
        graph = outputs[:UPSTREAM.get(name, len(outputs))]
        return (copies if isinstance(y, tuple) else copies[0]), (graph, [inputs[i] for i in wrt])

    def backward(*dys_and_ctx):
        *dys, (outputs, inputs) = dys_and_ctx
        live = [x for x in inputs if x is not None]
        grads = iter(torch.autograd.grad(outputs, live, dys, retain_graph=True,
                                         allow_unused=True))
        out = []
        for x in inputs:
            grad = None if x is None else next(grads)
            out.append(torch.zeros_like(x) if grad is None and x is not None else grad)
        return tuple(out)

    globals()[f"{name}_forward"], globals()[f"{name}_backward"] = forward, backward


def _define_forward_only(name, function):
    def forward(*arrays, **hyper):
        with torch.no_grad():
            y = function(*arrays, **hyper)
        return (tuple(y) if isinstance(y, tuple) else y), None

    globals()[f"{name}_forward"] = forward


for _name, _function in FUNCTIONS.items():
    _define(_name, _function)
for _name, _function in FORWARD_ONLY.items():
    _define_forward_only(_name, _function)


# --- optimizers: pure NAME_init / NAME_step on tensors ------------------------------------
# torch.optim itself where torch has the optimizer: each step clones param into a fresh
# leaf, loads clones of the state we carry into a fresh optimizer, steps, and hands back
# the leaf and the optimizer's new state, so nothing it was given is written to. Our state
# keys -> torch's state keys, and our hyperparameters -> torch's.

_TORCH_OPTIMIZERS = {
    # name: (constructor, {our state key: torch's}, counted, our defaults, to torch kwargs)
    "sgd": (torch.optim.SGD, {}, False, {"lr": 0.01, "weight_decay": 0.0}, dict),
    # torch refuses nesterov=True at momentum 0, where it is plain SGD (buf goes unused)
    "sgd_momentum": (torch.optim.SGD, {"buf": "momentum_buffer"}, False,
                     {"lr": 0.01, "beta": 0.9}, lambda lr, beta: {"lr": lr, "momentum": beta}),
    "nesterov": (torch.optim.SGD, {"buf": "momentum_buffer"}, False, {"lr": 0.01, "beta": 0.9},
                 lambda lr, beta: {"lr": lr, "momentum": beta, "nesterov": beta > 0}),
    "adagrad": (torch.optim.Adagrad, {"r": "sum"}, False, {"lr": 0.01, "eps": 1e-10}, dict),
    "adadelta": (torch.optim.Adadelta, {"s": "square_avg", "u": "acc_delta"}, False,
                 {"lr": 1.0, "rho": 0.9, "eps": 1e-6}, dict),
    "rmsprop": (torch.optim.RMSprop, {"s": "square_avg"}, False,
                {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, dict),
    "adam": (torch.optim.Adam, {"m": "exp_avg", "v": "exp_avg_sq"}, True,
             {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
             lambda lr, beta1, beta2, eps: {"lr": lr, "betas": (beta1, beta2), "eps": eps}),
    "adamw": (torch.optim.AdamW, {"m": "exp_avg", "v": "exp_avg_sq"}, True,
              {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
              lambda lr, beta1, beta2, eps, weight_decay: {
                  "lr": lr, "betas": (beta1, beta2), "eps": eps, "weight_decay": weight_decay}),
}


def _define_torch_optimizer(name, constructor, keys, counted, defaults, to_torch):
    def init(param, **hyper):
        return {**{key: torch.zeros_like(param) for key in keys}, **({"t": 0} if counted else {})}

    def step(param, grad, state, **hyper):
        leaf = param.detach().clone().requires_grad_()
        optimizer = constructor([leaf], **to_torch(**{**defaults, **hyper}))
        # The step count matters to Adam's bias correction only; torch keeps it as a tensor.
        optimizer.state[leaf] = {**{theirs: state[ours].clone() for ours, theirs in keys.items()},
                                 "step": torch.tensor(float(state.get("t", 0)))}
        leaf.grad = grad.clone()
        optimizer.step()
        torch_state = optimizer.state[leaf]
        new_state = {ours: torch_state[theirs].detach() for ours, theirs in keys.items()}
        if counted:
            new_state["t"] = int(torch_state["step"])
        return leaf.detach(), new_state

    globals()[f"{name}_init"], globals()[f"{name}_step"] = init, step


for _name, _spec in _TORCH_OPTIMIZERS.items():
    _define_torch_optimizer(_name, *_spec)


# The three momentum forms of the notes, in torch arithmetic: (new v, new w) as functions
# of (v, g, lr, beta) and (w, new v, lr). torch.optim.SGD(momentum=β) is none of them exactly.
_MOMENTUM_FORMS = {
    "momentum_velocity": (lambda v, g, lr, beta: beta * v - lr * g, lambda w, v, lr: w + v),
    "momentum_step": (lambda v, g, lr, beta: beta * v + lr * g, lambda w, v, lr: w - v),
    "momentum_average": (lambda v, g, lr, beta: beta * v + (1 - beta) * g,
                         lambda w, v, lr: w - lr * v),
}


def _define_momentum(name, velocity, update):
    def init(param, beta=0.9):
        return {"v": torch.zeros_like(param)}

    def step(param, grad, state, lr=0.01, beta=0.9):
        v = velocity(state["v"], grad, lr, beta)
        return update(param, v, lr), {"v": v}

    globals()[f"{name}_init"], globals()[f"{name}_step"] = init, step


for _name, _forms in _MOMENTUM_FORMS.items():
    _define_momentum(_name, *_forms)


def lr_decay_forward(epoch, lr0=0.1, decay_rate=1.0):
    return lr0 / (1 + decay_rate * epoch), None


def ewa_forward(series, beta=0.9, bias_correction=False):
    v, averages = torch.zeros_like(series[0]), []
    for t, theta in enumerate(series, start=1):
        v = beta * v + (1 - beta) * theta
        averages.append(v / (1 - beta**t) if bias_correction else v)
    return torch.stack(averages) if averages else series.clone(), None


# --- data and initialisers


def _torch_dtype(dtype):
    return getattr(torch, np.dtype(dtype).name)


def one_hot_forward(indices, classes=None, dtype="float64"):
    return F.one_hot(indices.long(), -1 if classes is None else classes).to(
        _torch_dtype(dtype)), None


def one_hot_argmax_forward(one_hot):
    return torch.argmax(one_hot, dim=-1), None  # the first of tied maxima


def precision_recall_f1_forward(predicted, target):
    said, real = predicted == 1, target == 1
    true_pos = (said & real).sum().double()
    false_pos, false_neg = (said & ~real).sum().double(), (~said & real).sum().double()

    def ratio(numerator, denominator):  # 0/0 is 0
        return torch.where(denominator > 0, numerator / denominator.clamp(min=1),
                           0.0).to(predicted.dtype)

    return (ratio(true_pos, true_pos + false_pos), ratio(true_pos, true_pos + false_neg),
            ratio(2 * true_pos, 2 * true_pos + false_pos + false_neg)), None


def _define_initialiser(name, fill):
    """An explicit draw z is scaled as the torch oracle does; otherwise torch's own
    initialiser fills the weight from a torch generator seeded from `rng`."""
    scaled = torch_oracle.function(name)

    def forward(z=None, shape=None, dtype=None, rng=None, **hyper):
        if z is not None:
            return scaled(z, **hyper), None
        seed = int((rng or np.random.default_rng()).integers(2**63))
        weight = torch.empty(shape, dtype=_torch_dtype(dtype or "float64"))
        fill(weight, torch.Generator().manual_seed(seed), **hyper)
        return (weight, torch.zeros(shape[0], dtype=weight.dtype)), None

    globals()[f"{name}_forward"] = forward


_INITIALISERS = {
    "small_normal": lambda w, g, scale=0.01: torch.nn.init.normal_(w, 0.0, scale, generator=g),
    "xavier_normal": lambda w, g: torch.nn.init.kaiming_normal_(
        w, mode="fan_in", nonlinearity="linear", generator=g),
    "glorot_normal": lambda w, g: torch.nn.init.xavier_normal_(w, generator=g),
    "he_normal": lambda w, g: torch.nn.init.kaiming_normal_(
        w, mode="fan_in", nonlinearity="relu", generator=g),
}
for _name, _fill in _INITIALISERS.items():
    _define_initialiser(_name, _fill)


# --- classic rules and networks ----------------------------------------------------------


def mp_neuron_forward(x, w, h):
    return (x @ w - h > 0).to(x.dtype), None


def perceptron_step_forward(w, h, x, r, a=0.1):
    error = r - mp_neuron_forward(x, w, h)[0]
    return (w + a * error * x, h - a * error), None


def delta_rule_forward(w, x, r, eta=0.5):
    y = torch.sigmoid(F.linear(x, w))
    delta = ((r - y) * y * (1 - y)).reshape(-1, w.shape[0])
    return eta * delta.T @ x.reshape(-1, w.shape[1]), None


def hot_cold_step_forward(w, x, target, step=0.1):
    up, down = F.mse_loss((w + step) * x, target), F.mse_loss((w - step) * x, target)
    return (w - step if down < up else w + step if up < down else w.clone()), None


def logistic_regression_step_forward(w, b, x, y, lr=0.1):
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
    grad_w, grad_b = torch.autograd.grad(loss, (w, b))
    return ((w - lr * grad_w).detach(), (b - lr * grad_b).detach()), None


def mini_batches_forward(x, y, order=None, batch_size=64, rng=None):
    if order is None:
        order = torch.from_numpy((rng or np.random.default_rng()).permutation(len(x)))
    return (x[order], y[order], torch.arange(len(x)) // batch_size), None


def _mlp(x, w1, b1, w2, b2, target, activation="sigmoid", lam=0.0):
    hidden = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation](F.linear(x, w1, b1))
    loss = F.binary_cross_entropy_with_logits(F.linear(hidden, w2, b2), target)
    return loss + lam / (2 * len(x)) * ((w1 * w1).sum() + (w2 * w2).sum())


_NETWORKS = {
    "linear_regression": lambda w, b, x, y: F.mse_loss(w * x + b, y),
    "least_squares": lambda theta, x, y: ((x @ theta - y) ** 2).sum() / 2,
    "mlp": _mlp,
}
DIFFERENTIABLE.update({"linear_regression": (0, 1), "mlp": (0, 1, 2, 3, 4)})
for _name, _function in _NETWORKS.items():
    _define(_name, _function)
