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
from dataclasses import asdict, dataclass

from properties.harness import IMPL_SPEC, NOT_APPLICABLE, NOT_IMPLEMENTED, PROFILE
from properties.isolation import NOTES_FOLDER, crash_reason, crashed_nodeid

STATUS_ORDER = ("crashed", "fail", "xfail", "not implemented", "skipped", "pass")
SHOWN = {"crashed": "CRASH", "fail": "FAIL", "xfail": "xfail", "not implemented": "not impl",
         "skipped": "skipped", "pass": "pass", "n/a": "n/a"}


@dataclass
class Outcome:
    nodeid: str
    op: str
    check: str
    status: str  # one of STATUS_ORDER
    message: str = ""
    example: str = ""


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)


def _counterexample(text: str) -> tuple[str, str]:
    """(the assertion message, Hypothesis's shrunk example) out of a failure's text.

    When Hypothesis found several distinct failures it raises an exception group, whose
    sub-tracebacks pytest prints behind '|': the first failure's message and example are
    taken, and the message says how many more there were."""
    lines = [re.sub(r"^E?[\s|]*", "", line).strip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith("Falsifying example")),
                 None)
    before = lines if start is None else lines[:start]
    # An exception's line, its class maybe dotted (triton.runtime.errors.InterpreterError).
    errors = [line for line in before if re.match(r"[\w.]*(Error|Exception)\b", line)]
    message = errors[-1] if errors else next((line for line in reversed(lines) if line), "")
    distinct = re.search(r"found (\d+) distinct failures", text)
    if distinct:
        message += f" (and {int(distinct.group(1)) - 1} more distinct failure(s))"
    example = ""
    if start is not None:
        end = next((i for i in range(start, len(lines)) if lines[i] == ")"), len(lines) - 1)
        example = re.sub(r"\s+", " ", " ".join(lines[start:end + 1]))
        example = example.replace("( ", "(").replace(" )", ")")
    return message, example


class Conformance:
    """Collects outcomes as pytest reports them and prints the table at the end."""

    def __init__(self, config):
        self.config = config
        self.outcomes: list[Outcome] = []
        self._checks = None  # test id -> (op, check), read when a test crashes

    def pytest_runtest_logreport(self, report):
        crashed = crashed_nodeid(report)
        if crashed is not None:
            return self._crashed(crashed)
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
            status = "not implemented" if NOT_IMPLEMENTED in reason else "skipped"
        elif report.when == "call":
            status = "pass"
        else:
            return
        outcome = Outcome(report.nodeid, op, check, status)
        if status == "fail":
            outcome.message, outcome.example = _counterexample(report.longreprtext)
        elif status in ("not implemented", "skipped"):
            outcome.message = _skip_reason(report).removeprefix("Skipped: ")
        self.outcomes.append(outcome)

    def _crashed(self, nodeid: str) -> None:
        """A test whose process died (xdist's report carries no markers: the op and check
        come from the test's id)."""
        if self._checks is None:
            from properties.params import checks_by_test

            self._checks = checks_by_test()
        found = self._checks.get(nodeid.split("::")[-1])
        if found is None:  # not a property test
            return
        outcome = Outcome(nodeid, *found, "crashed")
        outcome.message = crash_reason(nodeid, self.config.getoption("nnconform_timeout"),
                                       self.config.stash.get(NOTES_FOLDER, None))
        self.outcomes.append(outcome)

    # --- aggregation ---------------------------------------------------------------------

    def cells(self) -> dict[str, dict[str, str]]:
        from properties.optable import CHECK_KINDS, TABLE

        seen: dict[str, dict[str, set]] = {}
        for outcome in self.outcomes:
            seen.setdefault(outcome.op, {}).setdefault(outcome.check, set()).add(outcome.status)
        return {
            op: {kind: next((s for s in STATUS_ORDER if s in statuses.get(kind, ())), "n/a")
                 for kind in CHECK_KINDS}
            for op, statuses in ((name, seen[name]) for name in TABLE if name in seen)
        }

    def as_dict(self) -> dict:
        failures = [asdict(o) for o in self.outcomes if o.status in ("crashed", "fail")]
        counts = {s: sum(o.status == s for o in self.outcomes) for s in STATUS_ORDER}
        return {"implementation": self.config.stash.get(IMPL_SPEC, None),
                "profile": self.config.stash.get(PROFILE, None),
                "max_examples": self.max_examples(), "ops": self.cells(), "counts": counts,
                "failures": failures}

    @staticmethod
    def max_examples() -> int:
        """Examples per property under the profile in force (a failure can end one early)."""
        from hypothesis import settings

        return settings().max_examples

    def settings_line(self) -> str:
        return (f"implementation {self.config.stash.get(IMPL_SPEC, 'impl')}; Hypothesis "
                f"profile {self.config.stash.get(PROFILE, '?')}: up to {self.max_examples()} "
                f"examples per property")

    def pytest_terminal_summary(self, terminalreporter):
        if not self.outcomes:
            return
        write = terminalreporter.write_line
        terminalreporter.section("nnconform conformance")
        write(self.settings_line())
        for line in format_table(self.cells()):
            write(line)
        failures = [o for o in self.outcomes if o.status in ("crashed", "fail")]
        if failures:
            terminalreporter.section("smallest counterexamples")
            for outcome in failures:
                write(f"{outcome.op} / {outcome.check}: {outcome.nodeid}")
                write(f"    {outcome.message}")
                if outcome.example:
                    write(f"    {outcome.example}")
                write(f"    reproduce: pytest {outcome.nodeid.split('::')[0]} "
                      f"--impl {self.config.stash.get(IMPL_SPEC, 'impl')} "
                      f"'{outcome.nodeid}'")

    def pytest_sessionfinish(self, session):
        path = self.config.getoption("conformance_json")
        if path and not hasattr(self.config, "workerinput"):
            with open(path, "w") as file:
                json.dump(self.as_dict(), file, indent=2)


def format_table(cells: dict[str, dict[str, str]]) -> list[str]:
    from properties.optable import CHECK_KINDS

    width = max([len("op"), *map(len, cells)])
    header = "op".ljust(width) + "".join(f"  {kind}" for kind in CHECK_KINDS)
    lines = [header, "-" * len(header)]
    for op, row in cells.items():
        lines.append(op.ljust(width) + "".join(f"  {SHOWN[row[k]]:<{len(k)}}"
                                               for k in CHECK_KINDS))
    return lines
