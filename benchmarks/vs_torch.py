"""Our conv2d, pooling, batch norm, LSTM and optimizers against PyTorch's on the CPU:
median times, interleaved in one process, and their ratio (ours / torch: below 1 we are
faster).

    python benchmarks/vs_torch.py [--threads T] [--repeats R]
                                  [--only conv|pool|norm|recurrent|optim]
                                  [--openblas-coretype auto|inherit|NAME]
                                  [--malloc default|stable] [--no-memory]

Families: conv (conv2d), pool (max_pool2d, avg_pool2d), norm (batch norm in train mode,
against F.batch_norm on copies of the running buffers, which it updates in place) and
recurrent (a one-layer LSTM, against torch.nn.LSTM called with our weights through
torch.func.functional_call; on the CPU PyTorch runs oneDNN's fused RNN kernel). Every case is
float32; forward+backward feeds random upstream gradients to every differentiable output
(y, h_n and c_n for the LSTM; y, not the running statistics, for batch norm).

optim times one step (it has no forward/backward split) of sgd, momentum_average (torch's
SGD with momentum β at lr·(1−β) takes the same step), adagrad, rmsprop, adam and adamw on
10M float32 parameters, against torch.optim with foreach=True and with fused=True (its
fused CPU kernel; "-" where torch has none, as for RMSprop). Ours returns a new parameter
array and new state arrays; torch updates its parameter and state in place.

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
forward+backward of each family's first op (one step of each optimizer, torch's after a
first step has made its state), each backend in its own subprocess.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

# FAMILIES' keys, for --only: the families themselves need NumPy and PyTorch, which load
# after the options set their threads.
FAMILY_NAMES = ("conv", "pool", "norm", "recurrent", "optim")


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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import impl  # noqa: E402
from benchmarks import _backends, _cases  # noqa: E402


@dataclass(frozen=True)
class Family:
    shapes: list[tuple[int, ...]]
    case: Callable  # (shape, rng) -> (arrays, hyper): impl's arguments
    describe: Callable  # shape -> the table's shape column
    ops: list[str]  # impl's names; benchmarks/_backends.py knows their torch twins


def _labelled(letters: str, shape) -> str:
    return " ".join(f"{letter}{size}" for letter, size in zip(letters, shape, strict=True))


FAMILIES = {
    "conv": Family(_cases.CONV_SHAPES, _cases.conv_case,
                   lambda shape: _labelled("NCHWKFSP", shape), ["conv2d"]),
    "pool": Family(_cases.POOL_SHAPES, _cases.pool_case,
                   lambda shape: _labelled("NCHWksp", shape),
                   ["max_pool2d", "avg_pool2d"]),
    "norm": Family(_cases.NORM_SHAPES, _cases.norm_case,
                   lambda shape: _labelled("NCHW" if len(shape) == 4 else "NF", shape),
                   ["batch_norm"]),
    "recurrent": Family(_cases.LSTM_SHAPES, _cases.lstm_case,
                        lambda shape: _labelled("TNIH", shape), ["lstm"]),
}


OPTIMIZERS = _backends.OPTIMIZERS  # name -> our hyperparameters and torch's twin
TORCH_OPTIM_VARIANTS = ("foreach", "fused")
assert (*FAMILIES, "optim") == FAMILY_NAMES


def _as_tuple(outputs) -> tuple:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def _ours(name, arrays, hyper):
    """run_forward() -> the differentiable outputs; run_both(dys) -> the gradients."""
    forward = getattr(impl, f"{name}_forward")
    backward = getattr(impl, f"{name}_backward")
    outputs = _backends.LAYERS[name].outputs

    def run_forward():
        return outputs(forward(*arrays, **hyper)[0])

    def run_both(dys):
        _, ctx = forward(*arrays, **hyper)
        return backward(*dys, ctx)

    return run_forward, run_both


def _torch(name, arrays, hyper):
    # Copies, not views of our arrays: torch's batch norm updates its running buffers in place.
    tensors = [torch.from_numpy(a).clone() for a in arrays]
    grads, function = _backends.LAYERS[name].grads, _backends.torch_functions()[name]
    count = len(tensors) if grads is None else grads
    leaves = [t.requires_grad_() for t in tensors[:count]]
    inputs = [*leaves, *tensors[count:]]

    def run_forward():
        with torch.no_grad():
            return _as_tuple(function(*inputs, **hyper))

    def run_both(dys):
        for leaf in leaves:
            leaf.grad = None
        torch.autograd.backward(_as_tuple(function(*inputs, **hyper)), dys)

    return run_forward, run_both


def _upstream(outputs) -> list[np.ndarray]:
    """Random upstream gradients, one per output (never all ones: that hides errors)."""
    rng = np.random.default_rng(1)
    return [rng.standard_normal(tuple(y.shape), dtype=np.float32) for y in outputs]


def _our_step(name, param, grad):
    """step() -> one of our steps from fresh state (ours never changes what it is given)."""
    hyper = OPTIMIZERS[name].hyper
    state = getattr(impl, f"{name}_init")(param, **{k: v for k, v in hyper.items() if k != "lr"})
    step = getattr(impl, f"{name}_step")
    return lambda: step(param, grad, state, **hyper)


def _torch_step(name, param, grad, variant):
    """step() -> torch.optim's step, in place on copies (variant: foreach or fused); None
    where torch has no such kernel."""
    spec = OPTIMIZERS[name]
    if variant == "fused" and not spec.fused:
        return None
    leaf = torch.from_numpy(param).clone().requires_grad_()
    leaf.grad = torch.from_numpy(grad).clone()
    return getattr(torch.optim, spec.torch)([leaf], **spec.torch_hyper, **{variant: True}).step


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _interleaved(calls, repeats):
    """Median seconds of each (function, args), timed in turn `repeats` times."""
    for function, args in calls:  # warm up: first calls allocate and pick kernels
        function(*args)
    times = [[] for _ in calls]
    for _ in range(repeats):
        for slot, (function, args) in enumerate(calls):
            times[slot].append(_timed(function, *args))
    return [float(np.median(t)) for t in times]


def _compare(op, arrays, hyper, repeats):
    """Median seconds of (ours fwd, torch fwd, ours fwd+bwd, torch fwd+bwd), interleaved."""
    ours_forward, ours_both = _ours(op, arrays, hyper)
    torch_forward, torch_both = _torch(op, arrays, hyper)
    dys = _upstream(ours_forward())
    return _interleaved([(ours_forward, ()), (torch_forward, ()), (ours_both, (dys,)),
                         (torch_both, ([torch.from_numpy(dy) for dy in dys],))], repeats)


def _compare_steps(optimizer, arrays, repeats):
    """Median seconds of our step and of each torch variant's (None where it has none)."""
    steps = [_our_step(optimizer, *arrays),
             *(_torch_step(optimizer, *arrays, variant) for variant in TORCH_OPTIM_VARIANTS)]
    times = iter(_interleaved([(step, ()) for step in steps if step is not None], repeats))
    return [None if step is None else next(times) for step in steps]


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) * 1024


def _measure_memory(family, index, backend) -> None:
    """In a fresh process: print the peak resident growth of one forward+backward of the
    family's first op (of one step of optimizer `index`, ours or a torch variant's)."""
    if family == "optim":
        optimizer = list(OPTIMIZERS)[int(index)]
        arrays, _ = _cases.optim_case(_cases.OPTIM_SHAPES[0], np.random.default_rng(0))
        step = (_our_step(optimizer, *arrays) if backend == "ours"
                else _torch_step(optimizer, *arrays, backend))
        if backend != "ours":
            step()  # torch makes its state on the first step
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        before = _rss_bytes()
        step()
        print(_peak_rss_bytes() - before)
        return
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
    if OPTIONS.only in (None, *FAMILIES):
        _layer_rows()
    if OPTIONS.only in (None, "optim"):
        _optim_rows()


def _layer_rows() -> None:
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
                line = (f"{op:<11} {family.describe(shape):<30} {fo * 1e3:9.2f} "
                        f"{ft * 1e3:8.2f} {fo / ft:6.2f}  {bo * 1e3:9.2f} {bt * 1e3:8.2f} "
                        f"{bo / bt:6.2f}")
                if not OPTIONS.no_memory and op is family.ops[0]:
                    line += (f"  {_memory(name, index, 'ours'):>13} "
                             f"{_memory(name, index, 'torch'):>6}")
                print(line, flush=True)


def _optim_rows() -> None:
    """One step per optimizer: ours, then torch's foreach and fused steps, with our ratio
    to each."""
    print("# optim: one step; torch.optim with foreach=True and with fused=True (its fused "
          "CPU kernel; '-' where torch has none); ratio = ours / torch")
    header = (f"{'optimizer':<17} {'params':>7} {'step ours':>10} {'foreach':>8} {'ratio':>6}"
              f"  {'fused':>8} {'ratio':>6}")
    if not OPTIONS.no_memory:
        header += f"  {'peak MiB ours':>13} {'foreach':>7} {'fused':>6}"
    print(header)
    arrays, _ = _cases.optim_case(_cases.OPTIM_SHAPES[0], np.random.default_rng(0))
    for index, optimizer in enumerate(OPTIMIZERS):
        ours, *theirs = _compare_steps(optimizer, arrays, OPTIONS.repeats)
        line = f"{optimizer:<17} {arrays[0].size / 1e6:>6g}M {ours * 1e3:10.2f}"
        for separator, seconds in zip(("", "  "), theirs, strict=True):
            line += separator + (f" {'-':>8} {'-':>6}" if seconds is None
                                 else f" {seconds * 1e3:8.2f} {ours / seconds:6.2f}")
        if not OPTIONS.no_memory:
            memory = [_memory("optim", index, backend) if exists else "-"
                      for backend, exists in (("ours", True), ("foreach", True),
                                              ("fused", OPTIMIZERS[optimizer].fused))]
            line += f"  {memory[0]:>13} {memory[1]:>7} {memory[2]:>6}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
