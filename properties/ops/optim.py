"""Optimizers and schedules (catalog §4, docs/notes.md): their table entries and invariants.

An optimizer is checked on whole trajectories (properties/trajectory.py): a drawn
parameter, a drawn sequence of 1–50 gradients, and a learning rate that is constant or
decays as the notes' α0/(1 + decay_rate·t) [003]. Some bugs only show under a decaying
rate (the rate on the wrong side of a velocity), so every optimizer draws both.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import closed_form, conventions
from nnconform.properties.cases import Case, normal, seeds, shapes
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close
from nnconform.properties.trajectory import trajectory

SCHEDULES = {"constant_lr": {"decaying": False}, "decaying_lr": {"decaying": True}}
BETAS = st.sampled_from((0.9, 0.5, 0.0, 0.99))

# The optimizer's own settings, each a strategy; lr's scale is the optimizer's usual one.
SETTINGS = {
    "sgd": {"lr": st.sampled_from((0.01, 0.1, 0.5)),
            "weight_decay": st.sampled_from((0.0, 0.1))},
    "sgd_momentum": {"lr": st.sampled_from((0.01, 0.1)), "beta": BETAS},
    "momentum_velocity": {"lr": st.sampled_from((0.01, 0.1)), "beta": BETAS},
    "momentum_step": {"lr": st.sampled_from((0.01, 0.1)), "beta": BETAS},
    "momentum_average": {"lr": st.sampled_from((0.01, 0.1)), "beta": BETAS},
    "nesterov": {"lr": st.sampled_from((0.01, 0.1)), "beta": BETAS},
    "adagrad": {"lr": st.sampled_from((0.01, 0.1)), "eps": st.sampled_from((1e-10, 1e-6))},
    "adadelta": {"lr": st.sampled_from((1.0, 0.5)), "rho": st.sampled_from((0.9, 0.5)),
                 "eps": st.sampled_from((1e-6, 1e-3))},
    "rmsprop": {"lr": st.sampled_from((0.01, 0.001)), "alpha": st.sampled_from((0.99, 0.9)),
                "eps": st.sampled_from((1e-8, 1e-4))},
    "adam": {"lr": st.sampled_from((0.001, 0.01)), "beta1": st.sampled_from((0.9, 0.5)),
             "beta2": st.sampled_from((0.999, 0.9)), "eps": st.sampled_from((1e-8, 1e-4))},
    "adamw": {"lr": st.sampled_from((0.001, 0.01)), "beta1": st.sampled_from((0.9, 0.5)),
              "beta2": st.sampled_from((0.999, 0.9)), "eps": st.sampled_from((1e-8, 1e-4)),
              "weight_decay": st.sampled_from((0.01, 0.1))},
}


def optimizer_cases(name, max_steps=50):
    @st.composite
    def cases(draw, dtype, variant=SCHEDULES["constant_lr"]):
        """param of a small shape, grads (T, *shape) with T in 1..max_steps, the
        optimizer's settings and a constant or decaying learning rate."""
        shape = draw(shapes(max_dims=2), label="param shape")
        steps = draw(st.integers(1, max_steps), label="steps")
        hyper = {key: draw(strategy, label=key) for key, strategy in SETTINGS[name].items()}
        hyper["decay_rate"] = (draw(st.sampled_from((0.5, 0.1, 2.0)), label="decay_rate")
                               if variant["decaying"] else 0.0)
        seed = draw(seeds, label="seed")
        rng = np.random.default_rng(seed)
        arrays = (normal(rng, shape, dtype), normal(rng, (steps, *shape), dtype))
        return Case(arrays, hyper, seed)

    return cases


def steps_reduction(case: Case) -> int:
    """Each step adds its rounding to the parameter: the error grows with the steps."""
    return 4 * len(case.arrays[1])


def _path(impl, name, param, grads, hyper):
    return trajectory(impl, name, (param, grads), hyper)


# --- invariants ------------------------------------------------------------------------


def _same_as(name, other, **setting):
    """`name` with `setting` (a zero momentum or weight decay) takes `other`'s steps."""

    @invariant(cases=lambda dtype: optimizer_cases(name)(dtype, SCHEDULES["decaying_lr"]),
               uses=(other,))
    def check(impl, case):
        param, grads = case.arrays
        hyper = {**case.hyper, **setting}
        shared = {key: value for key, value in hyper.items()
                  if key in SETTINGS[other] or key == "decay_rate"}
        assert_close(_path(impl, name, param, grads, hyper),
                     _path(impl, other, param, grads, shared).astype(np.float64),
                     what=f"{name} with {setting} vs {other}", dtype=param.dtype,
                     reduction_length=steps_reduction(case))

    check.check.__name__ = f"{name}_is_{other}_with_" + "_".join(
        f"{key}_{value:g}" for key, value in setting.items())
    return check


@invariant(cases=lambda dtype: optimizer_cases("momentum_step")(dtype,
                                                                   SCHEDULES["decaying_lr"]),
           uses=("momentum_velocity", "momentum_average"), dtypes=("float64",))
def momentum_three_forms_agree_at_constant_lr_only(impl, case):
    """At a constant α the notes' three momentum forms take the same steps under a change
    of variables: [004]'s v is -[002]'s v, and [003] at rate α/(1 - β) is [002] at α
    [004][002][003]. Once α decays (and β > 0, T ≥ 3) [003] with the rescaled rate and
    [002] part visibly: [002] scales only the newest gradient by the new rate."""
    param, grads = case.arrays
    beta = case.hyper["beta"]
    constant = {**case.hyper, "decay_rate": 0.0}
    step = _path(impl, "momentum_step", param, grads, constant)
    assert_close(_path(impl, "momentum_velocity", param, grads, constant), step,
                 what="[004] vs [002] at constant lr", dtype=param.dtype,
                 reduction_length=steps_reduction(case))
    if beta >= 0.99:
        return  # α/(1 - β) is too large a rate for the trajectories to stay comparable
    rescaled = {**constant, "lr": constant["lr"] / (1 - beta)}
    average = _path(impl, "momentum_average", param, grads, rescaled)
    assert_close(average, step, what="[003] at lr/(1 - β) vs [002] at constant lr",
                 dtype=param.dtype, reduction_length=steps_reduction(case))
    if beta > 0 and len(grads) >= 3 and np.abs(grads[:-1]).max() > 0.1:
        decayed_step = _path(impl, "momentum_step", param, grads, case.hyper)
        decayed_average = _path(impl, "momentum_average", param, grads,
                                {**case.hyper, "lr": rescaled["lr"]})
        gap = np.abs(decayed_step - decayed_average).max()
        assert gap > 1e-6, f"[002] and [003] agree under a decaying rate (gap {gap:.3g})"


@invariant(cases=lambda dtype: optimizer_cases("sgd_momentum")(dtype, SCHEDULES["decaying_lr"]),
           uses=("momentum_velocity",))
def sgd_momentum_is_momentum_velocity_at_constant_lr(impl, case):
    """At a constant α torch's buf = β·buf + g, w = w - α·buf is [004]'s v = βv - αg,
    w = w + v, with v = -α·buf: the same trajectory [004]."""
    param, grads = case.arrays
    constant = {**case.hyper, "decay_rate": 0.0}
    assert_close(_path(impl, "sgd_momentum", param, grads, constant),
                 _path(impl, "momentum_velocity", param, grads, constant).astype(np.float64),
                 what="sgd_momentum vs momentum_velocity at constant lr", dtype=param.dtype,
                 reduction_length=steps_reduction(case))


@invariant(cases=lambda dtype: optimizer_cases("adam", max_steps=1)(dtype),
           torch_only=True)
def adam_first_step_is_lr_times_g_over_g_plus_eps(impl, case):
    """At t = 1 the corrected moments are g and g², so every coordinate moves by
    α·|g|/(|g| + δ) against sign(g) [003][004]."""
    param, grads = case.arrays
    g = grads[0].astype(np.float64)
    lr, eps = case.hyper["lr"], case.hyper["eps"]
    expected = param.astype(np.float64) - lr * np.sign(g) * np.abs(g) / (np.abs(g) + eps)
    assert_close(_path(impl, "adam", param, grads, case.hyper)[0], expected,
                 what="adam's first step", dtype=param.dtype, reduction_length=4)


@invariant(cases=lambda dtype: optimizer_cases("adagrad")(dtype))
def adagrad_step_sizes_never_grow(impl, case):
    """Adagrad's per-coordinate step size α/(√r + δ) only shrinks as r accumulates g²
    [000][004]: |Δw_t|/|g_t| is non-increasing in t, to within the rounding of w (where
    g_t is not tiny)."""
    param, grads = case.arrays
    path = _path(impl, "adagrad", param, grads, case.hyper).astype(np.float64)
    w = np.concatenate([param[None].astype(np.float64), path])
    g = np.abs(grads.astype(np.float64))
    usable = g > 1e-3
    size = np.where(usable, np.abs(np.diff(w, axis=0)) / np.maximum(g, 1e-3), np.nan)
    # Δw is a difference of two rounded parameters: each is off by up to eps·|w|
    slack = 2 * np.finfo(param.dtype).eps * (np.abs(w[1:]) + np.abs(w[:-1])) / np.maximum(g, 1e-3)
    for coordinate in np.ndindex(param.shape):
        at = (slice(None), *coordinate)
        kept = usable[at]
        sizes, error = size[at][kept], slack[at][kept]
        grown = np.diff(sizes) > error[1:] + error[:-1]
        assert not grown.any(), f"step size grew at {coordinate}: {sizes}"


@invariant(cases=lambda dtype: optimizer_cases("rmsprop")(dtype), uses=())
def rmsprop_steps_ignore_the_gradient_scale(impl, case):
    """RMSprop divides g by √S, the root of its own running square: scaling every gradient
    by c > 0 leaves the steps unchanged (up to ε) [003][004]."""
    param, grads = case.arrays
    hyper = {**case.hyper, "eps": 1e-12}
    path = _path(impl, "rmsprop", param, grads, hyper)
    scaled = _path(impl, "rmsprop", param, (grads * 8).astype(grads.dtype), hyper)
    assert_close(scaled, path.astype(np.float64), what="steps with 8·g vs with g",
                 dtype=param.dtype, reduction_length=steps_reduction(case))


@invariant(cases=lambda dtype: optimizer_cases("adadelta", max_steps=1)(dtype))
def adadelta_first_step_needs_no_rate(impl, case):
    """Adadelta's first step is √ε/√((1 - ρ)g² + ε)·g: the accumulated Δx (0 at first)
    takes the rate's place, so the units of Δw match w's [000]."""
    param, grads = case.arrays
    g = grads[0].astype(np.float64)
    rho, eps, lr = case.hyper["rho"], case.hyper["eps"], case.hyper["lr"]
    expected = param - lr * np.sqrt(eps) / np.sqrt((1 - rho) * g * g + eps) * g
    assert_close(_path(impl, "adadelta", param, grads, case.hyper)[0], expected,
                 what="adadelta's first step", dtype=param.dtype, reduction_length=4)


@invariant(cases=lambda dtype: optimizer_cases("sgd", max_steps=1)(dtype),
           uses=("l2_penalty",))
def sgd_l2_penalty_is_weight_decay(impl, case):
    """For plain SGD, the gradient of an L2 penalty λ/(2m)‖W‖² added to g is weight decay
    by lr·λ/m: "L2 regularisation is also called weight decay" [002][003]."""
    param, grads = case.arrays
    lam, m, lr = 0.3, 2, case.hyper["lr"]
    (penalty,) = impl.grads("l2_penalty", (param,), {"lam": lam, "m": m},
                            np.ones((), param.dtype), 1)
    hyper = {"lr": lr, "decay_rate": 0.0, "weight_decay": 0.0}
    stepped = _path(impl, "sgd", param, (grads + penalty).astype(param.dtype), hyper)[0]
    expected = closed_form.sgd_step_with_weight_decay(param, grads[0], lr, lr * lam / m)
    assert_close(stepped, expected, what="sgd on g + L2 gradient vs weight decay",
                 dtype=param.dtype, reduction_length=4)


# --- schedules ---------------------------------------------------------------------------


@st.composite
def lr_decay_cases(draw, dtype, variant=None):
    epochs = draw(st.lists(st.integers(0, 100), min_size=1, max_size=8), label="epochs")
    hyper = {"lr0": draw(st.sampled_from((0.1, 0.2, 1.0)), label="lr0"),
             "decay_rate": draw(st.sampled_from((1.0, 0.5, 0.01, 0.0)), label="decay_rate")}
    return Case((np.array(epochs, dtype=dtype),), hyper, 0)


@invariant()
def lr_decay_starts_at_lr0_and_never_grows(impl, case):
    """α(0) = α0 and α falls (or stays, at decay_rate 0) as the epochs go by [003]."""
    epochs = np.arange(20, dtype=case.arrays[0].dtype)
    rates = impl("lr_decay", epochs, **case.hyper).astype(np.float64)
    assert_close(rates[0], case.hyper["lr0"], what="α at epoch 0", dtype=epochs.dtype)
    assert np.all(np.diff(rates) <= 0), f"α grew: {rates}"


@st.composite
def ewa_cases(draw, dtype, variant=None):
    shape = draw(shapes(min_dims=1, max_dims=2), label="series shape")
    seed = draw(seeds, label="seed")
    hyper = {"beta": draw(st.sampled_from((0.9, 0.5, 0.98)), label="beta"),
             "bias_correction": draw(st.booleans(), label="bias_correction")}
    return Case((normal(np.random.default_rng(seed), shape, dtype, 3.0),), hyper, seed)


@invariant()
def ewa_of_a_constant_series(impl, case):
    """For a constant series the bias-corrected average equals it from t = 1; the plain
    one starts at (1 - β)θ, near 0, and only climbs toward θ [003]."""
    series = case.arrays[0]
    constant = np.broadcast_to(series[:1], series.shape).copy()
    beta = case.hyper["beta"]
    corrected = impl("ewa", constant, beta=beta, bias_correction=True)
    assert_close(corrected, constant, what="bias-corrected average of a constant",
                 dtype=series.dtype, reduction_length=len(series))
    plain = impl("ewa", constant, beta=beta, bias_correction=False)
    t = np.arange(1, len(series) + 1).reshape(-1, *[1] * (series.ndim - 1))
    assert_close(plain, (1 - beta**t) * constant, what="plain average of a constant",
                 dtype=series.dtype, reduction_length=len(series))


# --- the table entries -------------------------------------------------------------------


EPS_INSIDE = ("ε under the root, g/√(S + ε) (Hinton's slides, TensorFlow); torch's is "
              "g/(√S + ε)")


def _optimizer(name, formula, oracles, invariants, conventions=None, **defaults):
    return Op(name, family="optim", formula=formula, inputs=("param", "grads"),
              conventions=conventions or {},
              cases=optimizer_cases(name), hyper=defaults, variants=SCHEDULES,
              oracles=oracles, reduction=steps_reduction, invariants=invariants,
              outputs=("trajectory",), no_backward="a step is not differentiated",
              kind="optimizer")


OPS = [
    _optimizer("sgd", "w = w - α(g + λw) [002][004]", ("torch", "closed"),
               (sgd_l2_penalty_is_weight_decay,), lr=0.01, weight_decay=0.0),
    _optimizer("sgd_momentum", "buf = β buf + g, w = w - α buf (torch's SGD momentum)",
               ("torch",), (sgd_momentum_is_momentum_velocity_at_constant_lr,
                            _same_as("sgd_momentum", "sgd", beta=0.0)), lr=0.01, beta=0.9),
    _optimizer("momentum_velocity", "v = βv - αg, w = w + v [004]", ("closed",),
               (_same_as("momentum_velocity", "sgd", beta=0.0),), lr=0.01, beta=0.9),
    _optimizer("momentum_step", "v = βv + α∇, w = w - v [002]", ("closed",),
               (momentum_three_forms_agree_at_constant_lr_only,
                _same_as("momentum_step", "sgd", beta=0.0)), lr=0.01, beta=0.9),
    _optimizer("momentum_average", "v = βv + (1 - β)dW, w = w - αv [003]",
               ("torch", "closed"), (_same_as("momentum_average", "sgd", beta=0.0),),
               lr=0.01, beta=0.9),
    _optimizer("nesterov", "b = βb + g, w = w - α(g + βb) (torch's SGD nesterov)",
               ("torch",), (_same_as("nesterov", "sgd", beta=0.0),), lr=0.01, beta=0.9),
    _optimizer("adagrad", "r = r + g², w = w - α/(√r + δ) g [000][004]",
               ("torch", "closed"), (adagrad_step_sizes_never_grow,), lr=0.01, eps=1e-10,
               conventions={"eps_inside_sqrt": Convention(
                   EPS_INSIDE, forward=conventions.adagrad_eps_inside_sqrt)}),
    _optimizer("adadelta", "s = ρs + (1-ρ)g², Δ = √(u+ε)/√(s+ε) g, u = ρu + (1-ρ)Δ², "
               "w = w - αΔ [000]", ("torch",), (adadelta_first_step_needs_no_rate,),
               lr=1.0, rho=0.9, eps=1e-6),
    _optimizer("rmsprop", "S = βS + (1 - β)g², w = w - α g/(√S + ε) [003][004]",
               ("torch", "closed"), (rmsprop_steps_ignore_the_gradient_scale,),
               lr=0.01, alpha=0.99, eps=1e-8,
               conventions={"eps_inside_sqrt": Convention(
                   EPS_INSIDE, forward=conventions.rmsprop_eps_inside_sqrt)}),
    _optimizer("adam", "ŝ = s/(1-ρ1^t), r̂ = r/(1-ρ2^t), w = w - α ŝ/(√r̂ + δ), t from 1 "
               "[003][004]", ("torch", "closed"),
               (adam_first_step_is_lr_times_g_over_g_plus_eps,),
               lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
               conventions={"eps_hat": Convention(
                   "the bias corrections folded into the rate and ε added to √v, not √v̂: "
                   "α√(1-ρ2^t)/(1-ρ1^t)·s/(√r + ε̂), Kingma & Ba's efficient form and "
                   "TensorFlow's Adam", forward=conventions.adam_eps_hat)}),
    _optimizer("adamw", "w = w - αλw, then adam's step (decoupled weight decay)", ("torch",),
               (_same_as("adamw", "adam", weight_decay=0.0),),
               lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01),
    Op("lr_decay", family="optim", formula="α = α0/(1 + decay_rate·epoch) [003]",
       inputs=("epoch",), cases=lr_decay_cases, hyper={"lr0": 0.1, "decay_rate": 1.0},
       oracles=("closed",), no_backward="a schedule", invariants=(
           lr_decay_starts_at_lr0_and_never_grows,)),
    Op("ewa", family="optim",
       formula="v_t = βv_(t-1) + (1 - β)θ_t; bias-corrected v_t/(1 - β^t) [003]",
       inputs=("series",), cases=ewa_cases, hyper={"beta": 0.9, "bias_correction": False},
       oracles=("closed",), no_backward="an average of data",
       reduction=lambda case: len(case.arrays[0]), invariants=(ewa_of_a_constant_series,)),
]
