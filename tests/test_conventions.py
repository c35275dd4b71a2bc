"""Named conventions (docs/conventions.md): every one the op table names has an
implementation in tests/mutants/ that follows it. Undeclared, it fails and the message
names the convention (tests/test_mutants.py); declared, it passes, and the report says
which convention each op was checked against."""

import importlib

from conftest import TESTS

from nnconform.properties.optable import TABLE

FOLLOWERS = [module for module in (importlib.import_module(f"mutants.{p.stem}")
                                   for p in sorted((TESTS / "mutants").glob("*.py")))
             if hasattr(module, "CONVENTION")]


def test_every_named_convention_has_an_implementation_that_follows_it():
    named = {(op.name, name) for op in TABLE.values() for name in op.conventions}
    followed = {(module.OP, module.CONVENTION) for module in FOLLOWERS}
    assert named == followed, f"no follower: {named - followed}; unknown: {followed - named}"


def test_followers_pass_once_they_declare_their_conventions(check):
    declared = importlib.import_module("conventions_declared").CONVENTIONS
    code, report, output = check("--impl", "tests/conventions_declared.py",
                                 "--only", ",".join(declared))
    assert code == 0, output[-4000:]
    for op, convention in declared.items():
        statuses = set(report["ops"][op].values()) - {"n/a"}
        assert statuses == {"pass"}, (op, report["ops"][op])
        names = [convention] if isinstance(convention, str) else convention
        assert report["declared"][op]["convention"] == ", ".join(names)
    assert "This failure matches" not in output


def test_a_misreading_cannot_be_declared(check, tmp_path):
    module = tmp_path / "declares_a_trap.py"
    module.write_text("from nnconform.impl import *  # noqa: F403\n"
                      "CONVENTIONS = {'xavier_normal': 'glorot'}\n")
    code, _, output = check("--impl", str(module), "--only", "xavier_normal")
    assert code == 2, output[-2000:]
    assert "CONVENTIONS['xavier_normal']: 'glorot' is a misreading" in output
