"""`nnconform bench` (benchmarks/compare.py) times any implementation the check accepts
against torch; the asv classes take theirs from $NNCONFORM_IMPL too. Speed is never
asserted here: the figures' arithmetic and their provenance are."""

import json
import math
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from benchmarks import _work

QUICK = ("--repeats", "3", "--sample", "0.002")


def _bench(tmp_path, *args, env=None):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "nnconform.properties.cli", "bench", *QUICK, "--json",
         str(out), *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})})
    data = json.loads(out.read_text()) if out.exists() else None
    return result.returncode, data, result.stdout + result.stderr


def _assert_figures_add_up(rows):
    timed = [r for r in rows if not r["note"]]
    assert timed, rows
    for r in timed:
        assert r["ours"] > 0 and r["torch"] > 0 and r["ours_spread"] >= 0, r
        assert math.isclose(r["ratio"], r["ours"] / r["torch"], rel_tol=1e-12), r
        scale = _work.TFLOP if r["unit"] == "TFLOP/s" else _work.GB
        assert r["rate"] > 0 and r["peak_mb"] >= 0, r
        assert math.isclose(r["rate"] * r["ours"] * scale, _work_of(r), rel_tol=1e-9), r


def _work_of(row) -> float:
    from benchmarks import _backends

    itemsize = 4 if row["dtype"] == "float32" else 8
    if row["op"] in _backends.OPTIMIZERS:
        params = int(row["shape"].removeprefix("P"))
        return _work.optimizer_step(params, itemsize, _backends.OPTIMIZERS[row["op"]].arrays)
    spec = _backends.LAYERS[row["op"]]
    shape = next(s for s in spec.shapes if spec.describe(s) == row["shape"])
    return spec.work(shape, itemsize)[row["part"] == "forward_backward"]


def test_the_built_in_implementation(tmp_path):
    code, data, output = _bench(tmp_path, "--only", "relu,adam", "--threads", "1")
    assert code == 0, output[-3000:]
    parts = {(r["op"], r["part"]) for r in data["rows"]}
    assert parts == {("relu", "forward"), ("relu", "forward_backward"), ("adam", "step"),
                     ("adam", "step_fused")}
    _assert_figures_add_up(data["rows"])
    assert data["threads"] == "openmp 1, openblas 1" or "openblas 1" in data["threads"]
    assert data["torch_threads"] == 1
    assert "ratio" in output and "relu" in output


def test_the_torch_backed_implementation(tmp_path):
    code, data, output = _bench(tmp_path, "--impl", "tests/torch_backed.py",
                                "--only", "relu,softmax")
    assert code == 0, output[-3000:]
    assert data["implementation"] == "tests/torch_backed.py"
    _assert_figures_add_up(data["rows"])


def test_a_plug_in_in_another_style_in_its_declared_dtype(tmp_path):
    code, data, output = _bench(tmp_path, "--style", "cs231n", "--impl", "tests/styles/cs231n",
                                "--only", "relu,sigmoid,adam")
    assert code == 0, output[-3000:]
    rows = {(r["op"], r["part"]): r for r in data["rows"]}
    assert rows[("relu", "forward")]["dtype"] == "float64"  # the assignment's only dtype
    assert "has no sigmoid_forward" in rows[("sigmoid", "forward")]["note"]
    _assert_figures_add_up([r for r in data["rows"] if r["op"] != "sigmoid"])


@pytest.mark.parametrize(("args", "message"), [
    (("--only", "relu,conv3d"), "--only: conv3d not benchmarked"),
    (("--impl", "no_such_file.py"), "--impl no_such_file.py"),
    (("--threads", "0"), "--threads 0: expected a count >= 1"),
])
def test_bad_arguments_are_usage_errors(tmp_path, args, message):
    code, _, output = _bench(tmp_path, *args)
    assert code == 2 and message in output, output[-2000:]


def test_the_asv_classes_time_the_implementation_nnconform_impl_names(tmp_path):
    """A plug-in that counts its calls: asv's Relu class, set up under NNCONFORM_IMPL,
    calls it (and not nnconform.impl) when it times the forward."""
    plug_in = tmp_path / "counting.py"
    plug_in.write_text("from nnconform.impl import relu_backward\n"
                       "from nnconform.impl import relu_forward as _forward\n"
                       "CALLS = []\n\n\n"
                       "def relu_forward(x):\n"
                       "    CALLS.append(x.shape)\n"
                       "    return _forward(x)\n")
    code = ("import sys\n"
            "from benchmarks import _backends\n"
            "from benchmarks.bench_activations import Relu\n"
            "bench = Relu()\n"
            "shape = bench.params[0][0]\n"
            "bench.setup(shape, 'float32', 'numpy')\n"
            "bench.time_forward(shape, 'float32', 'numpy')\n"
            "print(len(sys.modules['nnconform_impl_counting'].CALLS))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ, "NNCONFORM_IMPL": str(plug_in)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.split()[-1]) >= 2  # its warm-up forward and the timed one


@pytest.mark.parametrize("op", sorted(_work.GEMMS))
def test_the_gemm_roof_times_the_products_the_work_model_counts(op):
    """The GEMMs a roof is timed on do the op's FLOPs: forward, and forward+backward."""
    from benchmarks import _backends

    for shape in _backends.LAYERS[op].shapes:
        forward, backward = _work.GEMMS[op](shape)
        flops = [2 * sum(m * k * n for m, k, n in part) for part in (forward, forward + backward)]
        assert tuple(flops) == _backends.LAYERS[op].work(shape, 4), shape


def test_products_report_their_gemm_roof_and_nothing_else_does(tmp_path):
    code, data, output = _bench(tmp_path, "--only", "linear,swiglu,relu", "--threads", "1")
    assert code == 0, output[-3000:]
    assert {r["op"] for r in data["rows"]} == {"linear", "swiglu", "relu"}
    for row in data["rows"]:
        if row["op"] in _work.GEMMS:
            assert row["gemm_roof"] > 0, row
        else:
            assert row["gemm_roof"] is None, row
    assert "GEMM roof" in output


TRANSFORMER = ("gelu", "silu", "swiglu", "rms_norm", "layer_norm", "rotary_embedding",
               "scaled_dot_product_attention")


def test_the_transformer_blocks_report_a_rate_and_their_peak_memory(tmp_path):
    """Every shape of the seven blocks, forward and forward+backward, in the unit of its
    work model (TFLOP/s for the products, GB/s for the rest); GELU in both forms; the
    peak memory of attention's forward+backward holds at least its output and gradients."""
    from benchmarks import _backends

    code, data, output = _bench(tmp_path, "--only", ",".join(TRANSFORMER), "--threads", "1",
                                "--repeats", "1")
    assert code == 0, output[-3000:]
    expected = {(op, _backends.LAYERS[op].describe(shape), part)
                for op in TRANSFORMER for shape in _backends.LAYERS[op].shapes
                for part in ("forward", "forward_backward")}
    assert {(r["op"], r["shape"], r["part"]) for r in data["rows"]} == expected
    assert {r["shape"] for r in data["rows"] if r["op"] == "gelu"} == {"N4096 D1024",
                                                                       "N4096 D1024 tanh1"}
    _assert_figures_add_up(data["rows"])
    for r in data["rows"]:
        products = r["op"] in ("swiglu", "scaled_dot_product_attention")
        assert r["unit"] == ("TFLOP/s" if products else "GB/s"), r
        if r["op"] == "scaled_dot_product_attention" and r["part"] == "forward_backward":
            shape = next(s for s in _backends.LAYERS[r["op"]].shapes
                         if _backends.LAYERS[r["op"]].describe(s) == r["shape"])
            b, hq, hkv, s, d, _ = shape
            assert r["peak_mb"] * 2**20 >= 4 * s * d * (b * hq + 2 * b * hkv), r  # dq, dk, dv
