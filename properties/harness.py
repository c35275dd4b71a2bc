"""The implementation under test, loaded and wrapped so every check calls it the same way.

The wrapper converts at the boundary (an implementation may compute on its own array type
by defining `to_native` and `to_numpy`), turns NumPy's RuntimeWarnings into errors (an op
must not overflow or divide by zero on the inputs the suite draws; the flags a BLAS
product leaves are not the op's, see `call`), and reports a missing
name as "not implemented", which pytest shows as a skip, never as a failure.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import importlib.util
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from nnconform.properties.styles.base import Stub

DEFAULT_IMPL = "nnconform.impl"  # the built-in NumPy reference
IMPL_SPEC = pytest.StashKey[str]()  # where the plugin keeps the --impl it resolved
STYLE = pytest.StashKey[str]()  # and the style it is written in (properties/styles/)
PROFILE = pytest.StashKey[str]()  # the name of the Hypothesis profile in force
SUITE_SETTINGS = pytest.StashKey[object]()  # and its settings (properties/runner.py)
NOT_IMPLEMENTED = "not implemented"
UNSUPPORTED = "unsupported"  # outside the declared domain, or NotImplementedError
NOT_APPLICABLE = "not applicable"  # a skip that is no gap: the case has nothing to check


class ImplementationLoadError(Exception):
    """The --impl module could not be imported; the message is one line for the user."""


def _import_file(path: Path, name: str):
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def _import_folder(path: Path) -> list:
    """A package folder (the assignment's `cs231n/`) imported as that package, with its
    modules; a plain folder's .py files imported side by side, as scripts there would."""
    if (path / "__init__.py").is_file():
        sys.path.insert(0, str(path.parent))
        package = importlib.import_module(path.name)
        names = [f"{path.name}.{p.stem}" for p in sorted(path.glob("*.py"))
                 if p.stem != "__init__"]
        return [package, *(importlib.import_module(name) for name in names)]
    sys.path.insert(0, str(path))
    return [importlib.import_module(p.stem) for p in sorted(path.glob("*.py"))]


def load_modules(spec: str) -> list:
    """Import `spec`: a module name (`mypkg.nn`), a path to a .py file, or a folder (a
    package or a folder of modules); several of these joined by commas. The functions
    are looked up in the modules in order."""
    modules = []
    for part in [p for p in spec.split(",") if p]:
        try:
            if part.endswith(".py") or os.sep in part or Path(part).is_dir():
                path = Path(part).resolve()
                if path.is_dir():
                    modules += _import_folder(path)
                    continue
                if not path.is_file():
                    raise ImplementationLoadError(f"--impl {part}: no such file or folder")
                # Like running a script: the file's own folder is importable, for helpers.
                sys.path.insert(0, str(path.parent))
                modules.append(_import_file(path, f"nnconform_impl_{path.stem}"))
                continue
            # A module of the project the check is run from is found there, as `python -m`
            # would find it (the `nnconform` script's own folder is not the project's).
            if os.getcwd() not in sys.path:
                sys.path.append(os.getcwd())
            modules.append(importlib.import_module(part))
        except ImplementationLoadError:
            raise
        except Exception as error:  # any import failure becomes one clear line
            raise ImplementationLoadError(
                f"--impl {part}: import failed: {type(error).__name__}: {error}"
            ) from error
    if not modules:
        raise ImplementationLoadError(f"--impl {spec!r}: names no module, file or folder")
    return modules


def load_module(spec: str):
    """The first module `spec` names (see load_modules)."""
    return load_modules(spec)[0]


def implementation(spec: str, style: str = "contract") -> Implementation:
    """The implementation `spec` names, written in `style`, wrapped for the checks."""
    from nnconform.properties.declared import DeclarationError
    from nnconform.properties.styles import base, style_module

    modules = load_modules(spec)
    try:
        adapter = style_module(style)
    except ValueError as error:
        raise ImplementationLoadError(str(error)) from None
    if adapter is None:
        module = modules[0] if len(modules) == 1 else base.merged(modules)
    else:
        module = base.build(adapter, modules)
    try:
        return Implementation(module, label=spec)
    except DeclarationError as error:
        raise ImplementationLoadError(f"--impl {spec}: {error}") from None


def _identity(array):
    return array


class Implementation:
    """Calls `NAME_forward` / `NAME_backward` of a module with NumPy in and NumPy out."""

    def __init__(self, module, label: str | None = None, declarations=None):
        from nnconform.properties import declared

        self.module = module
        self.label = label or getattr(module, "__name__", repr(module))
        self.to_native = getattr(module, "to_native", _identity)
        self.to_numpy = getattr(module, "to_numpy", _identity)
        self._warnings_allowed = False
        self.declarations = declarations or declared.read(
            getattr(module, "SUPPORT", None), getattr(module, "CONVENTIONS", None))

    # --- what the implementation declares (properties/declared.py) ------------------------

    def domain(self, op):
        return self.declarations.domain(op)

    def convention_names(self, op) -> tuple[str, ...]:
        return self.declarations.conventions.get(op.name, ())

    def conventions(self, op) -> list:
        return [op.conventions[name] for name in self.convention_names(op)]

    def oracle(self, op, kind: str):
        """(name, function) of the declared convention that replaces torch's `kind`
        ("forward" or "vjp") oracle for this op, else None."""
        return next(((name, getattr(op.conventions[name], kind))
                     for name in self.convention_names(op)
                     if getattr(op.conventions[name], kind) is not None), None)

    def following(self, op, names) -> Implementation:
        """The same code, taken to follow the conventions `names` for `op`."""
        twin = copy.copy(self)
        twin.declarations = self.declarations.following(op.name, tuple(names))
        return twin

    def _boundary(self, op_name: str) -> list:
        names = self.declarations.conventions.get(op_name)
        if not names:
            return []
        from nnconform.properties.optable import TABLE

        return [TABLE[op_name].conventions[name] for name in names]

    # --- calling it ------------------------------------------------------------------------

    def missing(self, *ops, backward: bool = True) -> list[str]:
        return [name for op in ops
                for name in (op.functions if backward or op.kind == "optimizer"
                             else op.functions[:1])
                if not callable(getattr(self.module, name, None))]

    def require(self, *ops, backward: bool = True) -> None:
        """Skip the calling test, as not implemented, unless every function of `ops` exists
        (with backward=False, a layer's forward is enough)."""
        absent = self.missing(*ops, backward=backward)
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
        """The implementation's `name`; a missing function, or one that is still a stub,
        skips the calling test as not implemented."""
        function = getattr(self.module, name, None)
        if not callable(function):
            pytest.skip(f"{NOT_IMPLEMENTED}: {name}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore" if self._warnings_allowed else "error",
                                  RuntimeWarning)
            # NumPy reports the floating-point flags a BLAS product leaves, and OpenBLAS's
            # float32 kernels can leave "invalid" from padding lanes of a packing buffer
            # that still holds an earlier product's NaN: finite inputs, a right result,
            # and a warning, now and then, after other tests. Not the op's doing; a NaN or
            # inf that does reach a product's result still fails every value check.
            warnings.filterwarnings("ignore", r".* encountered in matmul", RuntimeWarning)
            try:
                return function(*args, **kwargs)
            except Stub as stub:
                pytest.skip(f"{NOT_IMPLEMENTED}: {stub}")

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
        boundary = self._boundary(op_name)
        for convention in boundary:
            if convention.call is not None:
                moved, hyper = convention.call(tuple(self.as_numpy(a) for a in arrays),
                                               dict(hyper))
                arrays = [self.native(a) for a in moved]
        result = self.call(f"{op_name}_forward", *arrays, **hyper)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise AssertionError(
                f"{op_name}_forward returned {type(result).__name__}; expected a (y, ctx) pair"
            )
        y, ctx = result
        y = self.as_numpy(y)
        for convention in reversed(boundary):
            if convention.outputs is not None:
                y = convention.outputs(y)
        return y, ctx

    def backward(self, op_name: str, dy, ctx, count: int) -> tuple:
        """The gradients as NumPy (None stays None) for a NumPy `dy`, or for a tuple of
        them, one per output the op takes an upstream gradient for."""
        dys = dy if isinstance(dy, tuple) else (dy,)
        return self.backward_native(op_name, tuple(self.native(d) for d in dys), ctx, count)

    def backward_native(self, op_name: str, dy, ctx, count: int) -> tuple:
        """As `backward`, for upstream gradient(s) already converted; AssertionError unless
        `count` gradients come back."""
        dys = dy if isinstance(dy, tuple) else (dy,)
        boundary = self._boundary(op_name)
        for convention in boundary:
            if convention.upstream is not None:
                dys = tuple(self.native(d) for d in
                            convention.upstream(tuple(self.as_numpy(d) for d in dys)))
        grads = self.call(f"{op_name}_backward", *dys, ctx)
        if not isinstance(grads, tuple | list) or len(grads) != count:
            raise AssertionError(
                f"{op_name}_backward returned {type(grads).__name__}"
                f"{f' of length {len(grads)}' if isinstance(grads, tuple | list) else ''}; "
                f"expected a tuple of {count} gradient(s)"
            )
        grads = tuple(self.as_numpy(g) for g in grads)
        for convention in reversed(boundary):
            if convention.grads is not None:
                grads = tuple(convention.grads(grads))
        return grads

    def __call__(self, op_name: str, *arrays, **hyper):
        """Just the forward output as a NumPy array, or a tuple of them for an op with
        several outputs (for invariants)."""
        y, _ = self.forward(op_name, arrays, hyper)
        if isinstance(y, tuple) and any(value is None for value in y):
            from nnconform.properties.optable import TABLE

            absent = [n for n, v in zip(TABLE[op_name].outputs, y, strict=False) if v is None]
            pytest.skip(f"{NOT_IMPLEMENTED}: {op_name}_forward's output(s) {', '.join(absent)}")
        return y if isinstance(y, tuple) else np.asarray(y)

    def grads(self, op_name: str, arrays, hyper: dict, dy, count: int) -> tuple:
        """Forward then backward with upstream gradient `dy` (a tuple: one per output)."""
        _, ctx = self.forward(op_name, arrays, hyper)
        grads = self.backward(op_name, dy if isinstance(dy, tuple) else np.asarray(dy), ctx,
                              count)
        from nnconform.properties.optable import TABLE

        op = TABLE[op_name]
        absent = [name for name, index, grad in zip(op.grads, op.grad_indices, grads,
                                                   strict=False)
                  if grad is None and index < len(arrays) and arrays[index] is not None]
        if absent:
            pytest.skip(f"{NOT_IMPLEMENTED}: {op_name}_backward's gradient(s) of "
                        f"{', '.join(absent)}")
        return grads


def resolve_impl_spec(option: str | None) -> str:
    """--impl wins over $NNCONFORM_IMPL, which wins over the built-in implementation."""
    return option or os.environ.get("NNCONFORM_IMPL") or DEFAULT_IMPL
