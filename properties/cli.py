"""`nnconform check`: run the property suite on an implementation and print the report.

It is pytest underneath (the same plugin `pytest properties --impl MODULE` uses), so
anything after `--` goes to pytest unchanged: `nnconform check -- -x -n 2`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from properties.profiles import PROFILES

SUITE = Path(__file__).resolve().parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnconform", description="Conformance checks for deep-learning building blocks.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run the property suite and print the report")
    check.add_argument("--impl", default=None, metavar="MODULE",
                       help="module name or .py path under test (default: $NNCONFORM_IMPL, "
                            "else the built-in 'impl')")
    check.add_argument("--only", default=None, metavar="OPS",
                       help="comma-separated op names (default: every op)")
    check.add_argument("--profile", default=None, choices=sorted(PROFILES),
                       help="Hypothesis profile (default: $NNCONFORM_PROFILE, else 'ci')")
    check.add_argument("--xfails", default=None, metavar="FILE",
                       help="node ids expected to fail, one a line")
    check.add_argument("--report", default=None, metavar="FILE.json",
                       help="write the conformance report as JSON")
    check.add_argument("--junit", default=None, metavar="FILE.xml",
                       help="write a JUnit XML report")
    check.add_argument("-n", "--workers", default="1", metavar="N|auto",
                       help="processes that run the tests (pytest-xdist; default 1, so an "
                            "implementation that crashes takes down a worker, not the run; "
                            "auto: one per core)")
    check.add_argument("--no-isolation", action="store_true",
                       help="run the tests in this process: starts faster, but a crash or "
                            "a timeout ends the whole run")
    check.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="the longest one test may run before it is stopped and "
                            "reported crashed (default 300; 0: no limit)")
    check.add_argument("--seed", type=int, default=None, metavar="N",
                       help="draw examples at random from seed N instead of the profile's "
                            "fixed ones")
    check.add_argument("--shard", default=None, metavar="K/N",
                       help="run the K-th of N disjoint shares of the tests (one per CI "
                            "machine)")
    check.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS",
                       help="passed to pytest unchanged")

    commands.add_parser("contract", help="print the contract table (Markdown) from the op table")
    return parser


def check(args) -> int:
    import pytest

    from properties.harness import ImplementationLoadError, load_module, resolve_impl_spec

    spec = resolve_impl_spec(args.impl)
    try:
        load_module(spec)  # fail early, in one line, before pytest starts
    except ImplementationLoadError as error:
        print(f"nnconform: {error}", file=sys.stderr)
        return 2
    argv = [str(SUITE), "--impl", spec, "-q", "--no-header", "--tb=no",
            "-p", "no:cacheprovider", "-p", "no:benchmark", "--rootdir", str(SUITE.parent)]
    for option, value in (("--only", args.only), ("--nnconform-profile", args.profile),
                          ("--xfails", args.xfails), ("--conformance-json", args.report),
                          ("--junitxml", args.junit), ("--nnconform-timeout", args.timeout),
                          ("--nnconform-seed", args.seed), ("--shard", args.shard)):
        if value is not None:
            argv += [option, str(value)]
    if not args.no_isolation:
        # Restart a crashed worker as often as it takes: every crash is a reported test.
        argv += ["-n", args.workers, "--max-worker-restart", str(2**31 - 1)]
    code = pytest.main(argv + list(args.pytest_args))
    return {pytest.ExitCode.OK: 0, pytest.ExitCode.TESTS_FAILED: 1}.get(code, int(code))


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "contract":
        from properties.optable import contract_table

        print(contract_table())
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
