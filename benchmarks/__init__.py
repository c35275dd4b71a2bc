"""asv benchmarks, one file per family; benchmarks/_backends.py runs each op on each backend.

Idle worker threads are told to sleep rather than spin, before NumPy and PyTorch load their
pools: OpenBLAS's workers otherwise spin for about 0.1 s after each GEMM, and on a small
machine they steal the cores the other backend is being timed on. asv's in-process
track_ratio_* came out 2-4x in our favour from that alone (conv2d 1x1: 0.23 with spinning,
0.56-0.92 without)."""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
