"""The asv benchmark classes every family file (bench_*.py) fills in, over
benchmarks/_backends.py's callables: time_* (wall time, the GPU synchronized),
track_kernel_time_* (GPU kernels by CUDA events), track_throughput_* (GB/s or TFLOP/s from
that time), peakmem_* and track_ratio_* (our time over PyTorch's on the same device,
measured in the same process)."""

from __future__ import annotations

import abc
import math
import time
from collections.abc import Callable

import numpy as np

from . import _cases, _work
from ._backends import (
    GPU_BACKENDS,
    LAYERS,
    MACHINE_BACKENDS,
    OPTIMIZERS,
    gpu_machine,
    label,
    layer,
    numbers,
    optimizer_step,
    synchronized,
)

GPU = gpu_machine()  # the GPU shapes and the CUDA-event figures are in the grid

try:  # a NotImplementedError that asv records as n/a when a benchmark body raises it
    from asv_runner.benchmarks.mark import SkipNotImplemented
except ImportError:  # run outside asv
    SkipNotImplemented = NotImplementedError


def wall_seconds(function: Callable, loops: int) -> float:
    """Seconds per call of `loops` calls in a row, by the wall clock (CPU backends)."""
    start = time.perf_counter()
    for _ in range(loops):
        function()
    return (time.perf_counter() - start) / loops


def cuda_event_seconds(function: Callable, loops: int) -> float:
    """Seconds per call of `loops` calls queued in a row, by CUDA events on the current
    stream: the GPU's time for the kernels, without a host synchronization per call."""
    import torch

    start, end = (torch.cuda.Event(enable_timing=True) for _ in range(2))
    start.record()
    for _ in range(loops):
        function()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / 1e3 / loops


def _loops(function: Callable, clock: Callable, sample: float) -> int:
    """Calls per sample so one lasts about `sample` seconds, so a microsecond kernel is not
    lost in the clock's resolution; the first call is also the warm-up (allocation, kernel
    choice, compilation)."""
    clock(function, 1)
    once = clock(function, 1)
    return max(1, min(10_000, math.ceil(sample / max(once, 1e-9))))


def per_call(function: Callable, clock: Callable = wall_seconds, repeats: int = 7,
             sample: float = 0.01) -> float:
    """Median seconds per call over `repeats` samples of about `sample` seconds each."""
    loops = _loops(function, clock, sample)
    return float(np.median([clock(function, loops) for _ in range(repeats)]))


def ratio(ours: Callable, theirs: Callable, clock: Callable = wall_seconds, repeats: int = 7,
          sample: float = 0.01) -> float:
    """Median seconds per call of `ours` over those of `theirs`, sampled in turn `repeats`
    times in this process, so both see the same machine state."""
    loops = [_loops(function, clock, sample) for function in (ours, theirs)]
    samples = ([], [])
    for _ in range(repeats):
        for slot, function in enumerate((ours, theirs)):
            samples[slot].append(clock(function, loops[slot]))
    return float(np.median(samples[0]) / np.median(samples[1]))


# What one commit of `asv run` may cost (about 3 minutes on a 2-core machine): one round
# of at most 5 samples a cell, none after the first second, and no warm-up of asv's own
# (building a cell's callables runs each once); a ratio from 5 interleaved samples a side.
SAMPLING = {"rounds": 1, "repeat": (1, 5, 1.0), "warmup_time": 0.0}
RATIO_REPEATS = 5

# Our backends and the PyTorch backend each is compared with, timed by the same clock.
THEIRS = {"numpy": "torch", "triton": "torch_cuda"}
CLOCKS = {"numpy": wall_seconds, "triton": cuda_event_seconds}


def _ours_only(backend: str) -> None:
    if backend not in THEIRS:
        raise SkipNotImplemented(f"{backend}: the ratio to PyTorch is reported for ours "
                                 f"({', '.join(THEIRS)})")


def _gpu_only(backend: str) -> None:
    if backend not in GPU_BACKENDS:
        raise SkipNotImplemented(f"{backend}: CUDA events time GPU kernels; time_* is the "
                                 "time on the CPU")


def _host_memory_only(backend: str) -> None:
    if backend in GPU_BACKENDS:
        raise SkipNotImplemented("peakmem sees the host's memory, not the GPU's")


def _ratio_to_torch(ours: Callable, theirs: Callable, backend: str) -> float:
    """ours over the callable of the PyTorch backend THEIRS[backend], by the same clock."""
    return ratio(ours, theirs, CLOCKS[backend], repeats=RATIO_REPEATS)


def _kernel_time(function: Callable, backend: str) -> float:
    _gpu_only(backend)
    return per_call(function, cuda_event_seconds)


def _rate(work: float, unit: str, function: Callable, backend: str) -> float:
    """`work` (bytes or FLOPs, by benchmarks/_work.py) over the kernels' time, in `unit`."""
    return work / _kernel_time(function, backend) / (_work.TFLOP if unit == "TFLOP/s"
                                                     else _work.GB)


class LayerBenchmark(abc.ABC):
    """One op's forward and forward+backward; a family file names the op, and its grid
    (params: shape labels, dtypes, backends) is the op's LAYERS entry's. Abstract, so asv's
    discovery skips it.

    time_*: wall time of one call, the GPU synchronized after it. track_kernel_time_*: GPU
    backends only, the kernels' own time per call by CUDA events over calls queued back to
    back. track_throughput_*: GPU backends only, the op's minimal work (bytes or FLOPs,
    benchmarks/_work.py) over that time, in the class's `unit` (GB/s or TFLOP/s).
    track_ratio_*: ours over PyTorch's in this process (numpy over torch by the wall clock,
    triton over torch_cuda by CUDA events)."""

    timeout = 60  # seconds a cell may take; the slow ops' classes give more
    rounds, repeat, warmup_time = SAMPLING.values()

    @property
    @abc.abstractmethod
    def op(self) -> str:
        """impl's name of the op."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        op = cls.__dict__.get("op")
        if isinstance(op, str):  # a family file's class, not another abstract base
            spec = LAYERS[op]
            shapes = spec.shapes + (spec.gpu_shapes if GPU else [])
            cls.params = [[label(shape) for shape in shapes], list(spec.dtypes),
                          MACHINE_BACKENDS]
            cls.unit = spec.unit  # the unit of the track_throughput_* figures
            cls.param_names = [" or ".join("-".join(dims) for dims in spec.dims), "dtype",
                               "backend"]

    def setup(self, shape, dtype, backend):
        self.passes = layer(self.op, numbers(shape), dtype, backend)  # forward, forward+backward
        self.forward, self.forward_backward = (synchronized(f, backend) for f in self.passes)

    def time_forward(self, shape, dtype, backend):
        self.forward()

    def time_forward_backward(self, shape, dtype, backend):
        self.forward_backward()

    if GPU:  # CUDA events: figures of the GPU backends, in a GPU machine's grid only
        def track_kernel_time_forward(self, shape, dtype, backend):
            """The forward's kernels, seconds per call by CUDA events (GPU backends)."""
            return _kernel_time(self.passes[0], backend)

        track_kernel_time_forward.unit = "seconds"

        def track_kernel_time_forward_backward(self, shape, dtype, backend):
            """The forward+backward's kernels, seconds per call by CUDA events (GPU backends)."""
            return _kernel_time(self.passes[1], backend)

        track_kernel_time_forward_backward.unit = "seconds"

        def _throughput(self, part: int, shape, dtype, backend) -> float:
            work = LAYERS[self.op].work(numbers(shape), np.dtype(dtype).itemsize)[part]
            return _rate(work, self.unit, self.passes[part], backend)

        def track_throughput_forward(self, shape, dtype, backend):
            """The forward's achieved GB/s or TFLOP/s by CUDA events (GPU backends)."""
            return self._throughput(0, shape, dtype, backend)

        def track_throughput_forward_backward(self, shape, dtype, backend):
            """The forward+backward's achieved GB/s or TFLOP/s by CUDA events (GPU backends)."""
            return self._throughput(1, shape, dtype, backend)

    def _ratio(self, part: int, shape, dtype, backend) -> float:
        _ours_only(backend)
        theirs = layer(self.op, numbers(shape), dtype, THEIRS[backend])[part]
        return _ratio_to_torch(self.passes[part], theirs, backend)

    def track_ratio_forward(self, shape, dtype, backend):
        """Our forward's time over PyTorch's on the same device, below 1 we are faster."""
        return self._ratio(0, shape, dtype, backend)

    track_ratio_forward.unit = "ratio"

    def track_ratio_forward_backward(self, shape, dtype, backend):
        """Our forward+backward's time over PyTorch's on the same device, below 1 we are
        faster."""
        return self._ratio(1, shape, dtype, backend)

    track_ratio_forward_backward.unit = "ratio"


class LayerMemoryBenchmark(LayerBenchmark):
    """LayerBenchmark, and the process's peak resident memory over a forward+backward; on a
    GPU machine also the GPU memory a forward+backward allocates at its peak, beyond what
    it was given (both GPU backends allocate through torch's caching allocator)."""

    def peakmem_forward_backward(self, shape, dtype, backend):
        _host_memory_only(backend)
        self.forward_backward()

    if GPU:
        def track_gpu_peak_mb_forward_backward(self, shape, dtype, backend):
            """MB allocated on the GPU at the forward+backward's peak, less what was held
            before it (its inputs): torch.cuda.max_memory_allocated (GPU backends)."""
            _gpu_only(backend)
            import torch

            torch.cuda.synchronize()
            before = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            self.forward_backward()
            return (torch.cuda.max_memory_allocated() - before) / 2**20

        track_gpu_peak_mb_forward_backward.unit = "MB"


class OptimizerBenchmark(abc.ABC):
    """One step of an optimizer; a subclass names it and its grid (params: parameter-count
    labels, dtypes, backends). Abstract, so asv's discovery skips it. The time_, track_
    and peakmem_ figures mean what LayerBenchmark's do; PyTorch's step is torch.optim's
    with foreach=True."""

    param_names = ["params", "dtype", "backend"]
    params = [[label(shape) for shape in
               _cases.OPTIM_SHAPES + (_cases.GPU_OPTIM_SHAPES if GPU else [])],
              ["float32"], MACHINE_BACKENDS]
    timeout = 120
    rounds, repeat, warmup_time = SAMPLING.values()

    @property
    @abc.abstractmethod
    def optimizer(self) -> str:
        """impl's name of the optimizer (NAME_init, NAME_step)."""

    def setup(self, size, dtype, backend):
        self.queued_step = optimizer_step(self.optimizer, numbers(size), dtype, backend)
        self.step = synchronized(self.queued_step, backend)

    def time_step(self, size, dtype, backend):
        self.step()

    def peakmem_step(self, size, dtype, backend):
        _host_memory_only(backend)
        self.step()

    if GPU:  # CUDA events: figures of the GPU backends, in a GPU machine's grid only
        def track_kernel_time_step(self, size, dtype, backend):
            """The step's kernels, seconds per call by CUDA events (GPU backends)."""
            return _kernel_time(self.queued_step, backend)

        track_kernel_time_step.unit = "seconds"

        def track_throughput_step(self, size, dtype, backend):
            """The step's achieved GB/s by CUDA events (GPU backends): every parameter-sized
            array it reads and writes, once."""
            work = _work.optimizer_step(numbers(size)[0], np.dtype(dtype).itemsize,
                                        OPTIMIZERS[self.optimizer].arrays)
            return _rate(work, "GB/s", self.queued_step, backend)

        track_throughput_step.unit = "GB/s"

    def track_ratio_step(self, size, dtype, backend):
        """Our step's time over torch.optim's on the same device, below 1 we are faster."""
        _ours_only(backend)
        theirs = optimizer_step(self.optimizer, numbers(size), dtype, THEIRS[backend])
        return _ratio_to_torch(self.queued_step, theirs, backend)

    track_ratio_step.unit = "ratio"
