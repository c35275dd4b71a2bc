"""asv benchmarks, one file per family; benchmarks/_backends.py runs each op on each backend.

Idle OpenMP workers are told to sleep rather than spin, before PyTorch loads its pool: on a
small machine a spinning pool steals the cores the other backend is being timed on. The
same goes for OpenBLAS's workers (OPENBLAS_THREAD_TIMEOUT), but NumPy is loaded before this
file runs under asv (asv.conf.json's matrix sets both there) and under pytest (export it)."""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# asv's forkserver imports this package once and forks every benchmark process from it:
# PyTorch loaded here is loaded once per run, not once per cell (loading it initializes
# no CUDA, so a GPU still works in the forked processes).
try:
    import torch  # noqa: F401
except ImportError:
    pass
