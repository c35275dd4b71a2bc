"""nnconform.impl.gpu's Triton kernels face the whole property suite on the CPU, under Triton's
interpreter (TRITON_INTERPRET=1), as they would on a GPU: every generic check and
invariant of their ops, with the `interpreter` profile's 8 examples per property (the
interpreter runs every program of every launch in Python). One test per family, so
pytest-xdist spreads them over the workers."""

import ast
import importlib.util

import pytest
from conftest import ROOT

from nnconform.properties.checks import COLUMN, GENERIC
from nnconform.properties.optable import TABLE

FAMILIES = {
    "activations": "sigmoid,tanh,relu,leaky_relu,identity,softmax,log_softmax",
    "losses and linear": "cross_entropy,l2_penalty,linear",
    "conv and pooling": "conv2d,max_pool2d,avg_pool2d",
    "batch norm": "batch_norm",
    "transformer blocks": "gelu,silu,swiglu,rms_norm,layer_norm,rotary_embedding",
    "attention": "scaled_dot_product_attention",
    "optimizers": "sgd,momentum_velocity,momentum_step,momentum_average,nesterov,adam,adamw",
}
INTERPRETED = {"TRITON_INTERPRET": "1"}

needs_triton = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                  reason="Triton is in the [test] extra")


def _gpu_functions() -> set[str]:
    """The names impl/gpu/__init__.py exports, read without importing it (importing needs
    CUDA or the interpreter)."""
    tree = ast.parse((ROOT / "impl" / "gpu" / "__init__.py").read_text())
    exported = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                    and node.targets[0].id == "__all__")
    return {element.value for element in exported.elts}


def test_every_op_of_impl_gpu_is_checked_here():
    functions = _gpu_functions()
    complete = {op.name for op in TABLE.values()
                if all(name in functions for name in op.functions)}
    checked = {name for ops in FAMILIES.values() for name in ops.split(",")}
    assert complete == checked


@needs_triton
@pytest.mark.parametrize("family", FAMILIES)
def test_gpu_kernels_conform_under_the_interpreter(check, family):
    ops = FAMILIES[family].split(",")
    code, report, output = check("--impl", "nnconform.impl.gpu", "--only", ",".join(ops),
                                 profile="interpreter", env=INTERPRETED)
    assert code == 0, output[-3000:]
    assert (report["implementation"], report["profile"], report["max_examples"]) == (
        "nnconform.impl.gpu", "interpreter", 8)
    assert "Hypothesis profile interpreter: up to 8 examples per property" in output
    for op in ops:
        row = report["ops"][op]
        # Every check the op's entry calls for ran and passed; none was skipped.
        expected = {COLUMN.get(kind, kind) for kind, (_, oracle) in GENERIC.items()
                    if (oracle is None or oracle in TABLE[op].oracles)
                    and (TABLE[op].grads or not kind.startswith("backward"))
                    and (kind != "kinks" or TABLE[op].kinks is not None)}
        expected |= {"invariants"} if TABLE[op].invariants else set()
        expected |= {"robustness"}  # every op has at least the layout check
        assert {kind for kind, status in row.items() if status == "pass"} == expected, (op, row)
        assert set(row.values()) <= {"pass", "n/a"}, (op, row)


@needs_triton
def test_without_cuda_or_the_interpreter_the_load_fails_in_one_line(check):
    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: nnconform.impl.gpu loads")
    code, _, output = check("--impl", "nnconform.impl.gpu", "--only", "relu",
                            env={"TRITON_INTERPRET": "0"})
    assert code == 2
    assert output.strip() == (
        "nnconform: --impl nnconform.impl.gpu: import failed: ImportError: nnconform.impl.gpu: "
        "no CUDA device; set TRITON_INTERPRET=1 to run the Triton kernels on the CPU under "
        "Triton's interpreter")
