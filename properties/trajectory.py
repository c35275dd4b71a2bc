"""How the suite runs an optimizer: NAME_init once, then NAME_step once per drawn gradient,
with the notes' learning-rate decay α_t = lr/(1 + decay_rate·t), t = 0, 1, ... [003].

A case of an optimizer op holds (param, grads) with grads (T, *param.shape), and its hyper
holds lr, decay_rate and the optimizer's own settings. What the oracles are compared on is
the trajectory: the parameter after every step, stacked (T, *param.shape). The contract
check runs the same loop and checks, at every step, that nothing given was mutated and
that the parameter keeps its shape and dtype.
"""

from __future__ import annotations

import numpy as np

from nnconform.oracles.closed_form_optim import lr_decay

SCHEDULE = ("lr", "decay_rate")  # the harness's, not the optimizer's: lr is passed per step


def settings(hyper: dict) -> dict:
    """The optimizer's own keywords: everything but the schedule."""
    return {key: value for key, value in hyper.items() if key not in SCHEDULE}


def learning_rates(hyper: dict, steps: int) -> list[float]:
    return [float(lr_decay(hyper["lr"], hyper.get("decay_rate", 0.0), t))
            for t in range(steps)]


def _arrays_of(impl, state) -> dict:
    """Copies of the arrays a state holds at its top level (what a step must not mutate)."""
    if not isinstance(state, dict):
        return {}
    return {key: np.array(impl.as_numpy(value)) for key, value in state.items()
            if hasattr(value, "shape")}


def _step(impl, name, param, grad, state, lr, own, check):
    before = (np.array(impl.as_numpy(param)), np.array(impl.as_numpy(grad)),
              _arrays_of(impl, state)) if check else None
    result = impl.call(f"{name}_step", param, grad, state, lr=lr, **own)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise AssertionError(f"{name}_step returned {type(result).__name__}; expected a "
                             f"(param, state) pair")
    if check:
        old_param, old_grad, old_state = before
        for what, was, now in (("param", old_param, param), ("grad", old_grad, grad)):
            if not np.array_equal(np.asarray(impl.as_numpy(now)), was, equal_nan=True):
                raise AssertionError(f"{name}_step mutated its input {what}")
        for key, was in old_state.items():
            if not np.array_equal(np.asarray(impl.as_numpy(state[key])), was, equal_nan=True):
                raise AssertionError(f"{name}_step mutated the state it was given "
                                     f"(state[{key!r}])")
    return result


def trajectory(impl, name: str, arrays, hyper: dict, check: bool = False) -> np.ndarray:
    """The parameter after each step, (T, *param.shape), as NumPy."""
    param, grads = arrays
    own = settings(hyper)
    current = impl.native(param)
    state = impl.call(f"{name}_init", current, **own)
    path = []
    for lr, grad in zip(learning_rates(hyper, len(grads)), grads, strict=True):
        current, state = _step(impl, name, current, impl.native(grad), state, lr, own, check)
        path.append(np.asarray(impl.as_numpy(current)))
    return np.stack(path) if path else np.empty((0, *np.shape(param)), np.asarray(param).dtype)


def contract(impl, op, case) -> None:
    """Every step returns (param, state), leaves its inputs and the state it was given
    unchanged, and keeps the parameter's shape and dtype (float32 stays float32)."""
    param = case.arrays[0]
    path = trajectory(impl, op.name, case.arrays, case.hyper, check=True)
    if path.dtype != param.dtype:
        raise AssertionError(f"param: dtype {path.dtype} after a step, expected "
                             f"{param.dtype} (the input's dtype is preserved)")
    if path.shape[1:] != param.shape:
        raise AssertionError(f"param: shape {path.shape[1:]} after a step, expected "
                             f"{param.shape}")
