"""The torch oracle for optimizers: trajectories as torch.optim steps them, in float64.

Each entry maps (param, grads, lr, decay_rate, **settings) as tensors and keywords to the
parameter after every step, (T, *param.shape). Step t (from 0) runs at the notes' decayed
rate lr/(1 + decay_rate·t) [003], set on the optimizer's param group before the step.

The notes' momentum in the [003] form, v = βv + (1 - β)g, w = w - αv, is torch's SGD
momentum (buf = β buf + g) with the rate scaled by 1 - β, for any schedule: v = (1 - β)
buf at every step. Its [002] and [004] forms match torch only at a constant rate, so they
have no entry here (their oracle is the closed form, and a property relates the three).
sgd_momentum is torch's SGD momentum itself, at rate α.
"""

from __future__ import annotations

import torch


def _trajectory(optimizer, translate, lr_scale=lambda settings: 1.0):
    def run(param, grads, lr=0.01, decay_rate=0.0, **settings):
        leaf = param.detach().clone().requires_grad_(True)
        scale = lr_scale(settings)
        step = optimizer([leaf], lr=lr * scale, **translate(settings))
        path = []
        for t, grad in enumerate(grads):
            for group in step.param_groups:
                group["lr"] = lr * scale / (1 + decay_rate * t)
            leaf.grad = grad.clone()
            step.step()
            path.append(leaf.detach().clone())
        return torch.stack(path) if path else param.new_empty((0, *param.shape))

    return run


def _adam(settings):
    return {"betas": (settings.get("beta1", 0.9), settings.get("beta2", 0.999)),
            "eps": settings.get("eps", 1e-8), **(
                {"weight_decay": settings["weight_decay"]} if "weight_decay" in settings
                else {})}


OPTIMIZERS = {
    "sgd": _trajectory(torch.optim.SGD,
                       lambda s: {"weight_decay": s.get("weight_decay", 0.0)}),
    # torch's own SGD momentum, undampened: buf = β buf + g, w = w - α buf
    "sgd_momentum": _trajectory(torch.optim.SGD, lambda s: {"momentum": s.get("beta", 0.9)}),
    "momentum_average": _trajectory(torch.optim.SGD,
                                    lambda s: {"momentum": s.get("beta", 0.9)},
                                    lr_scale=lambda s: 1 - s.get("beta", 0.9)),
    # torch refuses nesterov without momentum; with β = 0 it is plain SGD anyway
    "nesterov": _trajectory(torch.optim.SGD, lambda s: {"momentum": s.get("beta", 0.9),
                                                        "nesterov": s.get("beta", 0.9) > 0}),
    "adagrad": _trajectory(torch.optim.Adagrad, lambda s: {"eps": s.get("eps", 1e-10)}),
    "adadelta": _trajectory(torch.optim.Adadelta,
                            lambda s: {"rho": s.get("rho", 0.9), "eps": s.get("eps", 1e-6)}),
    "rmsprop": _trajectory(torch.optim.RMSprop,
                           lambda s: {"alpha": s.get("alpha", 0.99), "eps": s.get("eps", 1e-8)}),
    "adam": _trajectory(torch.optim.Adam, _adam),
    "adamw": _trajectory(torch.optim.AdamW,
                         lambda s: _adam({"weight_decay": 0.01, **s})),
}
