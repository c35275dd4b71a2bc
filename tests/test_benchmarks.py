"""The benchmarks stay runnable: asv discovers every one of them (a file that fails to
import, or a class asv cannot parse, fails here, not in the next `asv run`)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

ASV = shutil.which("asv", path=str(Path(sys.executable).parent)) or shutil.which("asv")


@pytest.mark.skipif(ASV is None, reason="asv is in the [test] extra")
def test_asv_discovers_every_benchmark():
    result = subprocess.run([ASV, "check", "--python=same"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0 and "No problems found" in result.stdout, (
        result.stdout[-3000:] + result.stderr[-3000:])
