"""The house rules a machine can check: ruff is clean and the arrows go one way."""

import importlib.util
import re
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is in the [test] extra")
def test_ruff_is_clean():
    # `python -m ruff`: the venv's ruff, found even when the venv's bin is not on PATH.
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def _imports(folder):
    """(file, the package it imports: `nnconform.impl` for nnconform's, else the top-level
    name), for every absolute import of every file under `folder`."""
    pattern = re.compile(r"^\s*(?:from|import)\s+([a-z_]+(?:\.[a-z_]+)?)", re.M)
    return {(path.relative_to(ROOT), name if name.startswith("nnconform.") else
             name.split(".")[0])
            for path in (ROOT / folder).rglob("*.py") for name in pattern.findall(path.read_text())}


def test_oracles_never_import_the_implementation():
    assert not {(p, n) for p, n in _imports("oracles")
                if n in ("nnconform.impl", "nnconform.properties")}


# SciPy only where NumPy lacks the function (DESIGN.md): Φ, the normal CDF, for GELU.
SCIPY_FAMILIES = {"impl/transformer.py"}


def test_impl_imports_numpy_and_the_standard_library_only():
    allowed = {"numpy", *sys.stdlib_module_names}
    assert not {(p, n) for p, n in _imports("impl") if n not in allowed and
                not str(p).startswith("impl/gpu")
                and not (n == "scipy" and str(p) in SCIPY_FAMILIES)}


def test_the_folders_are_imported_by_their_installed_names_only():
    """impl, oracles and properties install as nnconform.impl, …: an import by the folder's
    own name works inside a clone and nowhere else."""
    found = {(p, n) for folder in ("impl", "oracles", "properties", "benchmarks", "tests")
             for p, n in _imports(folder) if n in ("impl", "oracles", "properties")}
    assert not found
