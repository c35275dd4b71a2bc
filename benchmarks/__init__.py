"""asv benchmarks, one file per family; benchmarks/_backends.py runs each op on each backend.

Idle OpenMP workers are told to sleep rather than spin, before PyTorch loads its pool: on a
small machine a spinning pool steals the cores the other backend is being timed on. The
same goes for OpenBLAS's workers (OPENBLAS_THREAD_TIMEOUT), but NumPy is loaded before this
file runs under asv (asv.conf.json's matrix sets both there) and under pytest (export it)."""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
