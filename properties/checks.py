"""The generic checks, run over every op of the table.

Each check takes the wrapped implementation, the op's table entry and one drawn Case, and
raises AssertionError with a message naming what differed; properties/runner.py drives
one with Hypothesis, so the shrunk Case is printed on failure.
"""

from __future__ import annotations

import copy

import numpy as np

from nnconform.oracles import closed_form, numeric
from nnconform.oracles import torch as torch_oracle
from nnconform.properties import trajectory
from nnconform.properties.cases import Case
from nnconform.properties.tolerances import assert_close


def upstream(y: np.ndarray, case: Case, salt: int = 1) -> np.ndarray:
    """A random upstream gradient of y's shape and dtype, never all ones: under all ones a
    backward that drops a term can still pass (BatchNorm's dx is the classic case)."""
    return case.rng(salt=salt).standard_normal(np.shape(y)).astype(np.asarray(y).dtype)


def upstreams(op, y, case: Case) -> tuple:
    """One random upstream gradient per output the op's backward takes one for."""
    outputs = dict(zip(op.outputs, op.outputs_of(y), strict=True))
    return tuple(upstream(outputs[name], case, salt=1 + 10 * k)
                 for k, name in enumerate(op.upstream_outputs))


def present_outputs(impl, op) -> tuple:
    """The outputs the implementation returns: all, unless its domain names fewer."""
    declared = impl.domain(op).outputs
    return op.outputs if declared is None else declared


def implemented_upstreams(impl, op, y, case: Case) -> tuple:
    """upstreams() with zeros, of the oracle's shapes, for outputs not returned."""
    present = present_outputs(impl, op)
    if present == op.outputs:
        return upstreams(op, y, case)
    truth = op.outputs_of(_expected_outputs(op, case))
    shapes = dict(zip(op.outputs, truth, strict=True))
    filled = tuple(np.asarray(shapes[name] if value is None else value)
                   for name, value in zip(op.outputs, op.outputs_of(y), strict=True))
    dys = upstreams(op, filled, case)
    return tuple(d if name in present else np.zeros_like(d)
                 for name, d in zip(op.upstream_outputs, dys, strict=True))


def torch_upstream(op, dys: tuple):
    """The upstream gradients as the torch oracle takes them: the array for a one-output
    op, else one entry per output, None where the op takes no gradient."""
    if len(op.outputs) == 1:
        return dys[0]
    given = dict(zip(op.upstream_outputs, dys, strict=True))
    return tuple(given.get(name) for name in op.outputs)


def differentiated(op, forward, present=None):
    """f(*arrays): the outputs `forward` gives that take an upstream gradient (and that
    the implementation returns), raveled and joined, so the numeric oracle differences
    Σ_k ⟨dy_k, output_k⟩ as one ⟨dy, f⟩."""
    present = op.outputs if present is None else present
    positions = [op.outputs.index(name) for name in op.upstream_outputs if name in present]

    def f(*arrays):
        outputs = op.outputs_of(forward(*arrays))
        return np.concatenate([np.ravel(outputs[k]) for k in positions])

    return f


def joined(dys: tuple) -> np.ndarray:
    """The upstream gradients raveled and joined, in the order `differentiated` joins."""
    return np.concatenate([np.ravel(d) for d in dys])


def _dtype(case: Case):
    """The dtype of the case's first float array, which picks the tolerance and the
    outputs' dtype; a case with none (one_hot's integer indices) names it in the
    hyperparameter `dtype`."""
    floats = [a.dtype for a in case.arrays if a is not None and a.dtype.kind == "f"]
    return floats[0] if floats else np.dtype(case.hyper["dtype"])


def _as_float64(arrays: tuple) -> tuple:
    return tuple(a.astype(np.float64) for a in arrays)


def compare_outputs(op, got, expected, case, source: str, present=None) -> None:
    for name, value, truth in zip(op.outputs, op.outputs_of(got), op.outputs_of(expected),
                                  strict=True):
        if present is not None and name not in present:
            continue  # not implemented: the report says so
        if name in op.integer_outputs:
            if np.shape(value) != np.shape(truth) or not np.array_equal(value, truth):
                raise AssertionError(f"{name} vs {source}: got {value!r}, expected {truth!r}")
            continue
        assert_close(value, truth, what=f"{name} vs {source}", dtype=_dtype(case),
                     reduction_length=op.reduction(case))


def present_grads(impl, op) -> tuple:
    """The gradients the implementation's backward returns: all, unless its domain names
    fewer (the others are None: not implemented)."""
    declared = impl.domain(op).grads
    return op.grads if declared is None else declared


def compare_grads(op, got, expected, case, source: str, present=None) -> None:
    for name, index, grad, truth in zip(op.grads, op.grad_indices, got, expected, strict=True):
        if present is not None and name not in present:
            continue  # not implemented: the report says so
        if case.arrays[index] is None:
            if grad is not None:
                raise AssertionError(f"d{name}: expected None for an omitted {name}")
            continue
        if grad is None:
            raise AssertionError(f"d{name}: got None, expected a gradient")
        assert_close(grad, truth, what=f"d{name} vs {source}", dtype=_dtype(case),
                     reduction_length=op.reduction(case))


def _outputs(impl, op, arrays, hyper):
    """(outputs, ctx) of a layer's forward; an optimizer's trajectory, with no ctx."""
    if op.kind == "optimizer":
        return trajectory.trajectory(impl, op.name, arrays, hyper), None
    return impl.forward(op.name, arrays, hyper)


def truth_forward(impl, op, case: Case, fallback=None):
    """(source, outputs in float64) the implementation is held to: its declared
    convention's oracle, else torch's (else `fallback`'s, where torch has no such op)."""
    declared = impl.oracle(op, "forward")
    if declared is not None:
        name, oracle = declared
        return f"convention {name}", oracle(case.as_float64(), case.hyper)
    if fallback is not None and "torch" not in op.oracles:
        return fallback
    return "torch", torch_oracle.forward(op.name, case.as_float64(), case.hyper)


def truth_vjp(impl, op, case: Case, dys: tuple, fallback=None):
    """(source, gradients in float64) for upstream gradients `dys`, as truth_forward."""
    declared = impl.oracle(op, "vjp")
    if declared is not None:
        name, oracle = declared
        return f"convention {name}", oracle(case.as_float64(), case.hyper, _as_float64(dys))
    if fallback is not None and "torch" not in op.oracles:
        return fallback
    return "torch", torch_oracle.vjp(op.name, case.as_float64(), case.hyper,
                                     torch_upstream(op, _as_float64(dys)), op.grad_indices)


def forward_vs_torch(impl, op, case: Case) -> None:
    """Every output matches PyTorch in float64 on the same input values (an optimizer's:
    its trajectory matches torch.optim's), or the oracle of the convention declared."""
    y, _ = _outputs(impl, op, case.arrays, case.hyper)
    source, expected = truth_forward(impl, op, case)
    compare_outputs(op, y, expected, case, source, present_outputs(impl, op))


def backward_vs_torch(impl, op, case: Case) -> None:
    """The gradients for random upstream gradients match torch.autograd in float64 (or
    the declared convention's)."""
    y, ctx = impl.forward(op.name, case.arrays, case.hyper)
    dys = implemented_upstreams(impl, op, y, case)
    got = impl.backward(op.name, dys, ctx, len(op.grads))
    source, expected = truth_vjp(impl, op, case, dys)
    compare_grads(op, got, expected, case, source, present_grads(impl, op))


def _closed_forward(op, case: Case):
    return "closed form", closed_form.FORWARD[op.name](*case.as_float64(), **case.hyper)


def _closed_vjp(op, case: Case, dys: tuple):
    return "closed form", closed_form.BACKWARD[op.name](*_as_float64(dys), *case.as_float64(),
                                                        **case.hyper)


def at_kinks(impl, op, case: Case) -> None:
    """Exactly at the op's kinks and ties (relu at 0, two equal maxima in a pooling
    window), where the derivative is a convention: the outputs and gradients are torch's
    (the notes' closed form where torch has no such op), or the declared convention's."""
    y, ctx = impl.forward(op.name, case.arrays, case.hyper)
    closed = _closed_forward(op, case) if op.name in closed_form.FORWARD else None
    source, expected = truth_forward(impl, op, case, closed)
    compare_outputs(op, y, expected, case, f"{source} at the kinks", present_outputs(impl, op))
    if not op.grads or impl.missing(op):
        return
    dys = implemented_upstreams(impl, op, y, case)
    got = impl.backward(op.name, dys, ctx, len(op.grads))
    closed = _closed_vjp(op, case, dys) if op.name in closed_form.BACKWARD else None
    source, expected = truth_vjp(impl, op, case, dys, closed)
    compare_grads(op, got, expected, case, f"{source} at the kinks",
                  present_grads(impl, op))


def backward_vs_numeric(impl, op, case: Case) -> None:
    """The gradients match two-sided differences of the implementation's own forward, in
    float64, by the notes' relative error [003]; on failure, element by element. With
    several outputs, the differences are of Σ_k ⟨dy_k, output_k⟩."""
    arrays = case.as_float64()
    y, ctx = impl.forward(op.name, arrays, case.hyper)
    present = present_outputs(impl, op)
    dys = _as_float64(implemented_upstreams(impl, op, y, case.with_arrays(*arrays)))
    got = impl.backward(op.name, dys, ctx, len(op.grads))
    dy = joined(tuple(d for name, d in zip(op.upstream_outputs, dys, strict=True)
                      if name in present))
    f = differentiated(op, lambda *moved: impl.forward(op.name, moved, case.hyper)[0], present)

    returned = present_grads(impl, op)
    for name, index, grad in zip(op.grads, op.grad_indices, got, strict=True):
        if arrays[index] is None or name not in returned:
            continue
        result = numeric.directional_check(f, arrays, index, grad, dy, case.rng(salt=2))
        if not result.ok:
            full = numeric.gradient(f, arrays, index, dy)
            where = np.unravel_index(np.argmax(np.abs(full - grad)), full.shape)
            raise AssertionError(
                f"d{name} vs numeric: relative error {result.error:.3g} >= "
                f"{numeric.THRESHOLD:g} (directional {result.analytic} vs numeric "
                f"{result.numeric}); element by element the worst is at "
                f"{tuple(int(i) for i in where)}: got {float(grad[where])!r}, "
                f"numeric {float(full[where])!r}"
            )


def closed_form_check(impl, op, case: Case) -> None:
    """The forward and the gradients match the notes' formulas (oracles/closed_form.py);
    where the implementation declares a convention with its own oracle, that oracle's."""
    y, ctx = _outputs(impl, op, case.arrays, case.hyper)
    present = present_outputs(impl, op)
    if op.name in closed_form.FORWARD:
        source, expected = _closed_forward(op, case)
        if impl.oracle(op, "forward") is not None:
            source, expected = truth_forward(impl, op, case)
        compare_outputs(op, y, expected, case, source, present)
    if op.grads and op.name in closed_form.BACKWARD and not impl.missing(op):
        dys = implemented_upstreams(impl, op, y, case)
        got = impl.backward(op.name, dys, ctx, len(op.grads))
        source, expected = _closed_vjp(op, case, dys)
        if impl.oracle(op, "vjp") is not None:
            source, expected = truth_vjp(impl, op, case, dys)
        compare_grads(op, got, expected, case, source, present_grads(impl, op))


def _expected_outputs(op, case: Case) -> tuple:
    arrays = case.as_float64()
    if op.name in closed_form.FORWARD:
        return op.outputs_of(closed_form.FORWARD[op.name](*arrays, **case.hyper))
    return op.outputs_of(torch_oracle.forward(op.name, arrays, case.hyper))


def _require_array(what: str, value, dtype, shape) -> None:
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what}: got {type(value).__name__}, expected numpy.ndarray "
                             f"(after the implementation's to_numpy)")
    if dtype == "integer":
        if value.dtype.kind not in "iu":
            raise AssertionError(f"{what}: dtype {value.dtype}, expected an integer dtype")
    elif value.dtype != dtype:
        raise AssertionError(f"{what}: dtype {value.dtype}, expected {dtype} "
                             f"(the input's dtype is preserved)")
    if value.shape != tuple(shape):
        raise AssertionError(f"{what}: shape {value.shape}, expected {tuple(shape)}")


def declared_defaults(op) -> dict:
    """The hyperparameter defaults the op table declares (None means "not given", and an
    optimizer's lr and decay_rate are the harness's schedule, passed at every step)."""
    schedule = trajectory.SCHEDULE if op.kind == "optimizer" else ()
    return {key: value for key, value in op.hyper.items()
            if value is not None and key not in schedule}


def _outcome(impl, op, arrays, hyper):
    """The outputs of one call (an optimizer's trajectory), or the type of the exception
    it raised."""
    try:
        return _outputs(impl, op, arrays, copy.deepcopy(hyper))[0]
    except (AssertionError, NotImplementedError):  # the harness's word, or unsupported
        raise
    except Exception as error:  # the defaults may not fit the case (a kernel of 2 on 1×1)
        return type(error)


def defaults(impl, op, case: Case) -> None:
    """A call that leaves out the hyperparameters the table gives defaults for computes
    what a call passing those defaults computes: the implementation's defaults are the
    contract's (leaky_relu's negative_slope=0.01, batch_norm's momentum=0.1, ...). The
    forward says it: a backward reads what its forward kept."""
    declared = declared_defaults(op)
    if not declared:
        return
    left_out = {key: value for key, value in case.hyper.items() if key not in declared}
    omitted = _outcome(impl, op, case.arrays, left_out)
    explicit = _outcome(impl, op, case.arrays, {**left_out, **declared})
    if isinstance(omitted, type) or isinstance(explicit, type):
        if omitted is not explicit:
            raise AssertionError(
                f"{op.name} with its defaults left out gave {_shown(omitted)}, with them "
                f"passed ({_keywords(declared)}) {_shown(explicit)}")
        return
    compare_outputs(op, omitted, explicit, case,
                    f"the same call passing the table's defaults ({_keywords(declared)})")


def _shown(outcome) -> str:
    return f"{outcome.__name__}" if isinstance(outcome, type) else "a result"


def _keywords(hyper: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in hyper.items())


def contract(impl, op, case: Case) -> None:
    """Outputs are NumPy arrays of the input's dtype (integer for indices) and the right
    shape; gradients have their input's shape and dtype; no call mutates its inputs. An
    optimizer's steps are pure and keep the parameter's shape and dtype."""
    if op.kind == "optimizer":
        return trajectory.contract(impl, op, case)
    dtype = _dtype(case)
    before = [None if a is None else a.copy() for a in case.arrays]
    native = [impl.native(a) for a in case.arrays]
    y, ctx = impl.forward_native(op.name, native, case.hyper)
    present = present_outputs(impl, op)
    for name, value, expected in zip(op.outputs, op.outputs_of(y),
                                     _expected_outputs(op, case), strict=True):
        if name in present:
            _require_array(name, value, "integer" if name in op.integer_outputs else dtype,
                           np.shape(expected))
    grads = ()
    if op.grads and not impl.missing(op):
        dys = implemented_upstreams(impl, op, y, case)
        dys_native = tuple(impl.native(d.copy()) for d in dys)
        grads = impl.backward_native(op.name, dys_native, ctx, len(op.grads))
        for name, given, passed in zip(op.upstream_outputs, dys, dys_native, strict=True):
            if not np.array_equal(impl.as_numpy(passed), given):
                raise AssertionError(f"{op.name}_backward mutated d{name}")
    for name, index, grad in zip(op.grads if grads else (), op.grad_indices, grads,
                                 strict=False):
        source = case.arrays[index]
        if source is None:
            if grad is not None:
                raise AssertionError(f"d{name}: expected None for an omitted {name}")
            continue
        if name in present_grads(impl, op):
            _require_array(f"d{name}", grad, dtype, source.shape)
    for name, original, passed in zip(op.input_names, before, native, strict=True):
        if original is not None and not np.array_equal(
            np.asarray(impl.as_numpy(passed)), original, equal_nan=original.dtype.kind == "f"
        ):
            raise AssertionError(f"{op.name} mutated its input {name}")


GENERIC = {
    "forward": (forward_vs_torch, "torch"),
    "backward_torch": (backward_vs_torch, "torch"),
    "backward_numeric": (backward_vs_numeric, "numeric"),
    "closed_form": (closed_form_check, "closed"),
    "contract": (contract, None),
    "defaults": (defaults, None),
    "kinks": (at_kinks, None),
}
"""check kind -> (check, the oracle it needs; None: every op)."""

COLUMN = {"defaults": "contract"}  # a kind reported in another kind's column
