"""Declared support and partial ops (docs/conventions.md): a subset passes as a subset and
the report names it; what an implementation rejects with NotImplementedError is
unsupported, never FAIL and never pass; an op with a part missing is checked on the rest."""

import xml.etree.ElementTree as ET


def _statuses(report, op):
    return set(report["ops"][op].values()) - {"n/a"}


def test_a_declared_subset_passes_as_a_subset_and_the_report_names_it(check):
    code, report, output = check("--impl", "tests/declared/conv2d_without_dilation.py",
                                 "--only", "conv2d")
    assert code == 0, output[-4000:]
    assert _statuses(report, "conv2d") == {"subset"}, report["ops"]["conv2d"]
    assert report["declared"]["conv2d"]["checked_on"] == "dilation 1, groups 1"
    assert "dilation 1, groups 1" in output.split("nnconform conformance")[1]
    assert report["counts"]["pass"] == 0  # no test of it claims the whole domain


def test_not_implemented_error_is_unsupported_with_the_configuration(check, tmp_path):
    junit = tmp_path / "report.xml"
    code, report, output = check(
        "--impl", "tests/declared/conv2d_without_dilation_undeclared.py", "--only", "conv2d",
        "--junit", str(junit))
    assert code == 0, output[-4000:]
    assert report["counts"]["fail"] == 0 and report["counts"]["unsupported"] > 0
    assert "pass" not in _statuses(report, "conv2d"), report["ops"]["conv2d"]
    unsupported = report["declared"]["conv2d"]["unsupported"]
    assert "NotImplementedError: " in unsupported and "'dilation': " in unsupported
    assert f"conv2d: {unsupported}" in output
    properties = {p.get("name") for p in ET.parse(junit).iter("property")}
    assert {"nnconform_domain", "nnconform_convention", "nnconform_unsupported"} <= properties


def test_partial_ops_are_checked_on_what_they_have(check):
    code, report, output = check("--impl", "tests/declared/partial_ops.py",
                                 "--only", "step,leaky_relu,lstm")
    assert code == 0, output[-4000:]
    step, leaky, lstm = (report["ops"][op] for op in ("step", "leaky_relu", "lstm"))
    assert step["backward_numeric"] == "not implemented"
    assert step["closed_form"] == step["kinks"] == "subset"  # its forward, float64 only
    assert leaky["kinks"] == "subset"  # stands alone: it needs no other op
    assert leaky["invariants"] == "not implemented"  # its invariant uses identity
    for kind in ("forward", "backward_torch", "backward_numeric", "contract"):
        assert lstm[kind] == "subset", (kind, lstm)  # every output but c_n, every grad but dc0
    assert report["declared"]["lstm"]["checked_on"] == ("float64, outputs y, h_n, gradients "
                                                        "of x, h0, w_ih, w_hh, b_ih, b_hh")


def test_declarations_that_name_nothing_are_usage_errors(check, tmp_path):
    for declaration, message in (
            ("SUPPORT = {'conv2d': {'dilatation': [1]}}",
             "SUPPORT['conv2d']: unknown key 'dilatation'; expected one of"),
            ("SUPPORT = {'conv3d': {}}", "unknown op(s) conv3d"),
            ("SUPPORT = {'conv2d': {'dtypes': ['float16']}}", "unknown float16"),
            ("SUPPORT = {'lstm': {'grads': ['c_n']}}",
             "SUPPORT['lstm']['grads']: unknown c_n; expected some of x, h0, c0"),
            ("CONVENTIONS = {'relu': 'leaky'}",
             "CONVENTIONS['relu']: unknown convention leaky; expected torch or "
             "grad_one_at_zero")):
        module = tmp_path / "declares.py"
        module.write_text(f"from nnconform.impl import *  # noqa: F403\n{declaration}\n")
        code, _, output = check("--impl", str(module), "--only", "relu")
        assert code == 2, output[-2000:]
        assert message in output, output[-2000:]
