"""What an implementation declares about itself (docs/conventions.md):

    SUPPORT = {"conv2d": {"dilation": [1], "groups": [1], "dtypes": ["float64"]},
               "cross_entropy": {"variants": ["indices-mean", "indices-sum"]},
               "leaky_relu": {"negative_slope": {"min": 0.0, "max": 0.5}},
               "lstm": {"outputs": ["y", "h_n"], "grads": ["x", "h0", "w_ih", ...]},
               "*": {"dtypes": ["float64"]}}           # under every op's own entry
    CONVENTIONS = {"batch_norm": "biased_running_var", "lstm": ["gates_ifog"]}

A domain names, per op, the hyperparameter values (a list) or ranges (min/max) it
supports, its dtypes, the table's variants, the outputs it returns and the gradients its
backward returns (the others are "not implemented": None there), and `where`: a
(description, predicate) pair on (arrays, hyper) for what no single value says ("output
sizes divide exactly").
Cases are drawn inside it; the report says which part of the op's domain was checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nnconform.properties.optable import TABLE, TORCH

ANY = "*"
KEYS = ("dtypes", "variants", "outputs", "grads", "where")


class DeclarationError(ValueError):
    """SUPPORT or CONVENTIONS names something the op table does not have."""


@dataclass(frozen=True)
class Domain:
    """The part of one op's domain an implementation supports (all of it by default)."""

    hyper: dict = field(default_factory=dict)  # name -> tuple of values | (low, high) range
    dtypes: tuple | None = None
    variants: tuple | None = None
    outputs: tuple | None = None
    grads: tuple | None = None
    where: tuple[str, Callable] | None = None

    def describe(self) -> str:
        """'dilation 1, groups 1, float64': empty for the whole domain."""
        parts = [f"{name} {_shown(allowed)}" for name, allowed in self.hyper.items()]
        parts += [", ".join(values) for values in (self.variants, self.dtypes) if values]
        if self.outputs is not None:
            parts.append(f"outputs {', '.join(self.outputs)}")
        if self.grads is not None:
            parts.append(f"gradients of {', '.join(self.grads)}")
        if self.where is not None:
            parts.append(self.where[0])
        return ", ".join(parts)

    def refuses(self, variant: str | None, dtype: str | None) -> str:
        """Why a test of this variant and dtype lies outside the domain ('' if it does not)."""
        if self.variants is not None and variant is not None and variant not in self.variants:
            return f"variant {variant}"
        if self.dtypes is not None and dtype is not None and dtype not in self.dtypes:
            return f"dtype {dtype}"
        return ""

    def admits(self, op, case) -> bool:
        for name, allowed in self.hyper.items():
            value = case.hyper.get(name, op.hyper.get(name))
            values = value if isinstance(value, tuple | list) else (value,)
            if not all(_within(v, allowed) for v in values):
                return False
        return self.where is None or bool(self.where[1](case.arrays, case.hyper))

    def restrict(self, op, strategy):
        """The strategy's cases inside the domain (all of them when nothing restricts)."""
        if not self.hyper and self.where is None:
            return strategy
        return strategy.filter(lambda case: self.admits(op, case))


def _within(value, allowed) -> bool:
    if isinstance(allowed, Range):
        return value is not None and allowed.low <= value <= allowed.high
    return value in allowed


@dataclass(frozen=True)
class Range:
    low: float
    high: float


def _shown(allowed) -> str:
    if isinstance(allowed, Range):
        return f"in [{allowed.low:g}, {allowed.high:g}]"
    return " or ".join(repr(v) if isinstance(v, str) else str(v) for v in allowed)


def _names(value, what: str) -> tuple:
    values = (value,) if isinstance(value, str) else value
    if not isinstance(values, list | tuple | set | frozenset):
        raise DeclarationError(f"{what}: {value!r}; expected a list")
    return tuple(values)


def _allowed(value, what: str):
    if isinstance(value, dict):
        if set(value) != {"min", "max"}:
            raise DeclarationError(f"{what}: {value!r}; expected a list of values or "
                                   f"{{'min': ..., 'max': ...}}")
        return Range(value["min"], value["max"])
    return _names(value, what)


def domain(entry: dict, op, what: str) -> Domain:
    if not isinstance(entry, dict):
        raise DeclarationError(f"{what}: {entry!r}; expected a dict")
    hyper, parts = {}, {}
    for key, value in entry.items():
        if key == "where":
            if not (isinstance(value, tuple) and len(value) == 2 and callable(value[1])):
                raise DeclarationError(f"{what}['where']: expected a (description, "
                                       f"predicate(arrays, hyper)) pair")
            parts["where"] = value
        elif key in KEYS and (op is not None or key == "dtypes"):
            parts[key] = _names(value, f"{what}[{key!r}]")
            known = {"dtypes": ("float32", "float64"),
                     "variants": tuple(op.variants) if op else (),
                     "outputs": op.outputs if op else (),
                     "grads": op.grads if op else ()}[key]
            unknown = [v for v in parts[key] if known and v not in known]
            if unknown:
                raise DeclarationError(f"{what}[{key!r}]: unknown {', '.join(map(str, unknown))}"
                                       f"; expected some of {', '.join(known)}")
        elif op is not None and key in op.hyper:
            hyper[key] = _allowed(value, f"{what}[{key!r}]")
        else:
            raise DeclarationError(f"{what}: unknown key {key!r}; expected one of "
                                   f"{', '.join([*KEYS, *(op.hyper if op else ())])}")
    return Domain(hyper=hyper, **parts)


def _merged(general: Domain, own: Domain) -> Domain:
    """An op's own entry over the '*' entry (which may name dtypes and `where` only)."""
    return Domain(hyper=own.hyper,
                  dtypes=own.dtypes if own.dtypes is not None else general.dtypes,
                  variants=own.variants, outputs=own.outputs, grads=own.grads,
                  where=own.where if own.where is not None else general.where)


@dataclass(frozen=True)
class Declarations:
    domains: dict = field(default_factory=dict)  # op name -> Domain
    conventions: dict = field(default_factory=dict)  # op name -> tuple of names

    def domain(self, op) -> Domain:
        return self.domains.get(op.name, Domain())

    def following(self, op_name: str, names: tuple) -> Declarations:
        return Declarations(self.domains, {**self.conventions, op_name: tuple(names)})


def read(support, conventions) -> Declarations:
    """The declarations of an implementation (its SUPPORT and CONVENTIONS), checked
    against the op table; a DeclarationError names what it does not know."""
    support, conventions = support or {}, conventions or {}
    if not isinstance(support, dict) or not isinstance(conventions, dict):
        raise DeclarationError("SUPPORT and CONVENTIONS must be dicts keyed by op name")
    unknown = [name for name in [*support, *conventions] if name != ANY and name not in TABLE]
    if unknown:
        raise DeclarationError(f"unknown op(s) {', '.join(unknown)} in SUPPORT or "
                               f"CONVENTIONS; the op table's names are in docs/contract.md")
    general = domain(support.get(ANY, {}), None, f"SUPPORT[{ANY!r}]")
    domains = {name: _merged(general, domain(support.get(name, {}), op,
                                             f"SUPPORT[{name!r}]"))
               for name, op in TABLE.items()}
    followed = {}
    for name, value in conventions.items():
        names = tuple(n for n in _names(value, f"CONVENTIONS[{name!r}]") if n != TORCH)
        known = {n: c for n, c in TABLE[name].conventions.items() if not c.trap}
        for n in names:
            if n in TABLE[name].conventions and n not in known:
                raise DeclarationError(f"CONVENTIONS[{name!r}]: {n!r} is a misreading, not a "
                                       f"convention: {TABLE[name].conventions[n].doc}")
        wrong = [n for n in names if n not in known]
        if wrong:
            raise DeclarationError(
                f"CONVENTIONS[{name!r}]: unknown convention {', '.join(wrong)}; expected "
                f"{' or '.join([TORCH, *known])}")
        followed[name] = names
    return Declarations({name: d for name, d in domains.items() if d != Domain()}, followed)
