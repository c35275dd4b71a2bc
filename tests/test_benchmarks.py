"""The benchmarks stay runnable: asv discovers every one of them (a file that fails to
import, or a class asv cannot parse, fails here, not in the next `asv run`), and every
case of `pytest benchmarks` runs, with its ratios reported."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from benchmarks import _backends, _cases

ASV = shutil.which("asv", path=str(Path(sys.executable).parent)) or shutil.which("asv")


@pytest.mark.skipif(ASV is None, reason="asv is in the [test] extra")
def test_asv_discovers_every_benchmark():
    result = subprocess.run([ASV, "check", "--python=same"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0 and "No problems found" in result.stdout, (
        result.stdout[-3000:] + result.stderr[-3000:])


def _pytest_benchmarks(*args):
    # Not as an xdist worker: pytest-benchmark turns itself off where it sees one.
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("PYTEST_XDIST")}
    return subprocess.run([sys.executable, "-m", "pytest", "benchmarks", "-q", "-p", "no:xdist",
                           *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=600)


needs_pytest_benchmark = pytest.mark.skipif(
    importlib.util.find_spec("pytest_benchmark") is None,
    reason="pytest-benchmark is in the [test] extra")


@needs_pytest_benchmark
def test_every_pytest_benchmark_case_runs():
    """Each case once, untimed: ours and torch's for every op, shape, dtype and pass."""
    result = _pytest_benchmarks("--benchmark-disable")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@needs_pytest_benchmark
def test_pytest_benchmarks_report_our_time_over_torchs(tmp_path):
    report = tmp_path / "bench.json"
    result = _pytest_benchmarks(
        "--benchmark-only", "--benchmark-max-time=0.01", "--benchmark-min-rounds=2",
        f"--benchmark-json={report}", "-k",
        "(softmax-256-1000-float32 and not log_softmax) or adam-")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ratios = json.loads(report.read_text())["ratios"]
    softmax = _backends.LAYERS["softmax"].describe((256, 1000))
    expected = {(f"softmax {softmax} float32 {part}", "torch")
                for part in ("forward", "forward_backward")}
    params = _backends.label(_cases.OPTIM_SHAPES[0])
    expected |= {(f"adam step {params} params float32", theirs)
                 for theirs in ("torch", "torch_fused")}
    assert {(row["group"], row["theirs"]) for row in ratios} == expected
    for row in ratios:
        assert row["ratio"] == pytest.approx(row["ours_median"] / row["theirs_median"])
        assert row["ratio"] > 0
    summary = result.stdout[result.stdout.index("ours / torch"):]
    assert all(row["group"] in summary for row in ratios)


def test_ratio_is_the_ratio_of_median_seconds_per_call():
    """With a clock that reports each callable's seconds per call (the median of noisy
    samples), the ratio is the two medians' quotient, and every sample loops enough calls
    to last about the sample time."""
    from benchmarks import _asv

    seconds = {"ours": iter([3e-6, 3e-6] + [2e-6, 9e-6, 2e-6] * 3),
               "theirs": iter([1e-6, 1e-6] + [1e-6, 1e-6, 5e-6] * 3)}
    loops_asked = []

    def clock(function, loops):
        loops_asked.append((function.__name__, loops))
        return next(seconds[function.__name__])

    def ours():
        pass

    def theirs():
        pass

    assert _asv.ratio(ours, theirs, clock, repeats=3, sample=0.01) == pytest.approx(2.0)
    samples = [(name, loops) for name, loops in loops_asked if loops > 1]
    assert set(samples) == {("ours", 3334), ("theirs", 10_000)}


def _asv_classes():
    """Every asv class of the family files (bench_*.py), by module."""
    import importlib
    import inspect

    for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        yield from (cls for _, cls in inspect.getmembers(module, inspect.isclass)
                    if cls.__module__ == module.__name__)


def test_every_op_has_an_asv_class_a_torch_twin_and_a_work_model():
    """An op in LAYERS (or OPTIMIZERS) that no family file names would be timed by
    `nnconform bench` and pytest-benchmark, and missing from the history."""
    pytest.importorskip("torch")
    classes = list(_asv_classes())
    layers = [cls.op for cls in classes if isinstance(cls.__dict__.get("op"), str)]
    optimizers = [cls.optimizer for cls in classes
                  if isinstance(cls.__dict__.get("optimizer"), str)]
    assert sorted(layers) == sorted(_backends.LAYERS)
    assert sorted(optimizers) == sorted(_backends.OPTIMIZERS)
    assert set(_backends.torch_functions()) == set(_backends.LAYERS)
    for op, spec in _backends.LAYERS.items():
        for shape in spec.shapes + spec.gpu_shapes:
            spec.describe(shape)  # a name for each of the shape's sizes
            forward, forward_backward = spec.work(shape, 4)
            assert 0 < forward < forward_backward, (op, shape)


# Shapes small enough to compare in float64; each op's case builder makes the arguments.
SMALL = {
    "gelu": [(64, 32), (64, 32, 1)],
    "silu": [(64, 32)],
    "swiglu": [(16, 32, 48)],
    "rms_norm": [(64, 32)],
    "layer_norm": [(64, 32)],
    "rotary_embedding": [(2, 3, 40, 16)],
    "scaled_dot_product_attention": [(2, 8, 2, 40, 16, 1), (2, 4, 4, 33, 16, 0)],
}


@pytest.mark.parametrize(("op", "shape"), [(op, shape) for op, shapes in SMALL.items()
                                           for shape in shapes])
def test_the_transformer_blocks_torch_twins_compute_what_ours_do(op, shape):
    """The torch side of a ratio does the same work: its outputs and gradients are ours,
    on the case builder's arguments (the flags in the shape included: GELU's tanh form,
    attention's causal mask)."""
    import numpy as np

    torch = pytest.importorskip("torch")
    from nnconform import impl

    spec = _backends.LAYERS[op]
    rng = np.random.default_rng(0)
    arrays, hyper = spec.case(shape, rng, np.float64)
    y, ctx = getattr(impl, f"{op}_forward")(*arrays, **hyper)
    dy = rng.standard_normal(y.shape)
    grads = getattr(impl, f"{op}_backward")(dy, ctx)
    tensors = [torch.from_numpy(a) for a in arrays]
    count = len(tensors) if spec.grads is None else spec.grads
    leaves = [t.requires_grad_() for t in tensors[:count]]
    theirs = _backends.torch_functions()[op](*leaves, *tensors[count:], **hyper)
    theirs.backward(torch.from_numpy(dy))
    np.testing.assert_allclose(theirs.detach().numpy(), y, rtol=1e-10, atol=1e-12)
    assert len(grads) == len(leaves)
    for leaf, grad in zip(leaves, grads, strict=True):
        np.testing.assert_allclose(leaf.grad.numpy(), grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("gpu", "backends"), [("0", ["numpy", "torch"]),
                                               ("1", ["numpy", "torch", "triton", "torch_cuda"])])
def test_the_asv_grid_is_what_the_machine_can_run(gpu, backends):
    """A CPU machine's grid has no GPU backend, GPU-only shape or CUDA-event figure (each
    would be a process that can only say n/a); a GPU machine's has them all."""
    code = ("import json\n"
            "from benchmarks.bench_activations import Relu\n"
            "from benchmarks.bench_optim import Adam\n"
            "from benchmarks.bench_transformer import ScaledDotProductAttention as A\n"
            "print(json.dumps([Relu.params, Adam.params, A.params,\n"
            "                  hasattr(Relu, 'track_kernel_time_forward'),\n"
            "                  hasattr(Adam, 'track_throughput_step'),\n"
            "                  hasattr(A, 'track_throughput_forward_backward'),\n"
            "                  hasattr(A, 'peakmem_forward_backward')]))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, env={**os.environ,
                                                         "NNCONFORM_BENCH_GPU": gpu})
    assert result.returncode == 0, result.stderr[-3000:]
    relu, adam, attention, kernel_time, throughput, attention_throughput, peakmem = (
        json.loads(result.stdout))
    assert relu[2] == backends and adam[2] == backends and attention[2] == backends
    gpu_shapes = {_backends.label(s) for s in _cases.GPU_ROWS_SHAPES + _cases.GPU_OPTIM_SHAPES
                  + _cases.GPU_ATTENTION_SHAPES}
    assert bool(gpu_shapes & set(relu[0] + adam[0])) == (gpu == "1")
    assert bool(gpu_shapes & set(attention[0])) == (gpu == "1")
    assert kernel_time == throughput == attention_throughput == (gpu == "1")
    assert peakmem  # on every machine: the host's memory on the CPU backends
