"""The op table: the one list of op names, signatures, strategies, oracles and tolerances.

Each family module in `properties/ops/` declares its ops as `Op` entries, with the op's own
invariants as small named functions beside the entry. The generic checks, the pytest
parametrisation, the CLI report and the contract table (docs/contract.md) are all read
off TABLE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from nnconform.properties.cases import FLOAT_DTYPES, Case

# The kinds of check, in report order; every test belongs to exactly one.
CHECK_KINDS = ("forward", "backward_torch", "backward_numeric", "closed_form", "contract",
               "invariants", "kinks", "robustness")
TORCH = "torch"  # the convention expected of an implementation that declares none


@dataclass(frozen=True)
class Invariant:
    """A named property of one op: `check(impl, case)` raises AssertionError when it fails.

    `cases(dtype)` draws its inputs (default: the op's own strategy); `uses` names other ops
    it calls, so a missing one reports the invariant as not implemented; `dtypes` limits it
    where the property only holds in one precision; `torch_only`: it states torch's
    convention, so it does not apply to an implementation declaring another (whose own
    oracle checks it instead)."""

    check: Callable
    cases: Callable[[str], st.SearchStrategy[Case]] | None = None
    uses: tuple[str, ...] = ()
    dtypes: tuple[str, ...] = FLOAT_DTYPES
    torch_only: bool = False

    @property
    def name(self) -> str:
        return self.check.__name__


def invariant(cases=None, uses=(), dtypes=FLOAT_DTYPES, torch_only=False):
    """Decorator: turn a check function into an Invariant."""
    return lambda check: Invariant(check, cases, tuple(uses), tuple(dtypes), torch_only)


@dataclass(frozen=True)
class Convention:
    """A legitimate way of computing an op that differs from torch's, with its own oracle
    (docs/conventions.md). An implementation declares the conventions it follows; with
    none declared torch's is expected, and a failure the convention explains says so.

    Either the convention is a different call of the same function (a weight stored
    (in, out), gates in another order, keep_prob read as the drop probability): `call`
    turns the contract's (arrays, hyper) into the call the implementation expects and
    `outputs` / `grads` turn its results back (`upstream` the backward's upstream
    gradients forth), so every check runs unchanged; or it
    computes something else (a biased running variance, ε inside the root, a derivative
    of 1 at a kink): `forward(arrays, hyper)` and `vjp(arrays, hyper, dys)` are its
    float64 oracles (oracles/conventions.py), replacing torch's and the closed form's.
    `trap`: not a style but a misreading (arguments in another library's order)."""

    doc: str
    call: Callable | None = None
    upstream: Callable | None = None
    grads: Callable | None = None
    outputs: Callable | None = None
    forward: Callable | None = None
    vjp: Callable | None = None
    trap: bool = False


@dataclass(frozen=True)
class Op:
    """One op of the contract.

    inputs: the array arguments in order ("b?" marks an optional one that may be None);
    grads: the inputs `NAME_backward` returns gradients for, in order (empty: no backward);
    hyper: the keyword hyperparameters and their defaults;
    variants: named settings for the strategy (a reduction, a kind of target), each a
        pytest parameter a user may xfail;
    cases(dtype, variant): a Hypothesis strategy for a Case;
    oracles: which of "torch", "numeric", "closed" apply (the catalog, docs/notes.md);
    reduction(case): the longest sum behind one output element, which scales tolerances;
    outputs: what the forward returns before ctx: one name, the array itself; several, a
        tuple in this order (batch_norm's new running statistics, an rnn's last state);
    upstream: the outputs the backward takes a gradient for, in its argument order
        (default: all of them);
    integer_outputs: outputs of integer dtype (indices), compared exactly;
    no_backward: why an op with no differentiable input has none (data preprocessing);
    kind: "layer" (NAME_forward / NAME_backward) or "optimizer" (NAME_init / NAME_step,
        checked on whole trajectories: properties/trajectory.py);
    edges(dtype): a strategy for inputs at the edges of the op's domain (logits of ±1e4,
        probabilities of exactly 0 and 1, ...), checked against torch by
        properties/robustness.py's `extremes`; None where the catalog names none;
    kinks(dtype): a strategy for inputs exactly at the op's kinks and ties (relu at 0, a
        max-pool window with two equal maxima), where the gradient is a convention:
        checked against torch's, or a declared convention's (checks.at_kinks);
    conventions: the op's legitimate conventions other than torch's, by name.
    """

    name: str
    family: str
    formula: str
    inputs: tuple[str, ...]
    cases: Callable[..., st.SearchStrategy[Case]]
    grads: tuple[str, ...] = ()
    hyper: dict = field(default_factory=dict)
    variants: dict[str, dict] = field(default_factory=lambda: {"default": {}})
    oracles: tuple[str, ...] = ("torch", "numeric", "closed")
    reduction: Callable[[Case], int] = lambda case: 1
    invariants: tuple[Invariant, ...] = ()
    outputs: tuple[str, ...] = ("y",)
    upstream: tuple[str, ...] | None = None
    integer_outputs: tuple[str, ...] = ()
    no_backward: str = ""
    kind: str = "layer"
    edges: Callable[[str], st.SearchStrategy[Case]] | None = None
    kinks: Callable[[str], st.SearchStrategy[Case]] | None = None
    conventions: dict[str, Convention] = field(default_factory=dict)

    @property
    def upstream_outputs(self) -> tuple[str, ...]:
        if not self.grads:
            return ()
        return self.outputs if self.upstream is None else self.upstream

    def outputs_of(self, y) -> tuple:
        """The forward's result as a tuple with one entry per declared output."""
        if len(self.outputs) == 1:
            return (y,)
        if not isinstance(y, tuple | list) or len(y) != len(self.outputs):
            raise AssertionError(
                f"{self.name}_forward returned {type(y).__name__} as its outputs; expected "
                f"a tuple ({', '.join(self.outputs)}) before ctx")
        return tuple(y)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(name.rstrip("?") for name in self.inputs)

    @property
    def grad_indices(self) -> tuple[int, ...]:
        return tuple(self.input_names.index(name) for name in self.grads)

    @property
    def functions(self) -> tuple[str, ...]:
        """The names an implementation must define for this op."""
        if self.kind == "optimizer":
            return (f"{self.name}_init", f"{self.name}_step")
        if self.grads:
            return (f"{self.name}_forward", f"{self.name}_backward")
        return (f"{self.name}_forward",)

    def signature(self) -> tuple[str, str]:
        """The forward and backward calls as the contract table (docs/contract.md) shows them."""
        arguments = [name.rstrip("?") + ("=None" if name.endswith("?") else "")
                     for name in self.inputs]
        arguments += [f"{key}={value!r}" for key, value in self.hyper.items()]
        if self.kind == "optimizer":
            settings = [f"{key}={value!r}" for key, value in self.hyper.items()]
            init = ", ".join(["param", *(a for a in settings if not a.startswith("lr="))])
            step = ", ".join(["param", "grad", "state", *settings])
            return (f"state = {self.name}_init({init}); "
                    f"param, state = {self.name}_step({step})", "—")
        outputs = self.outputs[0] if len(self.outputs) == 1 else f"({', '.join(self.outputs)})"
        forward = f"{outputs}, ctx = {self.name}_forward({', '.join(arguments)})"
        if not self.grads:
            return forward, "—"
        grads = ", ".join(f"d{name}" for name in self.grads)
        grads = f"({grads},)" if len(self.grads) == 1 else grads
        upstream = ", ".join(f"d{name}" for name in self.upstream_outputs)
        return forward, f"{grads} = {self.name}_backward({upstream}, ctx)"


def _collect() -> dict[str, Op]:
    from nnconform.properties.ops import (
        activations,
        attention,
        classic,
        conv,
        data,
        dropout,
        embedding,
        gd,
        init,
        layers,
        losses,
        networks,
        norm,
        optim,
        pool,
        recurrent,
        transformer,
    )

    table: dict[str, Op] = {}
    for module in (activations, losses, layers, conv, pool, norm, dropout, embedding,
                   recurrent, data, init, optim, classic, gd, networks, transformer,
                   attention):
        for op in module.OPS:
            if op.name in table:
                raise ValueError(f"op {op.name!r} is declared twice")
            table[op.name] = op
    for op in table.values():
        check_oracles(op)
    return table


ORACLES = ("torch", "numeric", "closed")


def check_oracles(op: Op) -> None:
    """Every oracle an entry declares has something behind it, so no check of that kind
    can pass without having run: a ValueError when the table is built, not a green cell."""
    from nnconform.oracles import closed_form
    from nnconform.oracles import torch as torch_oracle

    unknown = [name for name in op.oracles if name not in ORACLES]
    if unknown:
        raise ValueError(f"op {op.name!r}: unknown oracle(s) {unknown}; expected some of "
                         f"{ORACLES}")
    if "torch" in op.oracles and op.name not in torch_oracle.SUPPORTED:
        raise ValueError(f"op {op.name!r} declares the torch oracle, which has no "
                         f"{op.name} (oracles/torch.py)")
    if "closed" in op.oracles and not (op.name in closed_form.FORWARD
                                       or op.name in closed_form.BACKWARD):
        raise ValueError(f"op {op.name!r} declares a closed form, but "
                         f"oracles/closed_form.py has no formula for it")
    if "numeric" in op.oracles and not op.grads:
        raise ValueError(f"op {op.name!r} declares numeric gradients but has no backward")


TABLE: dict[str, Op] = _collect()
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(op.family for op in TABLE.values()))


def lookup(names) -> list[Op]:
    """The ops named (in table order); a ValueError names any unknown one."""
    names = list(names)
    unknown = [name for name in names if name not in TABLE]
    if unknown:
        raise ValueError(
            f"unknown op(s) {', '.join(unknown)}; expected some of: {', '.join(TABLE)}"
        )
    return [op for op in TABLE.values() if op.name in names]


def contract_table() -> str:
    """The contract table (docs/contract.md): names and signatures, generated from TABLE."""
    rows = ["| op | forward | backward | formula | oracles | conventions |",
            "|---|---|---|---|---|---|"]
    for op in TABLE.values():
        forward, backward = op.signature()
        if backward == "—":
            backward = f"— ({op.no_backward})" if op.no_backward else "—"
        else:
            backward = f"`{backward}`"
        traps = "".join(f" Beware: {c.doc}." for c in op.conventions.values() if c.trap)
        named = ", ".join(n for n, c in op.conventions.items() if not c.trap)
        rows.append(f"| {op.name} | `{forward}` | {backward} | {op.formula}{traps} | "
                    f"{', '.join(op.oracles)} | {named or '—'} |")
    return "\n".join(rows)


def conventions_table() -> str:
    """The named conventions (docs/conventions.md), generated from TABLE."""
    rows = ["| op | convention | what it means |", "|---|---|---|"]
    for op in TABLE.values():
        for name, convention in op.conventions.items():
            kind = " (a misreading: reported, never declared)" if convention.trap else ""
            rows.append(f"| {op.name} | `{name}`{kind} | {convention.doc} |")
    return "\n".join(rows)
