"""Each kernel of ours beside PyTorch's on the CPU, timed by pytest-benchmark:

    pytest benchmarks --benchmark-only [--threads N] [--malloc stable] [--benchmark-json FILE]

One group per op, shape, dtype and pass (forward; forward+backward; one step for an
optimizer) holds ours ("numpy") and PyTorch's ("torch"; for an optimizer torch.optim with
foreach=True, and "torch_fused" where torch has a fused CPU kernel). The ops, shapes,
arguments, random upstream gradients and torch twins are benchmarks/_backends.py's, the
same as asv times. benchmarks/conftest.py prints each group's ratio ours / torch of the
medians after pytest-benchmark's tables and adds the ratios to --benchmark-json.

Needs the [bench] extra (pytest-benchmark). The test command (`pytest` with no path) does
not collect this file; asv imports it and finds no benchmark of its own here."""

from . import _backends, _cases

LAYER_CASES = [(op, shape, dtype, part, backend)
               for op, spec in _backends.LAYERS.items()
               for shape in spec.shapes
               for dtype in spec.dtypes
               for part in ("forward", "forward_backward")
               for backend in ("numpy", "torch")]
OPTIMIZER_CASES = [(name, shape, "float32", backend, fused)
                   for name, spec in _backends.OPTIMIZERS.items()
                   for shape in _cases.OPTIM_SHAPES
                   for backend, fused in (("numpy", False), ("torch", False),
                                          *((("torch", True),) if spec.fused else ()))]


def pytest_generate_tests(metafunc):
    """The grids, without importing pytest (asv's environment has none)."""
    if metafunc.function is test_layer:
        metafunc.parametrize(("op", "shape", "dtype", "part", "backend"), LAYER_CASES,
                             ids=["-".join((op, _backends.label(shape), *rest))
                                  for op, shape, *rest in LAYER_CASES])
    elif metafunc.function is test_optimizer_step:
        metafunc.parametrize(("name", "shape", "dtype", "backend", "fused"), OPTIMIZER_CASES,
                             ids=[f"{name}-{_backends.label(shape)}-{dtype}-{backend}"
                                  f"{'_fused' if fused else ''}"
                                  for name, shape, dtype, backend, fused in OPTIMIZER_CASES])


def test_layer(benchmark, op, shape, dtype, part, backend):
    benchmark.group = f"{op} {_backends.LAYERS[op].describe(shape)} {dtype} {part}"
    benchmark.extra_info["backend"] = backend
    forward, forward_backward = _backends.layer(op, shape, dtype, backend)
    benchmark(forward if part == "forward" else forward_backward)


def test_optimizer_step(benchmark, name, shape, dtype, backend, fused):
    benchmark.group = f"{name} step {_backends.label(shape)} params {dtype}"
    benchmark.extra_info["backend"] = f"{backend}_fused" if fused else backend
    benchmark(_backends.optimizer_step(name, shape, dtype, backend, fused=fused))
