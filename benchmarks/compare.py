"""`nnconform bench`: the speed of any implementation the check accepts, against PyTorch,
in one process, at the benchmark shapes (benchmarks/_cases.py).

Each op's forward and forward+backward (an optimizer's step, against torch.optim's foreach
step and, where torch has one, its fused step) is sampled in turn with torch's: `repeats`
rounds of one sample each, a sample being enough calls in a row to last about `sample`
seconds, so both sides see the same machine state. A row gives each side's median time
per call and its spread (the interquartile range over the median), the ratio of the
medians (ours / torch: below 1 ours is faster), ours' achieved rate by the op's work
model (benchmarks/_work.py: GB/s for the memory-bound ops, TFLOP/s for the products) and
ours' peak memory during one call (tracemalloc: what NumPy allocated; torch's CPU
allocator is not traced). For the products (linear, conv2d) the GEMM roof is the time of
the same-size GEMMs alone, by NumPy's BLAS at the same threads, over ours: 1.0 would be an
op as fast as its matrix products, so it says how far the rest of the op (the patches,
the bias, the layout) keeps us from the BLAS limit. On a machine with CUDA the GPU is
synchronized after every call, so tensors on a GPU (the functional style's DEVICE = "cuda")
are timed whole.

The implementation is the one $NNCONFORM_IMPL and $NNCONFORM_STYLE name, as for asv
(benchmarks/_backends.py's subject()); the CLI sets them from --impl and --style. An op it
lacks, or a case outside its declared domain, is a row that says so; an op whose declared
dtypes leave out float32 is timed in float64 on both sides.
"""

from __future__ import annotations

import json
import os
import platform
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from . import _backends, _cases, _work
from ._asv import _loops, wall_seconds


@dataclass
class Row:
    op: str
    shape: str
    dtype: str
    part: str  # forward, forward_backward, step (torch's foreach) or step_fused
    ours: float | None = None  # median seconds per call
    ours_spread: float | None = None  # interquartile range / median
    torch: float | None = None
    torch_spread: float | None = None
    ratio: float | None = None  # ours / torch, of the medians
    rate: float | None = None  # ours' achieved rate, in `unit`
    unit: str = ""
    peak_mb: float | None = None  # ours' peak NumPy allocation during one call
    gemm_roof: float | None = None  # the same-size GEMMs alone (NumPy's BLAS) / ours
    note: str = ""  # why there are no figures


def _synchronized(function: Callable) -> Callable:
    import torch

    if not torch.cuda.is_available():
        return function

    def run():
        function()
        torch.cuda.synchronize()

    return run


def _spread(samples) -> float:
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    return float((q3 - q1) / median) if median else 0.0


def _peak_mb(function: Callable) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def timed(row: Row, ours: Callable, theirs: Callable, repeats: int, sample: float,
          work: float | None = None) -> Row:
    """`row` with the figures of `ours` against `theirs`, sampled in turn."""
    ours, theirs = _synchronized(ours), _synchronized(theirs)
    loops = [_loops(function, wall_seconds, sample) for function in (ours, theirs)]
    samples: tuple[list, list] = ([], [])
    for _ in range(repeats):
        for slot, function in enumerate((ours, theirs)):
            samples[slot].append(wall_seconds(function, loops[slot]))
    row.ours, row.torch = (float(np.median(s)) for s in samples)
    row.ours_spread, row.torch_spread = (_spread(s) for s in samples)
    row.ratio = row.ours / row.torch
    if work is not None:
        row.rate = work / row.ours / (_work.TFLOP if row.unit == "TFLOP/s" else _work.GB)
    row.peak_mb = _peak_mb(ours)
    return row


def gemm_seconds(products, dtype: str, repeats: int, sample: float) -> float:
    """The median time of the GEMMs `products` ((m, k, n) each) alone, with NumPy's BLAS
    at the threads in force: the least time a product-bound op can take with that BLAS."""
    rng = np.random.default_rng(0)
    pairs = [(rng.standard_normal((m, k), dtype=dtype), rng.standard_normal((k, n), dtype=dtype))
             for m, k, n in products]

    def run():
        for a, b in pairs:
            np.matmul(a, b)

    loops = _loops(run, wall_seconds, sample)
    return float(np.median([wall_seconds(run, loops) for _ in range(repeats)]))


def _dtype(op: str, dtypes) -> str:
    """The first of the op's benchmark dtypes the implementation declares (else float64,
    when it declares only that)."""
    under_test = _backends.subject()
    if under_test is None:
        return dtypes[0]
    from nnconform.properties.optable import TABLE

    domain = under_test.domain(TABLE[op])
    for dtype in (*dtypes, "float64"):
        if not domain.refuses(None, dtype):
            return dtype
    return dtypes[0]


def layer_rows(op: str, repeats: int, sample: float) -> list[Row]:
    spec = _backends.LAYERS[op]
    dtype = _dtype(op, spec.dtypes)
    rows = []
    for shape in spec.shapes:
        described = spec.describe(shape)
        try:
            ours = _backends.layer(op, shape, dtype, "numpy")
            theirs = _backends.layer(op, shape, dtype, "torch")
        except NotImplementedError as error:
            rows.append(Row(op, described, dtype, "forward", note=str(error)))
            continue
        work = spec.work(shape, np.dtype(dtype).itemsize)
        gemms = _work.GEMMS[op](shape) if op in _work.GEMMS else None
        for part, name in enumerate(("forward", "forward_backward")):
            row = timed(Row(op, described, dtype, name, unit=spec.unit), ours[part],
                        theirs[part], repeats, sample, work[part])
            if gemms is not None:
                products = gemms[0] if part == 0 else gemms[0] + gemms[1]
                row.gemm_roof = gemm_seconds(products, dtype, repeats, sample) / row.ours
            rows.append(row)
    return rows


def optimizer_rows(name: str, repeats: int, sample: float) -> list[Row]:
    spec = _backends.OPTIMIZERS[name]
    dtype = _dtype(name, ("float32",))
    rows = []
    for shape in _cases.OPTIM_SHAPES:
        described = f"P{shape[0]}"
        try:
            ours = _backends.optimizer_step(name, shape, dtype, "numpy")
        except NotImplementedError as error:
            rows.append(Row(name, described, dtype, "step", note=str(error)))
            continue
        work = _work.optimizer_step(shape[0], np.dtype(dtype).itemsize, spec.arrays)
        for part, fused in (("step", False), ("step_fused", True)):
            if fused and not spec.fused:
                continue
            theirs = _backends.optimizer_step(name, shape, dtype, "torch", fused)
            row = Row(name, described, dtype, part, unit="GB/s")
            rows.append(timed(row, ours, theirs, repeats, sample, work))
    return rows


def ops(only: list[str] | None) -> list[str]:
    known = [*_backends.LAYERS, *_backends.OPTIMIZERS]
    if only is None:
        return known
    unknown = [op for op in only if op not in known]
    if unknown:
        raise ValueError(f"--only: {', '.join(unknown)} not benchmarked; expected some of "
                         f"{', '.join(known)}")
    return only


def run(only=None, repeats: int = 7, sample: float = 0.05) -> list[Row]:
    rows = []
    for op in ops(only):
        builder = layer_rows if op in _backends.LAYERS else optimizer_rows
        rows += builder(op, repeats, sample)
    return rows


def _ms(seconds, spread) -> str:
    return "" if seconds is None else f"{seconds * 1e3:.3f} ±{spread * 100:.0f}%"


def table(rows: list[Row]) -> str:
    header = ("op", "shape", "dtype", "part", "ours ms", "torch ms", "ratio", "ours rate",
              "peak MB", "GEMM roof")
    lines = [header]
    for r in rows:
        if r.note:
            lines.append((r.op, r.shape, r.dtype, r.part, f"n/a: {r.note}", *[""] * 5))
            continue
        lines.append((r.op, r.shape, r.dtype, r.part, _ms(r.ours, r.ours_spread),
                      _ms(r.torch, r.torch_spread), f"{r.ratio:.2f}",
                      f"{r.rate:.3g} {r.unit}" if r.rate is not None else "",
                      f"{r.peak_mb:.1f}",
                      "" if r.gemm_roof is None else f"{r.gemm_roof:.2f}"))
    widths = [max(len(line[k]) for line in lines if not line[4].startswith("n/a") or k < 4)
              for k in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in lines)


def machine() -> dict:
    import torch

    from nnconform.properties import threads

    return {"machine": platform.processor() or platform.machine(),
            "cores": threads.cores(), "threads": threads.in_use(),
            "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "numpy": np.__version__,
            "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None}


def main(impl: str | None, style: str | None, only, threads_count: int | None,
         repeats: int, sample: float, json_path: str | None) -> int:
    from nnconform.properties import threads

    if impl:
        os.environ["NNCONFORM_IMPL"] = impl
    if style:
        os.environ["NNCONFORM_STYLE"] = style
    threads.limit(threads_count or threads.cores())
    rows = run(only, repeats, sample)
    about = machine()
    print(f"implementation {impl or 'nnconform.impl'} ({style or 'contract'}) vs torch "
          f"{about['torch']}; {about['cores']} cores, threads: {about['threads']}, torch "
          f"{about['torch_threads']}; medians of {repeats} interleaved samples")
    print(table(rows))
    if json_path:
        with open(json_path, "w") as out:
            json.dump({**about, "implementation": impl, "style": style,
                       "rows": [asdict(r) for r in rows]}, out, indent=1)
    return 0
