"""nnconform installed into a stranger's project, with the README's command, into a fresh
virtualenv: the project's own tests keep their own Hypothesis settings and never import
torch, the project's own `properties` and `impl` packages stay its own, and `nnconform
check` on a plug-in of the project works from the project's directory, with reproduce
lines that run there as printed."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

PROJECT = {
    "properties/__init__.py": 'WHOSE = "the user\'s"\n',
    "impl/__init__.py": 'WHOSE = "the user\'s"\n',
    "conftest.py": (
        "from hypothesis import settings\n\n"
        'settings.register_profile("ours", max_examples=321)\n'
        'settings.load_profile("ours")\n'),
    "tests/test_ours.py": (
        "import sys\n\n"
        "import impl\nimport properties\n"
        "from hypothesis import given, settings, strategies as st\n\n\n"
        "@given(st.integers())\n"
        "def test_our_hypothesis_settings_are_in_force(n):\n"
        "    assert settings.default.max_examples == 321\n\n\n"
        "def test_our_packages_are_ours():\n"
        "    assert impl.WHOSE == properties.WHOSE == \"the user's\"\n\n\n"
        "def test_nnconform_imported_no_torch():\n"
        "    assert 'torch' not in sys.modules\n"),
    # The project's relu, with the gradient 1 at the kink (torch's convention is 0).
    "my_layers.py": (
        "import numpy as np\n\n\n"
        "def relu_forward(x):\n"
        "    return np.maximum(x, 0), x >= 0\n\n\n"
        "def relu_backward(dy, mask):\n"
        "    return (np.where(mask, dy, 0).astype(dy.dtype),)\n"),
}


def _install_command() -> str:
    """The README's command for installing nnconform into a project."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"^(pip install -c \S+constraints\.txt \S+)$", readme, re.M)
    assert found, "README lacks the command that installs nnconform into a project"
    return found.group(1)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """(the project's folder, an environment whose PATH starts at its venv's bin)."""
    base = tmp_path_factory.mktemp("user")
    source = base / "nnconform"  # a copy of this checkout, as a user's clone would be
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".asv", "build", "*.egg-info", "__pycache__", ".hypothesis"))
    folder = base / "project"
    for name, text in PROJECT.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
    env = {**os.environ, "PATH": f"{folder / 'venv/bin'}{os.pathsep}{os.environ['PATH']}",
           "NNCONFORM_CACHE_DIR": str(base / "cache")}
    env.pop("PYTHONPATH", None)
    command = _install_command().replace("path/to/nnconform", str(source))
    installed = subprocess.run(command, shell=True, cwd=folder, env=env, capture_output=True,
                               text=True, timeout=1200)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return folder, env


def _run(project, command, **kwargs):
    folder, env = project
    return subprocess.run(command, shell=True, cwd=folder, env=env, capture_output=True,
                          text=True, timeout=900, **kwargs)


def test_nothing_generic_lands_at_the_top_of_site_packages(project):
    folder, _ = project
    site = next((folder / "venv/lib").glob("python*/site-packages"))
    assert (site / "nnconform/impl").is_dir()
    assert not [name for name in ("impl", "oracles", "properties") if (site / name).exists()]


def test_the_projects_own_tests_keep_their_settings_and_import_no_torch(project):
    result = _run(project, "python -m pytest -q tests")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 passed" in result.stdout
    options = _run(project, "python -m pytest --help").stdout
    group = options.split("nnconform conformance suite:", 1)[1].split("\n\n", 1)[0]
    flags = re.findall(r"^\s+(-[-\w]+)", group, re.M)
    assert flags and all(flag.startswith("--nnconform-") for flag in flags), flags
    assert "nnconform" not in _run(project, "python -m pytest --markers").stdout


def test_check_works_from_the_project_and_its_reproduce_lines_run_there(project):
    shutil.rmtree(project[0] / ".hypothesis", ignore_errors=True)  # the project's own tests'
    result = _run(project, "nnconform check --impl my_layers.py --only relu")
    assert result.returncode == 1, result.stdout[-3000:]
    row = next(line.split() for line in result.stdout.splitlines() if line.startswith("relu "))
    assert row[1:3] == ["pass", "pass"] and "FAIL" in row, row
    lines = re.findall(r"reproduce: (.+)", result.stdout)
    assert lines, result.stdout[-3000:]
    again = _run(project, lines[0])
    assert again.returncode == 1, again.stdout[-3000:]
    assert re.search(r"^1 failed\b", again.stdout, re.M) and " passed" not in again.stdout
    assert not (project[0] / ".hypothesis").exists(), "nnconform wrote into the project"


def test_the_pytest_route_works_from_the_project_too(project):
    result = _run(project, "python -m pytest -q --pyargs nnconform.properties "
                           "--nnconform-impl my_layers --nnconform-only relu -k float64")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "relu / kinks: test_kinks[relu-kinks-float64]" in result.stdout, result.stdout[-3000:]
    assert "This failure matches the convention 'grad_one_at_zero' of relu" in result.stdout
