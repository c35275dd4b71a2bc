"""The command line and the pytest plugin: selection, xfails, errors, report files."""

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, TESTS


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


def test_pytest_route_selects_the_implementation_by_env_from_any_directory(tmp_path):
    env = {"NNCONFORM_IMPL": str(TESTS / "mutants/tanh_wrong_derivative.py")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "nnconform.properties", "-q",
         "-k", "backward_torch and tanh", "-p", "no:cacheprovider"], cwd=tmp_path,
        capture_output=True, text=True, env={**os.environ, **env}, timeout=600)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "tanh / backward_torch: test_backward_torch[tanh-default-float" in result.stdout
    assert "reproduce: nnconform check --impl " in result.stdout


def test_several_distinct_failures_report_the_first_with_its_example(check):
    code, report, output = check("--impl", "tests/misbehaving/relu_fails_two_ways.py",
                                 "--only", "relu", "--", "-k", "test_forward")
    assert code == 1
    failure = report["failures"][0]
    assert failure["message"].startswith("TypeError: relu: cannot handle 2-d input")
    assert "more distinct failure" in failure["message"]
    assert failure["example"].startswith("Falsifying example:")
    assert "+-----" not in output


def test_loading_an_implementation_imports_nothing_else(tmp_path):
    """The harness, its checks and a file-path plug-in load without the built-in impl: only
    the named module (and what it imports itself) is ever imported."""
    code = ("import sys\n"
            "from nnconform.properties import checks, harness, params, plugin, robustness\n"
            f"harness.load_module({str(TESTS / 'adapter_example/layers.py')!r})\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
            "             ('impl', 'oracles', 'properties', 'mutants', 'nnconform.impl')\n"
            "             or m.startswith('nnconform.impl')))\n"
            "print(sorted(m for m in sys.modules if m.startswith('nnconform_impl')))")
    # From outside the repository: nothing generic is importable there.
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["[]", "['nnconform_impl_layers']"]


def test_a_module_name_and_a_file_path_load_the_same_plug_in(check):
    reports = []
    for spec, env in (("tests/torch_backed.py", {}),
                      ("torch_backed", {"PYTHONPATH": str(ROOT / "tests")})):
        code, report, output = check("--impl", spec, "--only", "relu,softmax",
                                     "--no-isolation", env=env)
        assert code == 0, output[-2000:]
        assert report["implementation"] == spec
        reports.append(report["ops"])
    assert reports[0] == reports[1]
    assert set(reports[0]["relu"].values()) <= {"pass", "n/a"}


def test_parallel_runs_give_the_serial_report(check):
    """One process, one worker and a worker per core agree, cell by cell and failure by
    failure (a mutant, so there is something to report)."""
    reports = []
    for workers in (["--no-isolation"], ["-n", "1"], ["-n", "2"]):
        code, report, output = check("--impl", "tests/mutants/softmax_no_max_shift.py",
                                     "--only", "softmax,relu", *workers)
        assert code == 1, output[-2000:]
        reports.append((report["ops"], sorted(f["nodeid"] for f in report["failures"])))
    assert reports[0] == reports[1] == reports[2]


def test_shards_partition_the_suite(check):
    """--shard K/N runs disjoint shares whose union is the whole selection."""
    counts = []
    for shard in ("1/2", "2/2", None):
        args = ("--shard", shard) if shard else ()
        code, report, output = check("--only", "relu,softmax,mse", "--no-isolation", *args)
        assert code == 0, output[-2000:]
        counts.append(sum(report["counts"].values()))
    assert counts[0] + counts[1] == counts[2] and min(counts[:2]) > 0
    code, _, output = check("--only", "relu", "--shard", "3/2")
    assert code not in (0, 1) and "--shard/--nnconform-shard: expected K/N" in output


def test_a_warning_turned_error_is_the_failures_message_in_table_json_and_junit(check,
                                                                               tmp_path):
    junit = tmp_path / "junit.xml"
    code, report, output = check("--impl", "tests/mutants/sigmoid_naive_exp.py", "--only",
                                 "sigmoid", "--junit", str(junit), "--", "-k", "extremes")
    assert code == 1, output[-2000:]
    messages = [f["message"] for f in report["failures"]]
    assert messages and all(m.startswith("RuntimeWarning: overflow encountered in exp")
                            for m in messages), messages
    assert "    RuntimeWarning: overflow encountered in exp" in output
    assert 'name="nnconform_message" value="RuntimeWarning: overflow' in junit.read_text()


def test_a_printed_reproduce_line_runs_just_that_test_from_the_run_directory(tmp_path):
    """Run from a directory outside the repository with a relative --impl; every
    reproduce line, run there as printed, runs that one test and fails it again."""
    plug_in = tmp_path / "my_relu.py"
    plug_in.write_text((TESTS / "mutants/relu_gradient_one_at_zero.py").read_text())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    run = dict(cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
    first = subprocess.run(["nnconform", "check", "--impl", "my_relu.py", "--only", "relu",
                            "--no-isolation"], **run)
    assert first.returncode == 1, first.stdout[-2000:]
    lines = [line.split("reproduce: ", 1)[1] for line in first.stdout.splitlines()
             if "reproduce: " in line]
    assert lines and all(line.startswith("nnconform check --impl my_relu.py --test ")
                         for line in lines), lines
    again = subprocess.run(lines[0], shell=True, **run)
    assert again.returncode == 1, again.stdout[-2000:]
    assert re.search(r"^1 failed\b", again.stdout, re.M) and " passed" not in again.stdout
    assert not (tmp_path / ".hypothesis").exists()


def test_an_unknown_test_id_is_a_usage_error(check):
    code, _, output = check("--test", "test_sideways[relu-default-float32]")
    assert code == 2 and "--test test_sideways[relu-default-float32]: expected an id" in output


def test_contract_write_regenerates_the_table_between_its_markers(tmp_path):
    page = (ROOT / "docs/contract.md").read_text()
    stale = tmp_path / "contract.md"
    stale.write_text(re.sub(r"(contract-table:start[^\n]*\n).*?(<!-- contract-table:end)",
                            r"\1| a stale table |\n\2", page, flags=re.S))
    command = [sys.executable, "-m", "nnconform.properties.cli", "contract", "--write"]
    result = subprocess.run([*command, str(stale)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert stale.read_text() == page
    (tmp_path / "plain.md").write_text("no markers here\n")
    result = subprocess.run([*command, str(tmp_path / "plain.md")], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2 and "expected the markers" in result.stderr


def test_no_shrink_gives_the_same_verdicts_and_says_so(check):
    args = ("--impl", "tests/mutants/mse_gradient_missing_two.py", "--only", "mse", "--",
            "-k", "backward_torch")
    runs = [check(*args[:4], *extra, *args[4:]) for extra in ((), ("--no-shrink",))]
    (shrunk_code, shrunk, shrunk_output), (code, report, output) = runs
    assert shrunk_code == code == 1, output[-3000:]
    assert ({f["test"] for f in report["failures"]}
            == {f["test"] for f in shrunk["failures"]} != set())
    assert "not shrunk" in output and "not shrunk" not in shrunk_output
    assert all(f["example"].startswith("Falsifying example:") for f in report["failures"])
