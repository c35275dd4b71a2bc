"""BLAS and OpenMP threads, set with threadpoolctl rather than left to each library's
default (every library takes all the cores; two processes that each do so on two cores
spend their time switching).

Each worker of a run with several (xdist's, or the CLI's `--workers`) gets cores ÷
workers threads; a run in one process keeps the libraries' defaults unless `--threads`
names a count. The count also goes into the environment (OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS, MKL_NUM_THREADS), so a library loaded later (torch, imported only when
an oracle runs) and any subprocess start with it; torch's intra-op pool is OpenMP's."""

from __future__ import annotations

import os

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_LIMITS = []  # the threadpoolctl limiter in force (kept so that it is not collected)


def cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def share(workers: int) -> int:
    """Threads for each of `workers` processes: cores ÷ workers, at least 1."""
    return max(1, cores() // max(1, workers))


def limit(threads: int) -> None:
    """Every BLAS and OpenMP pool loaded now, and those loaded later, to `threads`."""
    if threads < 1:
        raise ValueError(f"threads: {threads}; expected a count >= 1")
    from threadpoolctl import threadpool_limits

    for name in VARIABLES:
        os.environ[name] = str(threads)
    _LIMITS[:] = [threadpool_limits(limits=threads)]


def in_use() -> str:
    """What the loaded pools run with: 'openblas 1, openmp 1' (or 'none loaded')."""
    from threadpoolctl import threadpool_info

    pools = {}
    for pool in threadpool_info():
        pools.setdefault(pool["internal_api"], pool["num_threads"])
    return ", ".join(f"{name} {count}" for name, count in pools.items()) or "none loaded"
