"""What every adapter is built from: the user's code, searched by name, and the rule that
a function returning None is the assignment's stub, "not implemented"."""

from __future__ import annotations

import functools
import types

LEFT_OUT = object()  # a hyperparameter the harness did not pass: the user's default applies


class Stub(Exception):  # noqa: N818 (a report, not an error of the harness)
    """A user function returned None where a result was due: a stub not yet written."""


class UserCode:
    """The user's modules, searched in order for a name."""

    def __init__(self, modules):
        self.modules = list(modules)

    def find(self, name: str):
        for module in self.modules:
            found = getattr(module, name, None)
            if found is not None:
                return found
        return None

    def has(self, name: str) -> bool:
        return self.find(name) is not None

    def call(self, name: str, *args, **kwargs):
        """The user's `name` called; Stub if it (or the first item of a tuple it returns)
        is None, as the assignment's unwritten functions return."""
        result = self.find(name)(*args, **kwargs)
        if result is None or (isinstance(result, tuple) and result and result[0] is None):
            raise Stub(f"{name} returns None (still the assignment's stub?)")
        return result


def needs(*names: str):
    """Mark a contract function of an adapter with the user functions it calls: it exists
    for a user's code only when they all do."""
    def mark(function):
        function.needs = names
        return function
    return mark


def loss_backward(function: str):
    """NAME_backward of a loss whose user function returns (loss, dx) at once (CS231n's
    softmax_loss): the forward keeps dx as ctx, and the backward scales it by dloss."""

    @needs(function)
    def backward(user, dy, dx):
        return (dy * dx,)

    return backward


def build(adapter, modules) -> types.SimpleNamespace:
    """The contract's functions that the user's code supports, bound to it (the adapter's
    own and those of the modules in its PARTS), with the adapter's declarations under
    those of the user's modules (the user's win)."""
    user = UserCode(modules)
    functions = {name: functools.partial(value, user)
                 for part in (*getattr(adapter, "PARTS", ()), adapter)
                 for name, value in vars(part).items()
                 if callable(value) and hasattr(value, "needs")
                 and all(user.has(n) for n in value.needs)}
    declared = {}
    for key in ("SUPPORT", "CONVENTIONS"):
        own = {}
        for module in reversed(user.modules):
            own.update(getattr(module, key, None) or {})
        declared[key] = {**getattr(adapter, key, {}), **own}
    for hook in ("to_native", "to_numpy"):
        if hasattr(adapter, hook):
            functions[hook] = getattr(adapter, hook)
    return types.SimpleNamespace(__name__=adapter.__name__, **functions, **declared)


def merged(modules) -> types.SimpleNamespace:
    """Several modules written to the contract, as one: the first to define a name wins."""
    names = {}
    for module in reversed(modules):
        names.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
    return types.SimpleNamespace(**{**names, "__name__": modules[0].__name__})
