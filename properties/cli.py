"""`nnconform check`: run the property suite on an implementation and print the report.

It is pytest underneath (the plugin `pytest --pyargs nnconform.properties` uses, with the
same options spelled `--nnconform-…`), run on the installed suite with its own pytest
configuration (suite.ini), so it works the same from any directory and no project's
pytest settings leak in. Anything after `--` goes to pytest unchanged: `nnconform check
-- -x`.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from pathlib import Path

from nnconform.properties.profiles import PROFILES, cache_folder
from nnconform.properties.styles import STYLES

SUITE = Path(__file__).resolve().parent
# An --only of this many ops or fewer runs in one worker: a worker's start (~3 s, torch's
# import) is more than a few ops' tests take on a second core.
FEW_OPS = 3
CONTRACT_PAGE = SUITE.parent / "docs" / "contract.md"  # in a source checkout
CONVENTIONS_PAGE = SUITE.parent / "docs" / "conventions.md"
CONTRACT_START, CONTRACT_END = "<!-- contract-table:start", "<!-- contract-table:end -->"
GENERATED = ("contract-table", "conventions-table")  # the blocks --write regenerates


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnconform", description="Conformance checks for deep-learning building blocks.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run the property suite and print the report")
    check.add_argument("--impl", default=None, metavar="MODULE",
                       help="under test: a module name, a .py path or a folder (several, "
                            "joined by commas); default: $NNCONFORM_IMPL, else the "
                            "built-in nnconform.impl")
    check.add_argument("--style", default=None, choices=sorted(STYLES),
                       help="how it is written (default: $NNCONFORM_STYLE, else contract): "
                            + "; ".join(f"{name}: {what}" for name, what in STYLES.items()))
    check.add_argument("--only", default=None, metavar="OPS",
                       help="comma-separated op names (default: every op)")
    check.add_argument("--profile", default=None, choices=sorted(PROFILES),
                       help="Hypothesis profile (default: $NNCONFORM_PROFILE, else 'ci')")
    check.add_argument("--xfails", default=None, metavar="FILE",
                       help="test ids expected to fail, one a line")
    check.add_argument("--test", action="append", default=None, metavar="ID",
                       help="run just this test, e.g. 'test_forward[relu-default-float32]' "
                            "(as the report names it; repeatable)")
    check.add_argument("--report", default=None, metavar="FILE.json",
                       help="write the conformance report as JSON")
    check.add_argument("--junit", default=None, metavar="FILE.xml",
                       help="write a JUnit XML report")
    check.add_argument("-n", "--workers", default=None, metavar="N|auto",
                       help="processes that run the tests (pytest-xdist), so an "
                            "implementation that crashes takes down a worker, not the run "
                            "(default: auto, one per core, each with cores ÷ workers BLAS "
                            f"threads; 1 for --test or an --only of up to {FEW_OPS} ops)")
    check.add_argument("--threads", type=int, default=None, metavar="N",
                       help="BLAS and OpenMP threads of each worker (default: cores ÷ "
                            "workers; with --no-isolation, the libraries' own)")
    check.add_argument("--no-isolation", action="store_true",
                       help="run the tests in this process: starts faster, but a crash or "
                            "a timeout ends the whole run")
    check.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="the longest one test may run before it is stopped and "
                            "reported crashed (default 300; 0: no limit)")
    check.add_argument("--seed", type=int, default=None, metavar="N",
                       help="draw examples at random from seed N instead of the profile's "
                            "fixed ones")
    check.add_argument("--no-shrink", action="store_true",
                       help="report each failure with the first failing example found "
                            "instead of the smallest: the same verdicts, sooner")
    check.add_argument("--shard", default=None, metavar="K/N",
                       help="run the K-th of N disjoint shares of the tests (one per CI "
                            "machine)")
    check.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS",
                       help="passed to pytest unchanged")

    bench = commands.add_parser(
        "bench", help="time an implementation's ops against PyTorch at the benchmark shapes")
    bench.add_argument("--impl", default=None, metavar="MODULE",
                       help="as for check (default: $NNCONFORM_IMPL, else nnconform.impl)")
    bench.add_argument("--style", default=None, choices=sorted(STYLES),
                       help="as for check (default: $NNCONFORM_STYLE, else contract)")
    bench.add_argument("--only", default=None, metavar="OPS",
                       help="comma-separated op names (default: every benchmarked op)")
    bench.add_argument("--threads", type=int, default=None, metavar="N",
                       help="BLAS and OpenMP threads for both sides (default: every core)")
    bench.add_argument("--repeats", type=int, default=7, metavar="N",
                       help="interleaved samples per side (default 7)")
    bench.add_argument("--sample", type=float, default=0.05, metavar="SECONDS",
                       help="the least time one sample lasts (default 0.05)")
    bench.add_argument("--json", default=None, metavar="FILE",
                       help="write the rows, and the machine and thread settings, as JSON")

    contract = commands.add_parser(
        "contract", help="print the contract table (Markdown) generated from the op table")
    contract.add_argument("--write", nargs="?", const="", default=None,
                          metavar="FILE", help="write it, and the conventions table, into "
                          "FILE between their markers instead (default: "
                          f"{CONTRACT_PAGE.relative_to(SUITE.parent)} and "
                          f"{CONVENTIONS_PAGE.relative_to(SUITE.parent)} of this source "
                          "checkout)")
    return parser


def test_modules() -> dict[str, Path]:
    """Each test function of the suite -> the file that defines it, read from the files'
    top-level names (parsed, not imported: Hypothesis must not load before pytest)."""
    found = {}
    for path in sorted(SUITE.glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            names = ([node.name] if isinstance(node, ast.FunctionDef) else
                     [t.id for t in getattr(node, "targets", ()) if isinstance(t, ast.Name)])
            found.update({name: path for name in names if name.startswith("test_")})
    return found


def _test_arguments(tests: list[str]) -> list[str]:
    """pytest's arguments for --test ids: the test's file in the suite and its id; a
    ValueError names an id that is none of the suite's."""
    modules = test_modules()
    arguments = []
    for test in tests:
        path = modules.get(test.split("[", 1)[0])
        if path is None:
            raise ValueError(f"--test {test}: expected an id such as "
                             f"'test_forward[relu-default-float32]', starting with one of "
                             f"{', '.join(modules)}")
        arguments.append(f"{path}::{test}")
    return arguments


def check(args) -> int:
    import pytest

    from nnconform.properties.harness import (
        ImplementationLoadError,
        load_modules,
        resolve_impl_spec,
    )

    spec = resolve_impl_spec(args.impl)
    try:  # fail early, in one line, before pytest starts (its declarations: in the fixture)
        load_modules(spec)
    except ImplementationLoadError as error:
        print(f"nnconform: {error}", file=sys.stderr)
        return 2
    try:
        targets = _test_arguments(args.test) if args.test else [str(SUITE)]
    except ValueError as error:
        print(f"nnconform: {error}", file=sys.stderr)
        return 2
    argv = [*targets, "-c", str(SUITE / "suite.ini"), "--rootdir", str(SUITE),
            "-q", "--no-header", "--tb=no", "-rN", "--nnconform-impl", spec]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):  # else they load themselves
        argv += ["-p", "nnconform.properties.plugin", "-p", "xdist.plugin"]
    for option, value in (("--nnconform-style", args.style), ("--nnconform-only", args.only),
                          ("--nnconform-profile", args.profile),
                          ("--nnconform-xfails", args.xfails),
                          ("--nnconform-report", args.report), ("--junitxml", args.junit),
                          ("--nnconform-timeout", args.timeout),
                          ("--nnconform-seed", args.seed), ("--nnconform-shard", args.shard),
                          ("--nnconform-threads", args.threads)):
        if value is not None:
            argv += [option, str(value)]
    # Hypothesis's own files (its cache of constants) go with nnconform's, not into the
    # directory the check was run from; set before Hypothesis first writes, and inherited
    # by the workers.
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(cache_folder() / "hypothesis"))
    if args.no_shrink:
        argv.append("--nnconform-no-shrink")
    if not args.no_isolation:
        # Restart a crashed worker as often as it takes: every crash is a reported test.
        argv += ["-n", _workers(args), "--max-worker-restart", str(2**31 - 1)]
    code = pytest.main(argv + list(args.pytest_args))
    return {pytest.ExitCode.OK: 0, pytest.ExitCode.TESTS_FAILED: 1,
            pytest.ExitCode.USAGE_ERROR: 2}.get(code, int(code))


def _workers(args) -> str:
    """--workers as given, else auto for the whole suite and 1 for a small part of it."""
    if args.workers is not None:
        return args.workers
    few = args.test or (args.only and len([op for op in args.only.split(",") if op]) <= FEW_OPS)
    return "1" if few else "auto"


def contract(args) -> int:
    from nnconform.properties.optable import contract_table, conventions_table

    if args.write is None:
        print(contract_table())
        return 0
    tables = {"contract-table": contract_table, "conventions-table": conventions_table}
    for path in [Path(args.write)] if args.write else [CONTRACT_PAGE, CONVENTIONS_PAGE]:
        try:
            text = path.read_text()
        except OSError as error:
            print(f"nnconform: --write {path}: cannot read: {error.strerror}", file=sys.stderr)
            return 2
        found = [name for name in GENERATED if f"<!-- {name}:start" in text]
        if not found:
            print(f"nnconform: --write {path}: expected the markers '{CONTRACT_START} …' and "
                  f"'{CONTRACT_END}' around the table", file=sys.stderr)
            return 2
        for name in found:
            start, end = text.find(f"<!-- {name}:start"), text.find(f"<!-- {name}:end -->")
            if end < start:
                print(f"nnconform: --write {path}: no '<!-- {name}:end -->' after its start",
                      file=sys.stderr)
                return 2
            head = text[:text.index("\n", start) + 1]
            text = f"{head}{tables[name]()}\n{text[end:]}"
        path.write_text(text)
        print(f"nnconform: wrote the {' and '.join(found)} into {path}")
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    return {"contract": contract, "bench": bench}.get(args.command, check)(args)


def bench(args) -> int:
    """`nnconform bench`: benchmarks/compare.py, after the same checks of its arguments
    as `check` makes (a bad --impl or count is a usage error, exit status 2)."""
    for name in ("threads", "repeats"):
        value = getattr(args, name)
        if value is not None and value < 1:
            print(f"nnconform: --{name} {value}: expected a count >= 1", file=sys.stderr)
            return 2
    if args.sample <= 0:
        print(f"nnconform: --sample {args.sample}: expected seconds > 0", file=sys.stderr)
        return 2
    spec = args.impl or os.environ.get("NNCONFORM_IMPL")
    style = args.style or os.environ.get("NNCONFORM_STYLE")
    if spec:
        from nnconform.properties.harness import ImplementationLoadError, implementation

        try:
            implementation(spec, style or "contract")
        except ImplementationLoadError as error:
            print(f"nnconform: {error}", file=sys.stderr)
            return 2
    from nnconform.benchmarks import compare

    only = None if args.only is None else [op for op in args.only.split(",") if op]
    try:
        compare.ops(only)
    except ValueError as error:
        print(f"nnconform: {error}", file=sys.stderr)
        return 2
    return compare.main(spec, style, only, args.threads, args.repeats, args.sample,
                        args.json)


if __name__ == "__main__":
    sys.exit(main())
