"""The conformance report: one row per op, one column per kind of check.

A cell aggregates every test of that op and kind (dtypes, variants, invariants):
CRASH if the process running any of them died or was stopped at the time limit
(properties/isolation.py), else FAIL if any failed, else xfail if any was expected to
fail, else "not impl" if the implementation lacks the op, else pass; "n/a" where the kind
does not apply to the op (no PyTorch counterpart in the catalog, no gradient), so no cell
claims a check that did not run.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import asdict, dataclass

import pytest

from nnconform.properties.harness import (
    IMPL_SPEC,
    NOT_APPLICABLE,
    NOT_IMPLEMENTED,
    PROFILE,
    STYLE,
    SUITE_SETTINGS,
    UNSUPPORTED,
)
from nnconform.properties.isolation import NOTES_FOLDER, crash_reason
from nnconform.properties.runner import CONVENTION_HINT
from nnconform.properties.styles import DEFAULT_STYLE

STATUS_ORDER = ("crashed", "fail", "xfail", "skipped", "subset", "partial", "pass",
                "unsupported", "not implemented")
SHOWN = {"crashed": "CRASH", "fail": "FAIL", "xfail": "xfail", "not implemented": "not impl",
         "skipped": "skipped", "pass": "pass", "subset": "subset", "partial": "partial",
         "unsupported": "unsupported", "n/a": "n/a"}


@dataclass
class Outcome:
    test: str  # the test's id in the suite, as --test and --xfails take it
    nodeid: str  # pytest's, which depends on where the suite was collected from
    op: str
    check: str
    status: str  # one of STATUS_ORDER
    message: str = ""
    example: str = ""
    reproduce: str = ""
    domain: str = ""  # the part of the op's domain declared supported ('' for all of it)
    convention: str = ""  # the conventions declared ('' for torch's)


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _failed_outside(report) -> str:
    """The cause of a failure no property test's exception described (a fixture's)."""
    crash = getattr(report.longrepr, "reprcrash", None)
    lines = str(report.longrepr).strip().splitlines()
    return crash.message if crash is not None else (lines[-1] if lines else "failed")


def describe(error: BaseException) -> tuple[str, str]:
    """(the cause, Hypothesis's shrunk example) of a failing test, from its exception.

    The cause is the exception's type and message, a NumPy warning turned error included
    ("RuntimeWarning: overflow encountered in exp"). When Hypothesis found several distinct
    failures it raises an exception group: the first failure is described, and the message
    says how many more there were."""
    more = 0
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        more += len(error.exceptions) - 1
        error = error.exceptions[0]
    text = str(error).strip()
    message = type(error).__name__ + (f": {_one_line(text)}" if text else "")
    if more:
        message += f" (and {more} more distinct failure(s))"
    notes = getattr(error, "__notes__", None) or []
    example = next((_one_line(note) for note in notes
                    if str(note).startswith("Falsifying example")), "")
    message += "".join(f" | {_one_line(note)}" for note in notes
                       if str(note).startswith(CONVENTION_HINT))
    return message, example.replace("( ", "(").replace(" )", ")").replace(", )", ")")


class Conformance:
    """Collects outcomes as pytest reports them and prints the table at the end."""

    def __init__(self, config):
        self.config = config
        self.outcomes: list[Outcome] = []
        self._checks = None  # test id -> (op, check), read when a test crashes

    def pytest_runtest_logreport(self, report):
        properties = dict(report.user_properties)
        if "nnconform_op" not in properties:
            return
        op, check = properties["nnconform_op"], properties["nnconform_check"]
        if hasattr(report, "wasxfail"):
            status = "xfail" if report.skipped else "pass"
        elif report.failed:
            status = "fail"
        elif report.skipped:
            reason = _skip_reason(report)
            if NOT_APPLICABLE in reason:
                return  # the cell shows the op's other outcomes, or n/a
            status = ("not implemented" if NOT_IMPLEMENTED in reason else
                      UNSUPPORTED if reason.removeprefix("Skipped: ").startswith(UNSUPPORTED)
                      else "skipped")
        elif report.when == "call":
            restricted = properties.get("nnconform_domain") or (
                "nnconform_unsupported" in properties)
            status = "subset" if restricted else "pass"
        else:
            return
        outcome = Outcome(properties["nnconform_test"], report.nodeid, op, check, status,
                          domain=properties.get("nnconform_domain", ""),
                          convention=properties.get("nnconform_convention", ""))
        if "nnconform_unsupported" in properties:
            outcome.message = f"{UNSUPPORTED}: {properties['nnconform_unsupported']}"
        if status == "fail":
            outcome.message = properties.get("nnconform_message") or _failed_outside(report)
            outcome.example = properties.get("nnconform_example", "")
            outcome.reproduce = self.reproduce(outcome.test)
        elif status in ("not implemented", "skipped", UNSUPPORTED):
            outcome.message = _skip_reason(report).removeprefix("Skipped: ")
        self.outcomes.append(outcome)

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem, report, sched):
        """xdist's word that the worker running `crashitem` died (its report carries no
        markers: the op and check come from the test's id)."""
        if self._checks is None:
            from nnconform.properties.params import checks_by_test

            self._checks = checks_by_test()
        test = crashitem.split("::")[-1]
        found = self._checks.get(test)
        if found is None:  # not a property test
            return
        outcome = Outcome(test, crashitem, *found, "crashed")
        outcome.message = crash_reason(crashitem, self.config.getoption("nnconform_timeout"),
                                       self.config.stash.get(NOTES_FOLDER, None))
        outcome.reproduce = self.reproduce(test)
        self.outcomes.append(outcome)

    def reproduce(self, test: str) -> str:
        """The command that runs just `test` again, from the directory of this run."""
        suite = self.config.stash[SUITE_SETTINGS]
        words = ["nnconform", "check", "--impl", self.config.stash.get(IMPL_SPEC, "?")]
        if self.config.stash.get(STYLE, DEFAULT_STYLE) != DEFAULT_STYLE:
            words += ["--style", self.config.stash[STYLE]]
        if suite.profile != "ci":
            words += ["--profile", suite.profile]
        if suite.seed is not None:
            words += ["--seed", str(suite.seed)]
        return shlex.join([*words, "--test", test])

    # --- aggregation ---------------------------------------------------------------------

    def cells(self) -> dict[str, dict[str, str]]:
        from nnconform.properties.optable import CHECK_KINDS, TABLE

        seen: dict[str, dict[str, set]] = {}
        for outcome in self.outcomes:
            seen.setdefault(outcome.op, {}).setdefault(outcome.check, set()).add(outcome.status)
        declared = self.declared()
        return {
            op: {kind: cell(statuses.get(kind, set()), bool(declared[op]["checked_on"]))
                 for kind in CHECK_KINDS}
            for op, statuses in ((name, seen[name]) for name in TABLE if name in seen)
        }

    def declared(self) -> dict[str, dict[str, str]]:
        """Per op: the part of its domain checked ('' for all of it), the convention it
        was checked against, and the first configuration found unsupported."""
        from nnconform.properties.optable import TABLE, TORCH

        rows: dict[str, dict[str, str]] = {}
        for outcome in self.outcomes:
            row = rows.setdefault(outcome.op, {"checked_on": "", "convention": TORCH,
                                               "unsupported": ""})
            row["checked_on"] = row["checked_on"] or outcome.domain
            row["convention"] = outcome.convention or row["convention"]
            found = "NotImplementedError" in outcome.message  # not a declared subset
            if outcome.status in ("subset", UNSUPPORTED) and found and not row["unsupported"]:
                row["unsupported"] = outcome.message.removeprefix(f"{UNSUPPORTED}: ")
        return {op: rows[op] for op in TABLE if op in rows}

    def as_dict(self) -> dict:
        failures = [asdict(o) for o in self.outcomes if o.status in ("crashed", "fail")]
        counts = {s: sum(o.status == s for o in self.outcomes) for s in STATUS_ORDER}
        return {"implementation": self.config.stash.get(IMPL_SPEC, None),
                "profile": self.config.stash.get(PROFILE, None),
                "max_examples": self.max_examples(), "threads": self._threads(),
                "ops": self.cells(),
                "declared": self.declared(), "counts": counts,
                "failures": failures}

    def max_examples(self) -> int:
        """Examples per property under the profile in force (a failure can end one early)."""
        return self.config.stash[SUITE_SETTINGS].max_examples

    def settings_line(self) -> str:
        return (f"implementation {self.config.stash.get(IMPL_SPEC, '?')}; Hypothesis "
                f"profile {self.config.stash.get(PROFILE, '?')}: up to {self.max_examples()} "
                f"examples per property; threads {self._threads()}")

    def _threads(self) -> str:
        from nnconform.properties.plugin import THREADS

        return self.config.stash.get(THREADS, "?")

    def pytest_terminal_summary(self, terminalreporter):
        if not self.outcomes:
            return
        write = terminalreporter.write_line
        terminalreporter.section("nnconform conformance")
        write(self.settings_line())
        declared = self.declared()
        for line in format_table(self.cells(), declared):
            write(line)
        unsupported = {op: row["unsupported"] for op, row in declared.items()
                       if row["unsupported"]}
        if unsupported:
            terminalreporter.section("configurations found unsupported (NotImplementedError)")
            for op, what in unsupported.items():
                write(f"{op}: {what}")
        failures = [o for o in self.outcomes if o.status in ("crashed", "fail")]
        if failures:
            terminalreporter.section("smallest counterexamples")
            for outcome in failures:
                write(f"{outcome.op} / {outcome.check}: {outcome.test}")
                write(f"    {outcome.message}")
                if outcome.example:
                    write(f"    {outcome.example}")
                write(f"    reproduce: {outcome.reproduce}")

    def pytest_sessionfinish(self, session):
        path = self.config.getoption("nnconform_report")
        if path and not hasattr(self.config, "workerinput"):
            with open(path, "w") as file:
                json.dump(self.as_dict(), file, indent=2)


def cell(statuses: set, restricted: bool) -> str:
    """One cell from the statuses of its tests: a failure first; then, if any test ran,
    pass, or "subset" where part of the domain was declared away or found unsupported,
    or "partial" where part of the op is not implemented; else why none ran."""
    for status in ("crashed", "fail", "xfail", "skipped"):
        if status in statuses:
            return status
    if statuses & {"pass", "subset"}:
        if restricted or statuses & {"subset", UNSUPPORTED}:
            return "subset"
        return "partial" if "not implemented" in statuses else "pass"
    return next((s for s in ("not implemented", UNSUPPORTED) if s in statuses), "n/a")


def format_table(cells: dict[str, dict[str, str]], declared: dict | None = None) -> list[str]:
    """The table: a column per kind of check, then the convention each op was checked
    against and the part of its domain checked ("all" for the whole of it)."""
    from nnconform.properties.optable import CHECK_KINDS

    declared = declared or {}
    width = max([len("op"), *map(len, cells)])
    conventions = {op: declared.get(op, {}).get("convention", "torch") for op in cells}
    convention_width = max([len("convention"), *map(len, conventions.values())])
    widths = {kind: max([len(kind), *(len(SHOWN[row[kind]]) for row in cells.values())])
              for kind in CHECK_KINDS}
    header = ("op".ljust(width) + "".join(f"  {kind:<{widths[kind]}}" for kind in CHECK_KINDS)
              + f"  {'convention':<{convention_width}}  checked on")
    lines = [header, "-" * len(header)]
    for op, row in cells.items():
        checked_on = declared.get(op, {}).get("checked_on") or "all"
        lines.append(op.ljust(width) + "".join(f"  {SHOWN[row[k]]:<{widths[k]}}"
                                               for k in CHECK_KINDS)
                     + f"  {conventions[op]:<{convention_width}}  {checked_on}")
    return lines
