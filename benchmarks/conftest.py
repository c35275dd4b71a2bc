"""pytest-benchmark's side of benchmarks/ (benchmarks/test_vs_torch.py): the --threads and
--malloc options, warm-up on unless --benchmark-warmup says otherwise, a header naming the
threads and BLAS kernels, and the ratio ours / torch of each group's medians, printed in
the terminal summary and recorded in --benchmark-json (under "ratios").

asv imports every module in benchmarks/ to discover its benchmarks, in an environment
without pytest, and never calls these hooks."""

from __future__ import annotations

import ctypes
import glob
import os
from collections import defaultdict
from pathlib import Path

try:
    import pytest
except ImportError:  # asv's environment
    pytest = None

OURS = "numpy"


def pytest_addoption(parser):
    group = parser.getgroup("nnconform benchmarks")
    group.addoption("--threads", type=int, default=None,
                    help="threads for both libraries: PyTorch's and NumPy's OpenBLAS "
                         "(default: PyTorch's default, the number of physical cores)")
    group.addoption("--malloc", choices=("default", "stable"), default="default",
                    help="glibc malloc as it is, or with fixed thresholds, so neither "
                         "library pays page faults for buffers it re-allocates every call")


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("benchmark"):
        raise pytest.UsageError("benchmarks/ needs pytest-benchmark: pip install -c "
                                "requirements/constraints.txt -e '.[bench]'")
    if not any(arg.startswith("--benchmark-warmup") for arg in config.invocation_params.args):
        # Warm up by default: here the first few hundred calls of our softmax took up to
        # 4x longer than the rest, while the allocator settled.
        config.option.benchmark_warmup = True
    import torch

    threads = config.getoption("threads")
    if threads is not None and threads < 1:
        raise pytest.UsageError(f"--threads: expected a positive count, got {threads}")
    torch.set_num_threads(threads or torch.get_num_threads())
    _openblas("set_num_threads", torch.get_num_threads())
    if config.getoption("malloc") == "stable":
        _stable_malloc()


def pytest_report_header(config):
    import numpy as np
    import torch

    return (f"nnconform benchmarks: {os.cpu_count()} cores; threads: torch "
            f"{torch.get_num_threads()}, OpenBLAS {_openblas('get_num_threads')}; OpenBLAS "
            f"kernels {_openblas('get_corename')} (OPENBLAS_CORETYPE="
            f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}); malloc "
            f"{config.getoption('malloc')}; numpy {np.__version__}, torch {torch.__version__}")


def _openblas(function: str, *args):
    """Call NumPy's OpenBLAS (scipy-openblas names its symbols scipy_openblas_*64_);
    '?' where it cannot be found."""
    import numpy as np

    pattern = str(Path(np.__file__).parent.parent / "numpy.libs" / "*openblas*")
    for library in glob.glob(pattern):
        for symbol in (f"scipy_openblas_{function}64_", f"openblas_{function}"):
            found = getattr(ctypes.CDLL(library), symbol, None)
            if found is not None:
                if function == "get_corename":
                    found.restype = ctypes.c_char_p
                    return found().decode()
                return found(*args)
    return "?"


def _stable_malloc() -> None:
    """Fix glibc's thresholds (M_MMAP_THRESHOLD 32 MiB, no trimming): by default it serves a
    large buffer from fresh mmap'd pages or from the heap depending on its recent history,
    so either library pays thousands of page faults on some calls and none on others."""
    libc = ctypes.CDLL(None)
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameters
    if not (hasattr(libc, "mallopt") and libc.mallopt(m_mmap_threshold, 32 << 20)
            and libc.mallopt(m_trim_threshold, 2**31 - 1)):
        raise pytest.UsageError("--malloc stable: needs glibc's mallopt")


def ratios(benchmarks: list[dict]) -> list[dict]:
    """Per group of pytest-benchmark's JSON entries: our median over each other backend's
    (below 1 we are faster)."""
    groups = defaultdict(dict)
    for entry in benchmarks:
        groups[entry["group"]][entry["extra_info"]["backend"]] = entry["stats"]["median"]
    rows = []
    for group, medians in groups.items():
        if OURS in medians:
            rows.extend({"group": group, "ours": OURS, "theirs": backend,
                         "ours_median": medians[OURS], "theirs_median": median,
                         "ratio": medians[OURS] / median}
                        for backend, median in medians.items() if backend != OURS)
    return rows


def pytest_benchmark_update_json(config, benchmarks, output_json):
    output_json["ratios"] = ratios(output_json["benchmarks"])


def _last(hook):
    """The hook, run after other plugins' (pytest-benchmark's tables come first)."""
    return pytest.hookimpl(trylast=True)(hook) if pytest else hook


@_last
def pytest_terminal_summary(terminalreporter, config):
    session = getattr(config, "_benchmarksession", None)
    if session is None or session.disabled or not session.benchmarks:
        return
    rows = ratios([bench.as_dict(include_data=False) for bench in session.benchmarks
                   if bench and not bench.has_error])
    if not rows:
        return
    width = max(len(row["group"]) for row in rows)
    terminalreporter.write_sep("=", "ours / torch (median; below 1 we are faster)")
    terminalreporter.write_line(f"{'group':<{width}}  {'vs':<13} {'ours ms':>9} "
                                f"{'theirs ms':>9} {'ratio':>6}")
    for row in rows:
        terminalreporter.write_line(
            f"{row['group']:<{width}}  {row['theirs']:<13} {row['ours_median'] * 1e3:9.3f} "
            f"{row['theirs_median'] * 1e3:9.3f} {row['ratio']:6.2f}")
