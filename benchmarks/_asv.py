"""The asv benchmark classes every family file (bench_*.py) fills in, over
benchmarks/_backends.py's callables: time_*, peakmem_* and track_ratio_* (our time over
torch's, measured in the same process)."""

from __future__ import annotations

import abc
import math
import time
from collections.abc import Callable

import numpy as np

from benchmarks import _cases
from benchmarks._backends import (
    BACKENDS,
    GPU_BACKENDS,
    LAYERS,
    label,
    layer,
    numbers,
    optimizer_step,
)

try:  # a NotImplementedError that asv records as n/a when a benchmark body raises it
    from asv_runner.benchmarks.mark import SkipNotImplemented
except ImportError:  # run outside asv
    SkipNotImplemented = NotImplementedError


def _seconds_per_call(function: Callable, loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        function()
    return (time.perf_counter() - start) / loops


def ratio(ours: Callable, theirs: Callable, repeats: int = 7, sample: float = 0.01) -> float:
    """Median seconds per call of `ours` over those of `theirs`, timed in turn `repeats`
    times in this process; a sample loops a call until it lasts about `sample` seconds,
    so microsecond kernels are not lost in the timer's resolution."""
    loops = []
    for function in (ours, theirs):
        once = _seconds_per_call(function, 1)  # also the warm-up: allocation, kernel choice
        loops.append(max(1, min(10_000, math.ceil(sample / max(once, 1e-9)))))
    samples = ([], [])
    for _ in range(repeats):
        for slot, function in enumerate((ours, theirs)):
            samples[slot].append(_seconds_per_call(function, loops[slot]))
    return float(np.median(samples[0]) / np.median(samples[1]))


def _ours_only(backend: str) -> None:
    if backend != "numpy":
        raise SkipNotImplemented("the ratio to torch is reported on the numpy backend only")


def _host_memory_only(backend: str) -> None:
    if backend in GPU_BACKENDS:
        raise SkipNotImplemented("peakmem sees the host's memory, not the GPU's")


class LayerBenchmark(abc.ABC):
    """One op's forward and forward+backward; a family file names the op, and its grid
    (params: shape labels, dtypes, backends) is the op's LAYERS entry's. Abstract, so asv's
    discovery skips it."""

    @property
    @abc.abstractmethod
    def op(self) -> str:
        """impl's name of the op."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        op = cls.__dict__.get("op")
        if isinstance(op, str):  # a family file's class, not another abstract base
            spec = LAYERS[op]
            cls.params = [[label(shape) for shape in spec.shapes], list(spec.dtypes), BACKENDS]
            cls.param_names = [" or ".join("-".join(dims) for dims in spec.dims), "dtype",
                               "backend"]

    def setup(self, shape, dtype, backend):
        self.forward, self.forward_backward = layer(self.op, numbers(shape), dtype, backend)

    def time_forward(self, shape, dtype, backend):
        self.forward()

    def time_forward_backward(self, shape, dtype, backend):
        self.forward_backward()

    def track_ratio_forward(self, shape, dtype, backend):
        """Our forward's time over torch's (CPU), below 1 we are faster."""
        _ours_only(backend)
        return ratio(self.forward, layer(self.op, numbers(shape), dtype, "torch")[0])

    track_ratio_forward.unit = "ratio"

    def track_ratio_forward_backward(self, shape, dtype, backend):
        """Our forward+backward's time over torch's (CPU), below 1 we are faster."""
        _ours_only(backend)
        return ratio(self.forward_backward, layer(self.op, numbers(shape), dtype, "torch")[1])

    track_ratio_forward_backward.unit = "ratio"


class LayerMemoryBenchmark(LayerBenchmark):
    """LayerBenchmark, and the process's peak resident memory over a forward+backward."""

    def peakmem_forward_backward(self, shape, dtype, backend):
        _host_memory_only(backend)
        self.forward_backward()


class OptimizerBenchmark(abc.ABC):
    """One step of an optimizer; a subclass names it and its grid (params: parameter-count
    labels, dtypes, backends). Abstract, so asv's discovery skips it."""

    param_names = ["params", "dtype", "backend"]
    params = [[label(shape) for shape in _cases.OPTIM_SHAPES], ["float32"], BACKENDS]
    timeout = 120

    @property
    @abc.abstractmethod
    def optimizer(self) -> str:
        """impl's name of the optimizer (NAME_init, NAME_step)."""

    def setup(self, size, dtype, backend):
        self.step = optimizer_step(self.optimizer, numbers(size), dtype, backend)

    def time_step(self, size, dtype, backend):
        self.step()

    def peakmem_step(self, size, dtype, backend):
        _host_memory_only(backend)
        self.step()

    def track_ratio_step(self, size, dtype, backend):
        """Our step's time over torch.optim's (CPU, foreach=True), below 1 we are faster."""
        _ours_only(backend)
        return ratio(self.step, optimizer_step(self.optimizer, numbers(size), dtype, "torch"))

    track_ratio_step.unit = "ratio"
