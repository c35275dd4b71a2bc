"""The robustness checks, run over the whole op table (the report's "robustness" column):

- layout: read-only inputs, and inputs laid out otherwise (a strided view, Fortran
  order), give the results contiguous inputs give;
- special values: a NaN, a +inf and a -inf in an input propagate to the outputs as they do
  in PyTorch (NaN where torch has NaN, the same infinities, the rest as usual);
- extremes: inputs from the edges of the op's domain (the op table's `edges`) give
  results that are finite wherever PyTorch's are and match them, without a NumPy warning.

Each takes the wrapped implementation, the op's entry and one drawn Case, as the generic
checks do (properties/checks.py), and raises AssertionError naming what differed.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nnconform.oracles import torch as torch_oracle
from nnconform.properties import trajectory
from nnconform.properties.cases import Case
from nnconform.properties.checks import (
    compare_grads,
    compare_outputs,
    implemented_upstreams,
    present_grads,
    present_outputs,
    truth_forward,
    truth_vjp,
)
from nnconform.properties.harness import NOT_APPLICABLE


def _read_only(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a.flags.writeable = False
    return a


def strided(a):
    """The same values as a read-only view of every other element of a buffer twice as
    long in the last axis: not contiguous in any order."""
    if a is None or a.ndim == 0 or a.size == 0:
        return None if a is None else _read_only(a)
    buffer = np.zeros((*a.shape[:-1], 2 * a.shape[-1]), a.dtype)
    view = buffer[..., ::2]
    view[...] = a
    view.flags.writeable = False
    return view


def fortran(a):
    """The same values, read-only, in Fortran (column-major) order (a copy for fewer than
    two axes, where the orders agree)."""
    if a is None or a.ndim < 2:
        return None if a is None else _read_only(a)
    return _read_only(np.asfortranarray(a))


def _results(impl, op, arrays, hyper, dys=None):
    """(outputs, gradients for `dys`); hyper is copied, so a Generator in it gives every
    call the same draws."""
    hyper = copy.deepcopy(hyper)
    if op.kind == "optimizer":
        return trajectory.trajectory(impl, op.name, arrays, hyper), ()
    y, ctx = impl.forward(op.name, arrays, hyper)
    if not op.grads or impl.missing(op):  # a forward without its backward: the forward
        return y, ()
    dys = implemented_upstreams(impl, op, y, Case(arrays, hyper)) if dys is None else dys
    return y, impl.backward(op.name, dys, ctx, len(op.grads))


def layout(impl, op, case: Case) -> None:
    """Strided, Fortran-ordered and read-only inputs (upstream gradients too) give the
    results of contiguous ones, within the op's tolerance (BLAS may sum in another order)."""
    y, _ = _results(impl, op, case.arrays, case.hyper)
    dys = implemented_upstreams(impl, op, y, case) if op.grads and op.kind == "layer" else None
    expected, expected_grads = _results(impl, op, case.arrays, case.hyper, dys)
    for name, lay_out in (("strided", strided), ("Fortran-ordered", fortran)):
        arrays = tuple(lay_out(a) for a in case.arrays)
        laid_out_dys = None if dys is None else tuple(lay_out(d) for d in dys)
        got, grads = _results(impl, op, arrays, case.hyper, laid_out_dys)
        compare_outputs(op, got, expected, case, f"the contiguous inputs' ({name} inputs)",
                        present_outputs(impl, op))
        if grads:
            compare_grads(op, grads, expected_grads, case,
                          f"the contiguous inputs' ({name} inputs)", present_grads(impl, op))


def with_specials(case: Case, index: int) -> Case:
    """The case with NaN, +inf and -inf put into float input `index`, at spread positions
    (as many as the array has elements, NaN first)."""
    arrays = list(case.arrays)
    x = arrays[index].copy()
    flat = x.reshape(-1)
    positions = np.linspace(0, flat.size - 1, num=min(3, flat.size)).round().astype(int)
    for position, value in zip(positions, (np.nan, np.inf, -np.inf), strict=False):
        flat[position] = value
    arrays[index] = x
    return case.with_arrays(*arrays)


def special_values(impl, op, case: Case) -> None:
    """With a NaN, +inf and -inf in the first float input, the forward's outputs (an
    optimizer's trajectory) have NaN and infinities where PyTorch's have them, in the
    same dtype (a float32 op's specials are float32's), and the other values match. Where
    PyTorch rejects such an input, the implementation must raise an error too. NumPy's
    warnings about NaN and inf are expected here, not errors."""
    index = next((i for i, a in enumerate(case.arrays)
                  if a is not None and a.dtype.kind == "f" and a.size), None)
    if index is None:
        pytest.skip(f"{NOT_APPLICABLE}: no float input to put NaN and inf into")
    special = with_specials(case, index)
    declared = impl.oracle(op, "forward")
    try:
        if declared is not None:  # the convention's own oracle, in float64
            with np.errstate(all="ignore"):
                expected = declared[1](special.as_float64(), special.hyper)
        else:
            expected = torch_oracle.forward(op.name, special.arrays, special.hyper,
                                            keep_dtype=True)
    except RuntimeError as refusal:  # torch checks its domain (BCE: p in [0, 1])
        try:
            with impl.warnings_allowed():
                _results(impl, op, special.arrays, special.hyper)
        except Exception:  # a rejection too (ours is a ValueError; torch's own a RuntimeError)
            return
        raise AssertionError(f"PyTorch rejects NaN and ±inf here ({refusal}); expected an "
                             f"error, got a result") from None
    with impl.warnings_allowed():
        got, _ = _results(impl, op, special.arrays, special.hyper)
    compare_outputs(op, got, expected, special, "torch with NaN and ±inf in the input",
                    present_outputs(impl, op))


def extremes(impl, op, case: Case) -> None:
    """At the edges of the domain: every output and gradient matches PyTorch's, finite
    wherever torch's is, and NumPy raises no warning (the wrapper turns one into an
    error)."""
    if op.kind == "optimizer" or not op.grads or impl.missing(op):
        got, _ = _results(impl, op, case.arrays, case.hyper)
        source, expected = truth_forward(impl, op, case)
        return compare_outputs(op, got, expected, case, f"{source} at the edges",
                               present_outputs(impl, op))
    y, ctx = impl.forward(op.name, case.arrays, copy.deepcopy(case.hyper))
    dys = implemented_upstreams(impl, op, y, case)
    grads = impl.backward(op.name, dys, ctx, len(op.grads))
    source, expected = truth_forward(impl, op, case)
    compare_outputs(op, y, expected, case, f"{source} at the edges", present_outputs(impl, op))
    source, expected = truth_vjp(impl, op, case, dys)
    compare_grads(op, grads, expected, case, f"{source} at the edges",
                  present_grads(impl, op))


ROBUSTNESS = {"layout": layout, "special_values": special_values, "extremes": extremes}
