"""asv benchmarks, one file per family; benchmarks/_backends.py runs each op on each backend.

Idle OpenMP workers are told to sleep rather than spin, before anything imports PyTorch: on
a small machine a spinning pool steals the cores the other backend is being timed on, and
the in-process ratios swing by orders of magnitude."""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
