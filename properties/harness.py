"""The implementation under test, loaded and wrapped so every check calls it the same way.

The wrapper converts at the boundary (an implementation may compute on its own array type
by defining `to_native` and `to_numpy`), turns NumPy's RuntimeWarnings into errors (an op
must not overflow or divide by zero on the inputs the suite draws), and reports a missing
name as "not implemented", which pytest shows as a skip, never as a failure.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

DEFAULT_IMPL = "nnconform.impl"  # the built-in NumPy reference
IMPL_SPEC = pytest.StashKey[str]()  # where the plugin keeps the --impl it resolved
PROFILE = pytest.StashKey[str]()  # the name of the Hypothesis profile in force
SUITE_SETTINGS = pytest.StashKey[object]()  # and its settings (properties/runner.py)
NOT_IMPLEMENTED = "not implemented"
NOT_APPLICABLE = "not applicable"  # a skip that is no gap: the case has nothing to check


class ImplementationLoadError(Exception):
    """The --impl module could not be imported; the message is one line for the user."""


def load_module(spec: str):
    """Import `spec`, a module name (`impl`, `mypkg.nn`) or a path to a .py file."""
    try:
        if spec.endswith(".py") or os.sep in spec:
            path = Path(spec).resolve()
            if not path.is_file():
                raise ImplementationLoadError(f"--impl {spec}: no such file")
            # Like running a script: the file's own folder is importable, for its helpers.
            sys.path.insert(0, str(path.parent))
            name = f"nnconform_impl_{path.stem}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
            return module
        # A module of the project the check is run from is found there, as `python -m`
        # would find it (the `nnconform` script's own folder is not the project's).
        if os.getcwd() not in sys.path:
            sys.path.append(os.getcwd())
        return importlib.import_module(spec)
    except ImplementationLoadError:
        raise
    except Exception as error:  # any import failure becomes one clear line
        raise ImplementationLoadError(
            f"--impl {spec}: import failed: {type(error).__name__}: {error}"
        ) from error


def _identity(array):
    return array


class Implementation:
    """Calls `NAME_forward` / `NAME_backward` of a module with NumPy in and NumPy out."""

    def __init__(self, module, label: str | None = None):
        self.module = module
        self.label = label or getattr(module, "__name__", repr(module))
        self.to_native = getattr(module, "to_native", _identity)
        self.to_numpy = getattr(module, "to_numpy", _identity)
        self._warnings_allowed = False

    def missing(self, *ops) -> list[str]:
        return [name for op in ops for name in op.functions
                if not callable(getattr(self.module, name, None))]

    def require(self, *ops) -> None:
        """Skip the calling test, as not implemented, unless every function of `ops` exists."""
        absent = self.missing(*ops)
        if absent:
            pytest.skip(f"{NOT_IMPLEMENTED}: {', '.join(absent)}")

    def native(self, array):
        return None if array is None else self.to_native(array)

    def as_numpy(self, value):
        """NumPy for a native array; a tuple of outputs (several outputs) element-wise."""
        if isinstance(value, tuple):
            return tuple(self.as_numpy(v) for v in value)
        return None if value is None else self.to_numpy(value)

    def call(self, name: str, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore" if self._warnings_allowed else "error",
                                  RuntimeWarning)
            return getattr(self.module, name)(*args, **kwargs)

    @contextlib.contextmanager
    def warnings_allowed(self):
        """Within: NumPy's RuntimeWarnings are not errors (NaN or inf in, on purpose)."""
        self._warnings_allowed = True
        try:
            yield
        finally:
            self._warnings_allowed = False

    def forward(self, op_name: str, arrays, hyper: dict):
        """(y as NumPy, ctx) for NumPy `arrays`."""
        return self.forward_native(op_name, [self.native(a) for a in arrays], hyper)

    def forward_native(self, op_name: str, arrays, hyper: dict):
        """(y as NumPy, ctx) for arrays already converted by `native`.

        Raises AssertionError if the result is not a (y, ctx) pair."""
        result = self.call(f"{op_name}_forward", *arrays, **hyper)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise AssertionError(
                f"{op_name}_forward returned {type(result).__name__}; expected a (y, ctx) pair"
            )
        y, ctx = result
        return self.as_numpy(y), ctx

    def backward(self, op_name: str, dy, ctx, count: int) -> tuple:
        """The gradients as NumPy (None stays None) for a NumPy `dy`, or for a tuple of
        them, one per output the op takes an upstream gradient for."""
        dys = dy if isinstance(dy, tuple) else (dy,)
        return self.backward_native(op_name, tuple(self.native(d) for d in dys), ctx, count)

    def backward_native(self, op_name: str, dy, ctx, count: int) -> tuple:
        """As `backward`, for upstream gradient(s) already converted; AssertionError unless
        `count` gradients come back."""
        dys = dy if isinstance(dy, tuple) else (dy,)
        grads = self.call(f"{op_name}_backward", *dys, ctx)
        if not isinstance(grads, tuple | list) or len(grads) != count:
            raise AssertionError(
                f"{op_name}_backward returned {type(grads).__name__}"
                f"{f' of length {len(grads)}' if isinstance(grads, tuple | list) else ''}; "
                f"expected a tuple of {count} gradient(s)"
            )
        return tuple(self.as_numpy(g) for g in grads)

    def __call__(self, op_name: str, *arrays, **hyper):
        """Just the forward output as a NumPy array, or a tuple of them for an op with
        several outputs (for invariants)."""
        y, _ = self.forward(op_name, arrays, hyper)
        return y if isinstance(y, tuple) else np.asarray(y)

    def grads(self, op_name: str, arrays, hyper: dict, dy, count: int) -> tuple:
        """Forward then backward with upstream gradient `dy` (a tuple: one per output)."""
        _, ctx = self.forward(op_name, arrays, hyper)
        return self.backward(op_name, dy if isinstance(dy, tuple) else np.asarray(dy), ctx,
                             count)


def resolve_impl_spec(option: str | None) -> str:
    """--impl wins over $NNCONFORM_IMPL, which wins over the built-in implementation."""
    return option or os.environ.get("NNCONFORM_IMPL") or DEFAULT_IMPL
