"""The command line and the pytest plugin: selection, xfails, errors, report files."""

import subprocess
import sys

from conftest import ROOT


def test_builtin_subset_passes_and_prints_the_table(check, tmp_path):
    junit = tmp_path / "junit.xml"
    code, report, output = check("--only", "softmax,mse", "--junit", str(junit))
    assert code == 0, output[-3000:]
    assert set(report["ops"]) == {"softmax", "mse"}
    assert "nnconform conformance" in output and "softmax" in output
    assert junit.read_text().count("<testcase") > 10


def test_unknown_op_is_a_clear_usage_error(check):
    code, _, output = check("--only", "softmaxx")
    assert code not in (0, 1)
    assert "unknown op(s) softmaxx" in output


def test_import_failure_is_one_line(check):
    code, _, output = check("--impl", "no_such_module_here")
    assert code == 2
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines == ["nnconform: --impl no_such_module_here: import failed: "
                     "ModuleNotFoundError: No module named 'no_such_module_here'"]


def test_xfails_file_marks_failures_and_warns_on_unmatched(check, tmp_path):
    xfails = tmp_path / "xfails.txt"
    xfails.write_text("# known bug\ntest_backward_*[sigmoid-*]\ntest_closed_form[sigmoid-*]\n"
                      "test_invariant[sigmoid-*]\ntest_nothing_like_this\n")
    code, report, output = check("--impl", "tests/mutants/sigmoid_backward_ignores_dy.py",
                                 "--only", "sigmoid", "--xfails", str(xfails))
    assert code == 0, output[-3000:]
    row = report["ops"]["sigmoid"]
    assert row["backward_torch"] == "xfail" and row["forward"] == "pass"
    assert "'test_nothing_like_this' matches no test" in output


def test_pytest_plugin_selects_the_implementation_by_env(tmp_path):
    env = {"NNCONFORM_IMPL": "tests/mutants/tanh_wrong_derivative.py"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "properties", "-q", "-k", "backward_torch and tanh",
         "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True,
        env={**__import__("os").environ, **env}, timeout=600)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "tanh / backward_torch" in result.stdout


def test_several_distinct_failures_report_the_first_with_its_example(check):
    code, report, output = check("--impl", "tests/misbehaving/relu_fails_two_ways.py",
                                 "--only", "relu", "--", "-k", "test_forward")
    assert code == 1
    failure = report["failures"][0]
    assert failure["message"].startswith("TypeError: relu: cannot handle 2-d input")
    assert "more distinct failure" in failure["message"]
    assert failure["example"].startswith("Falsifying example:")
    assert "+-----" not in output
