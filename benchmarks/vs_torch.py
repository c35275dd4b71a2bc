"""Our conv2d, pooling, batch norm and LSTM against PyTorch's on the CPU: median times,
interleaved in one process, and their ratio (ours / torch: below 1 we are faster).

    python benchmarks/vs_torch.py [--threads T] [--repeats R]
                                  [--only conv|pool|norm|recurrent]
                                  [--openblas-coretype auto|inherit|NAME]
                                  [--malloc default|stable] [--no-memory]

Families: conv (conv2d), pool (max_pool2d, avg_pool2d), norm (batch norm in train mode,
against F.batch_norm on copies of the running buffers, which it updates in place) and
recurrent (a one-layer LSTM, against torch.nn.LSTM called with our weights through
torch.func.functional_call; on the CPU PyTorch runs oneDNN's fused RNN kernel). Every case is
float32; forward+backward feeds random upstream gradients to every differentiable output
(y, h_n and c_n for the LSTM; y, not the running statistics, for batch norm).

Both libraries get the same thread count (default: every core): PyTorch by
torch.set_num_threads, NumPy's OpenBLAS by OPENBLAS_NUM_THREADS, set before NumPy loads.
Idle worker threads are told to sleep rather than spin (OMP_WAIT_POLICY=PASSIVE for
PyTorch's OpenMP, OPENBLAS_THREAD_TIMEOUT for OpenBLAS): on a small machine a library's
spinning threads would otherwise steal the cores the other library is being timed on.

NumPy's GEMM is OpenBLAS, which picks its kernels for the CPU it detects. An environment
can pin them with OPENBLAS_CORETYPE; some pin Haswell (AVX2) on AVX-512 machines, where
OpenBLAS's own choice (SkylakeX) runs GEMMs about twice as fast, as PyTorch's oneDNN does.
By default (`auto`) this script lets OpenBLAS detect the CPU itself; `inherit` keeps the
environment's pin, and any other value is used as the core type. The header says which
kernels ran and what the environment had.

Allocation: NumPy and PyTorch both take large buffers from glibc's malloc, which by
default serves them from fresh mmap'd pages or from the heap depending on its recent
history, so a library may pay thousands of page faults on some calls and none on others.
`--malloc stable` fixes glibc's thresholds for the whole process (M_MMAP_THRESHOLD 32 MiB,
no trimming), so neither library pays them: steadier times, and the ones a long training
loop sees. The default leaves malloc as it is, which is what a user's script gets.

Peak memory is the growth of the resident set over a fresh process's baseline during one
forward+backward of each family's first op, each backend in its own subprocess.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

# FAMILIES' keys, for --only: the families themselves need NumPy and PyTorch, which load
# after the options set their threads.
FAMILY_NAMES = ("conv", "pool", "norm", "recurrent")


def _options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", choices=FAMILY_NAMES, default=None)
    parser.add_argument("--openblas-coretype", default="auto", metavar="auto|inherit|NAME",
                        help="OpenBLAS kernels: its own detection (auto, the default), the "
                             "environment's OPENBLAS_CORETYPE (inherit), or a core name")
    parser.add_argument("--malloc", choices=("default", "stable"), default="default",
                        help="glibc malloc as it is, or with fixed thresholds (no page "
                             "faults on re-allocation, in either library)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument("--memory-of", nargs=3, metavar=("FAMILY", "INDEX", "BACKEND"),
                        help=argparse.SUPPRESS)  # the subprocess that measures one run
    return parser.parse_args(argv)


def _configure(options) -> None:
    """Threads and BLAS kernels, set before NumPy and PyTorch load their thread pools."""
    for variable, value in (("OPENBLAS_NUM_THREADS", str(options.threads)),
                            ("OMP_NUM_THREADS", str(options.threads)),
                            ("OMP_WAIT_POLICY", "PASSIVE"),
                            ("OPENBLAS_THREAD_TIMEOUT", "4")):
        os.environ[variable] = value
    if options.openblas_coretype == "auto":
        os.environ.pop("OPENBLAS_CORETYPE", None)
    elif options.openblas_coretype != "inherit":
        os.environ["OPENBLAS_CORETYPE"] = options.openblas_coretype
    if options.malloc == "stable":
        import ctypes

        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameters
        if not (hasattr(libc, "mallopt") and libc.mallopt(m_mmap_threshold, 32 << 20)
                and libc.mallopt(m_trim_threshold, 2**31 - 1)):
            sys.exit("--malloc stable needs glibc's mallopt")


INHERITED_CORETYPE = os.environ.get("OPENBLAS_CORETYPE")
# Only as a script: asv imports every module of benchmarks/ to discover benchmarks.
OPTIONS = _options() if __name__ == "__main__" else None
if OPTIONS is not None:
    _configure(OPTIONS)

import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.func import functional_call  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import impl  # noqa: E402


@dataclass(frozen=True)
class Op:
    """impl's NAME_forward / NAME_backward against a PyTorch function of the same arrays.

    `torch` takes the case's arrays as tensors, in impl's order, with its hyperparameters,
    and returns the differentiable outputs (a tensor or a tuple); `outputs` picks the same
    outputs from our forward's result, in the order NAME_backward takes their gradients
    (before ctx). Only the first `grads` arrays get gradients (None: every one)."""

    name: str
    torch: Callable
    outputs: Callable = lambda result: (result,)
    grads: int | None = None


@dataclass(frozen=True)
class Family:
    shapes: list[tuple[int, ...]]
    case: Callable  # (shape, rng) -> (arrays, hyper): impl's arguments
    describe: Callable  # shape -> the table's shape column
    ops: list[Op]


def _labelled(letters: str, shape) -> str:
    return " ".join(f"{letter}{size}" for letter, size in zip(letters, shape, strict=True))


# (N, C, H, W, K, F, S, P) as the convolution issue names them.
CONV_SHAPES = [
    (32, 64, 32, 32, 64, 3, 1, 1),
    (64, 128, 16, 16, 128, 3, 1, 1),
    (8, 3, 224, 224, 64, 7, 2, 3),
    (32, 256, 8, 8, 256, 1, 1, 0),
]
# (N, C, H, W, kernel, stride, padding): ResNet's stem pool and a plain 2×2 halving.
POOL_SHAPES = [
    (32, 64, 112, 112, 3, 2, 1),
    (32, 64, 32, 32, 2, 2, 0),
]
# Batch norm's x: (N, C, H, W) after a ResNet stage, and (N, F) after a wide linear layer.
NORM_SHAPES = [
    (32, 64, 56, 56),
    (64, 256, 14, 14),
    (256, 4096),
]
# (T, N, I, H): time-major x (T, N, I), hidden size H.
LSTM_SHAPES = [
    (50, 32, 256, 256),
    (100, 64, 128, 512),
]


def _conv_case(shape, rng):
    n, c, h, w, k, f, s, p = shape
    x = rng.standard_normal((n, c, h, w), dtype=np.float32)
    weight = rng.standard_normal((k, c, f, f), dtype=np.float32) / (c * f * f) ** 0.5
    bias = rng.standard_normal(k, dtype=np.float32)
    return (x, weight, bias), {"stride": s, "padding": p}


def _pool_case(shape, rng):
    n, c, h, w, kernel, s, p = shape
    x = rng.standard_normal((n, c, h, w), dtype=np.float32)
    return (x,), {"kernel_size": kernel, "stride": s, "padding": p}


def _norm_case(shape, rng):
    channels = shape[1]
    x = rng.standard_normal(shape, dtype=np.float32)
    gamma = 1 + 0.1 * rng.standard_normal(channels, dtype=np.float32)
    beta = 0.1 * rng.standard_normal(channels, dtype=np.float32)
    running = (np.zeros(channels, dtype=np.float32), np.ones(channels, dtype=np.float32))
    return (x, gamma, beta, *running), {"training": True, "momentum": 0.1, "eps": 1e-5}


def _lstm_case(shape, rng):
    t, n, i, h = shape
    x = rng.standard_normal((t, n, i), dtype=np.float32)
    h0, c0 = (rng.standard_normal((n, h), dtype=np.float32) for _ in range(2))
    # Weights ~ 1/√H, as torch's own initialisation, so the gates are not saturated.
    w_ih, w_hh, b_ih, b_hh = (rng.standard_normal(size, dtype=np.float32) / h**0.5
                              for size in ((4 * h, i), (4 * h, h), 4 * h, 4 * h))
    return (x, h0, c0, w_ih, w_hh, b_ih, b_hh), {}


def _torch_batch_norm(x, gamma, beta, running_mean, running_var, **hyper):
    return F.batch_norm(x, running_mean, running_var, gamma, beta, **hyper)


@functools.cache
def _lstm_module(input_size: int, hidden: int) -> torch.nn.LSTM:
    return torch.nn.LSTM(input_size, hidden)  # only its structure: the weights are passed


def _torch_lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    module = _lstm_module(x.shape[2], h0.shape[1])
    weights = dict(zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                       (w_ih, w_hh, b_ih, b_hh), strict=True))
    y, (h_n, c_n) = functional_call(module, weights, (x, (h0[None], c0[None])))
    return y, h_n[0], c_n[0]


FAMILIES = {
    "conv": Family(CONV_SHAPES, _conv_case, lambda shape: _labelled("NCHWKFSP", shape),
                   [Op("conv2d", F.conv2d)]),
    "pool": Family(POOL_SHAPES, _pool_case, lambda shape: _labelled("NCHWksp", shape),
                   [Op("max_pool2d", F.max_pool2d), Op("avg_pool2d", F.avg_pool2d)]),
    "norm": Family(NORM_SHAPES, _norm_case,
                   lambda shape: _labelled("NCHW" if len(shape) == 4 else "NF", shape),
                   # y only: the running statistics have no gradient
                   [Op("batch_norm", _torch_batch_norm, lambda result: result[:1], grads=3)]),
    "recurrent": Family(LSTM_SHAPES, _lstm_case, lambda shape: _labelled("TNIH", shape),
                        [Op("lstm", _torch_lstm, tuple)]),
}
assert tuple(FAMILIES) == FAMILY_NAMES


def _as_tuple(outputs) -> tuple:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def _ours(op, arrays, hyper):
    """run_forward() -> the differentiable outputs; run_both(dys) -> the gradients."""
    forward = getattr(impl, f"{op.name}_forward")
    backward = getattr(impl, f"{op.name}_backward")

    def run_forward():
        return op.outputs(forward(*arrays, **hyper)[0])

    def run_both(dys):
        _, ctx = forward(*arrays, **hyper)
        return backward(*dys, ctx)

    return run_forward, run_both


def _torch(op, arrays, hyper):
    # Copies, not views of our arrays: torch's batch norm updates its running buffers in place.
    tensors = [torch.from_numpy(a).clone() for a in arrays]
    count = len(tensors) if op.grads is None else op.grads
    leaves = [t.requires_grad_() for t in tensors[:count]]
    inputs = [*leaves, *tensors[count:]]

    def run_forward():
        with torch.no_grad():
            return _as_tuple(op.torch(*inputs, **hyper))

    def run_both(dys):
        for leaf in leaves:
            leaf.grad = None
        torch.autograd.backward(_as_tuple(op.torch(*inputs, **hyper)), dys)

    return run_forward, run_both


def _upstream(outputs) -> list[np.ndarray]:
    """Random upstream gradients, one per output (never all ones: that hides errors)."""
    rng = np.random.default_rng(1)
    return [rng.standard_normal(tuple(y.shape), dtype=np.float32) for y in outputs]


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _compare(op, arrays, hyper, repeats):
    """Median seconds of (ours fwd, torch fwd, ours fwd+bwd, torch fwd+bwd), interleaved."""
    ours_forward, ours_both = _ours(op, arrays, hyper)
    torch_forward, torch_both = _torch(op, arrays, hyper)
    dys = _upstream(ours_forward())
    pairs = [(ours_forward, ()), (torch_forward, ()), (ours_both, (dys,)),
             (torch_both, ([torch.from_numpy(dy) for dy in dys],))]
    for function, args in pairs:  # warm up: first calls allocate and pick kernels
        function(*args)
    times = [[] for _ in pairs]
    for _ in range(repeats):
        for slot, (function, args) in enumerate(pairs):
            times[slot].append(_timed(function, *args))
    return [float(np.median(t)) for t in times]


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) * 1024


def _measure_memory(family, index, backend) -> None:
    """In a fresh process: print the peak resident growth of one forward+backward of the
    family's first op."""
    family = FAMILIES[family]
    arrays, hyper = family.case(family.shapes[int(index)], np.random.default_rng(0))
    forward, both = (_ours if backend == "ours" else _torch)(family.ops[0], arrays, hyper)
    outputs = forward()
    dys = _upstream(outputs)
    dys = dys if backend == "ours" else [torch.from_numpy(dy) for dy in dys]
    del outputs
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the peak (VmHWM) to the current resident set
    before = _rss_bytes()
    both(dys)
    print(_peak_rss_bytes() - before)


def _memory(family, index, backend) -> str:
    result = subprocess.run(
        [sys.executable, __file__, "--threads", str(OPTIONS.threads),
         "--openblas-coretype", OPTIONS.openblas_coretype, "--malloc", OPTIONS.malloc,
         "--memory-of", family, str(index), backend],
        capture_output=True, text=True, check=False)
    if result.returncode:
        return "?"
    return f"{int(result.stdout.split()[-1]) / 2**20:.0f}"


def _openblas_core() -> str:
    """The kernel family OpenBLAS is running (its own name), or '?' if it cannot be asked."""
    import ctypes
    import glob

    libraries = glob.glob(str(Path(np.__file__).parent.parent / "numpy.libs" / "*openblas*"))
    for library in libraries:
        for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename"):
            function = getattr(ctypes.CDLL(library), symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return "?"


def main() -> None:
    torch.set_num_threads(OPTIONS.threads)
    if OPTIONS.memory_of:
        _measure_memory(*OPTIONS.memory_of)
        return
    print(f"# {platform.machine()}, {os.cpu_count()} cores; threads: {OPTIONS.threads} (torch "
          f"{torch.get_num_threads()}, OpenBLAS {os.environ['OPENBLAS_NUM_THREADS']}); "
          f"OpenBLAS kernels: {_openblas_core()} ({OPTIONS.openblas_coretype}; the "
          f"environment had OPENBLAS_CORETYPE={INHERITED_CORETYPE or '(unset)'}); malloc "
          f"{OPTIONS.malloc}; numpy "
          f"{np.__version__}, torch {torch.__version__}; float32; median of "
          f"{OPTIONS.repeats} interleaved runs, ms")
    header = (f"{'op':<11} {'shape':<30} {'fwd ours':>9} {'torch':>8} {'ratio':>6}  "
              f"{'f+b ours':>9} {'torch':>8} {'ratio':>6}")
    if not OPTIONS.no_memory:
        header += f"  {'peak MiB ours':>13} {'torch':>6}"
    print(header)
    rng = np.random.default_rng(0)
    for name, family in FAMILIES.items():
        if OPTIONS.only and name != OPTIONS.only:
            continue
        for op in family.ops:
            for index, shape in enumerate(family.shapes):
                arrays, hyper = family.case(shape, rng)
                fo, ft, bo, bt = _compare(op, arrays, hyper, OPTIONS.repeats)
                line = (f"{op.name:<11} {family.describe(shape):<30} {fo * 1e3:9.2f} "
                        f"{ft * 1e3:8.2f} {fo / ft:6.2f}  {bo * 1e3:9.2f} {bt * 1e3:8.2f} "
                        f"{bo / bt:6.2f}")
                if not OPTIONS.no_memory and op is family.ops[0]:
                    line += (f"  {_memory(name, index, 'ours'):>13} "
                             f"{_memory(name, index, 'torch'):>6}")
                print(line, flush=True)

if __name__ == "__main__":
    main()
