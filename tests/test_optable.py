"""The op table is the one list: docs/contract.md, the oracles and .ci/run agree with it."""

import re
from dataclasses import replace

import pytest
from conftest import ROOT

from nnconform.oracles import closed_form
from nnconform.oracles import torch as torch_oracle
from nnconform.properties.optable import TABLE, check_oracles, contract_table, conventions_table
from nnconform.properties.styles import DEFAULT_STYLE, STYLES


def test_contract_page_table_is_generated_from_the_op_table():
    page = (ROOT / "docs/contract.md").read_text()
    block = re.search(r"<!-- contract-table:start.*?-->\n(.*?)\n<!-- contract-table:end -->",
                      page, re.S)
    assert block, "docs/contract.md lacks the contract-table markers"
    assert block.group(1).strip() == contract_table().strip(), (
        "docs/contract.md's contract table is stale: run `nnconform contract --write`")


def test_conventions_page_table_is_generated_from_the_op_table():
    page = (ROOT / "docs/conventions.md").read_text()
    block = re.search(r"<!-- conventions-table:start.*?-->\n(.*?)\n<!-- conventions-table:end -->",
                      page, re.S)
    assert block, "docs/conventions.md lacks the conventions-table markers"
    assert block.group(1).strip() == conventions_table().strip(), (
        "docs/conventions.md's table is stale: run `nnconform contract --write`")


def test_the_styles_page_documents_every_shipped_style():
    page = (ROOT / "docs/styles.md").read_text()
    for style in STYLES:
        if style != DEFAULT_STYLE:
            assert f"## {style}:" in page, f"docs/styles.md has no section for --style {style}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"# run the tests.*?\n(.+?)\n", readme).group(1).strip()
    assert command in (ROOT / ".ci/run").read_text()


def test_every_declared_oracle_exists():
    for op in TABLE.values():
        assert ("torch" in op.oracles) == (op.name in torch_oracle.SUPPORTED), op.name
        has_closed = op.name in closed_form.FORWARD or op.name in closed_form.BACKWARD
        assert ("closed" in op.oracles) == has_closed, op.name


def test_every_op_has_a_backward_or_says_why_not_and_an_invariant():
    for op in TABLE.values():
        assert op.grads or op.no_backward, f"{op.name} declares no differentiable input"
        assert not (op.grads and op.no_backward), f"{op.name}: a backward and a reason not to"
        assert op.invariants, f"{op.name} has no invariant"


def test_declared_outputs_are_consistent():
    for op in TABLE.values():
        assert set(op.upstream_outputs) <= set(op.outputs), op.name
        assert set(op.integer_outputs) <= set(op.outputs), op.name
        assert not set(op.integer_outputs) & set(op.upstream_outputs), op.name


def test_a_declared_oracle_with_nothing_behind_it_is_an_error_when_the_table_is_built():
    """Else its column would say pass for a check that never ran."""
    cases = [
        (replace(TABLE["step"], oracles=("torch", "numeric")), "declares the torch oracle"),
        (replace(TABLE["step"], name="step_twin", oracles=("numeric", "closed")),
         "declares a closed form"),
        (replace(TABLE["one_hot"], oracles=("numeric",)), "declares numeric gradients"),
        (replace(TABLE["step"], oracles=("autograd",)), "unknown oracle"),
    ]
    for op, words in cases:
        with pytest.raises(ValueError, match=words):
            check_oracles(op)
