"""What the benchmarks time: one op's arguments (benchmarks/_cases.py's builders) run by
one backend. asv's classes (benchmarks/_asv.py) and pytest-benchmark's
benchmarks/test_vs_torch.py time the same callables.

    layer(op, shape, dtype, backend) -> (forward, forward_backward)
    optimizer_step(name, shape, dtype, backend, fused=False) -> step

Each callable takes no arguments and runs the op once. Backends:

- "numpy": ours, impl's NAME_forward / NAME_backward (NAME_init / NAME_step); or the
  implementation $NNCONFORM_IMPL names, written in $NNCONFORM_STYLE (subject()), so a
  user's repository can keep the asv history of its own kernels with these classes.
- "torch": PyTorch on the CPU: torch.nn.functional, torch.nn.LSTM through
  torch.func.functional_call, torch.optim with foreach=True (or fused=True); SwiGLU as
  silu(linear)·linear and the rotary embedding (torch has none) as the half-split
  rotation a torch user writes, with cos and sin computed once.
- "torch_cuda": the same on the GPU.
- "triton": our GPU kernels, nnconform.impl.gpu, expected to mirror impl's names and calling
  convention on CUDA tensors (NAME_forward(*arrays, **hyper) -> (outputs, ctx), and so on).

The GPU backends raise NotImplementedError (asv shows the cell as n/a) where PyTorch, CUDA,
Triton or nnconform.impl.gpu is missing; they import PyTorch only when asked for, so discovery never
needs it. Their callables only queue the kernels: `synchronized(function, backend)` waits
for the GPU after each call, for a wall-clock timer; CUDA events time the queued kernels
themselves (benchmarks/_asv.py).

Forward+backward feeds random upstream gradients (never all ones: they hide errors) to
every differentiable output: y, h_n and c_n for the LSTM; y, not the running statistics,
for batch norm; every backend gets the same ones. asv_runner ≥ 0.3 re-runs setup before
every timed call, so arguments and backends are built once per process (functools.lru_cache
on tuples) and setup only looks them up. The arrays are shared: ours never change their
inputs, and torch on the CPU wraps them without copying except those it updates in place
(batch norm's running statistics, an optimizer's parameters), so a peakmem cell counts the
same arrays for both. Each backend learns its outputs' shapes from its own first forward
(which is also its warm-up), so no backend's peak includes another's work.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import _cases, _work

BACKENDS = ["numpy", "torch", "triton", "torch_cuda"]
GPU_BACKENDS = ("triton", "torch_cuda")


def gpu_machine() -> bool:
    """Whether this machine has an NVIDIA GPU, by its driver's files: cheap enough for
    asv's discovery, which must not import torch. $NNCONFORM_BENCH_GPU=1 or 0 says so
    instead."""
    forced = os.environ.get("NNCONFORM_BENCH_GPU")
    if forced in ("0", "1"):
        return forced == "1"
    return os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl")


# The backends of this machine's grid: asv keys results by machine, so a GPU machine's
# grid has GPU cells and a CPU machine's none (each cell is a process of its own, and one
# that can only say n/a is wasted time).
MACHINE_BACKENDS = BACKENDS if gpu_machine() else [b for b in BACKENDS
                                                   if b not in GPU_BACKENDS]


def label(shape) -> str:
    """(32, 64, 3) -> "32-64-3": asv stores parameter values by their repr."""
    return "-".join(str(size) for size in shape)


def numbers(shape: str) -> tuple[int, ...]:
    return tuple(int(part) for part in shape.split("-"))


@functools.cache
def subject():
    """The implementation timed as "numpy": nnconform.impl, or the one $NNCONFORM_IMPL
    names (any --impl the check accepts) in the style $NNCONFORM_STYLE names, as the
    harness binds it (properties/harness.py: its contract functions, its declared
    domain, to_native for arrays of its own type). None for nnconform.impl itself, which
    is called directly, so that asv's discovery never loads the harness."""
    spec = os.environ.get("NNCONFORM_IMPL")
    if not spec:
        return None
    from nnconform.properties.harness import implementation

    return implementation(spec, os.environ.get("NNCONFORM_STYLE") or "contract")


def _own(op: str, parts: tuple[str, ...], arrays, hyper: dict, dtype: str):
    """(subject()'s NAME_part functions, the arrays as its native type); NotImplementedError
    (an n/a cell) where it lacks one, or where its declared domain leaves the case out."""
    under_test = subject()
    if under_test is None:
        from nnconform import impl

        return [getattr(impl, f"{op}_{part}") for part in parts], _native(arrays)
    from nnconform.properties.cases import Case
    from nnconform.properties.optable import TABLE

    domain = under_test.domain(TABLE[op])
    if domain.refuses(None, dtype) or not domain.admits(TABLE[op], Case(tuple(arrays), hyper)):
        raise NotImplementedError(f"numpy: outside {under_test.label}'s declared domain "
                                  f"({domain.describe()})")
    functions = [getattr(under_test.module, f"{op}_{part}", None) for part in parts]
    if None in functions:
        raise NotImplementedError(f"numpy: {under_test.label} has no "
                                  f"{' / '.join(f'{op}_{part}' for part in parts)}")
    return functions, _native(arrays)


def _native(arrays) -> list:
    """The arrays as subject()'s native type (themselves for nnconform.impl's NumPy)."""
    under_test = subject()
    return list(arrays) if under_test is None else [under_test.to_native(a) for a in arrays]


@dataclass(frozen=True)
class LayerSpec:
    """An op with a backward: its case builder and the shapes and dtypes it is timed on
    (gpu_shapes: on the GPU backends only), the names of a shape's sizes (one sequence per
    rank the shapes have), the differentiable outputs picked from our forward's outputs
    (in the order NAME_backward takes their gradients), how many leading arrays get
    gradients (None: all), which arrays torch updates in place, and the op's work model
    (benchmarks/_work.py) in `unit`. Torch's function, which returns just the
    differentiable outputs: torch_functions()[op]."""

    case: Callable
    shapes: list[tuple[int, ...]]
    dims: tuple[Sequence[str], ...]
    work: Callable
    unit: str = "GB/s"
    gpu_shapes: list[tuple[int, ...]] = field(default_factory=list)
    dtypes: tuple[str, ...] = ("float32",)
    outputs: Callable = lambda y: (y,)
    grads: int | None = None
    updated_in_place: tuple[int, ...] = ()

    def describe(self, shape) -> str:
        """(32, 64, 3) -> "N32 C64 F3", by the letters for the shape's rank."""
        letters = next(dims for dims in self.dims if len(dims) == len(shape))
        return " ".join(f"{letter}{size}" for letter, size in zip(letters, shape, strict=True))


def _activation(case=_cases.elementwise_case) -> LayerSpec:
    return LayerSpec(case, _cases.ELEMENTWISE_SHAPES, ("ND",), _work.elementwise,
                     gpu_shapes=_cases.GPU_ROWS_SHAPES)


def _rows(work=_work.elementwise, **options) -> LayerSpec:
    return LayerSpec(_cases.softmax_case, _cases.SOFTMAX_SHAPES, ("ND",), work,
                     gpu_shapes=_cases.GPU_ROWS_SHAPES, dtypes=("float32", "float64"),
                     **options)


LAYERS = {
    "sigmoid": _activation(),
    "tanh": _activation(),
    "relu": _activation(),
    "leaky_relu": _activation(_cases.leaky_relu_case),
    "softmax": _rows(),
    "log_softmax": _rows(),
    # The logits only: class indices have no gradient.
    "cross_entropy": LayerSpec(_cases.cross_entropy_case, _cases.CROSS_ENTROPY_SHAPES,
                               ("NC",), _work.cross_entropy,
                               gpu_shapes=_cases.GPU_ROWS_SHAPES, grads=1),
    "linear": LayerSpec(_cases.linear_case, _cases.LINEAR_SHAPES, (("N", "in", "out"),),
                        _work.linear, "TFLOP/s", _cases.GPU_LINEAR_SHAPES,
                        ("float32", "float64")),
    "conv2d": LayerSpec(_cases.conv_case, _cases.CONV_SHAPES, ("NCHWKFSP",), _work.conv2d,
                        "TFLOP/s", _cases.GPU_CONV_SHAPES),
    "max_pool2d": LayerSpec(_cases.pool_case, _cases.POOL_SHAPES, ("NCHWksp",), _work.pool),
    "avg_pool2d": LayerSpec(_cases.pool_case, _cases.POOL_SHAPES, ("NCHWksp",), _work.pool),
    # y only: the running statistics have no gradient (nor do the running buffers).
    "batch_norm": LayerSpec(_cases.norm_case, _cases.NORM_SHAPES, ("NCHW", "NF"),
                            _work.batch_norm, outputs=lambda outputs: outputs[:1], grads=3,
                            updated_in_place=(3, 4)),
    "lstm": LayerSpec(_cases.lstm_case, _cases.LSTM_SHAPES, ("TNIH",), _work.lstm,
                      "TFLOP/s", outputs=tuple),
    # A transformer's blocks (docs/transformer.md). GELU's tanh form: shape (N, D, 1).
    "gelu": LayerSpec(_cases.gelu_case, _cases.GELU_SHAPES, ("ND", ("N", "D", "tanh")),
                      _work.gelu, gpu_shapes=_cases.GPU_GELU_SHAPES),
    "silu": _activation(),
    "swiglu": LayerSpec(_cases.swiglu_case, _cases.SWIGLU_SHAPES, (("N", "D", "H"),),
                        _work.swiglu, "TFLOP/s", _cases.GPU_SWIGLU_SHAPES),
    "rms_norm": LayerSpec(_cases.rms_norm_case, _cases.ROW_NORM_SHAPES, ("ND",),
                          _work.rms_norm, gpu_shapes=_cases.GPU_ROW_NORM_SHAPES),
    "layer_norm": LayerSpec(_cases.layer_norm_case, _cases.ROW_NORM_SHAPES, ("ND",),
                            _work.layer_norm, gpu_shapes=_cases.GPU_ROW_NORM_SHAPES),
    # x only: the positions are integers.
    "rotary_embedding": LayerSpec(_cases.rotary_case, _cases.ROTARY_SHAPES, ("BHSD",),
                                  _work.rotary_embedding,
                                  gpu_shapes=_cases.GPU_ROTARY_SHAPES, grads=1),
    "scaled_dot_product_attention": LayerSpec(
        _cases.attention_case, _cases.ATTENTION_SHAPES,
        (("B", "Hq", "Hkv", "S", "D", "causal"),), _work.attention, "TFLOP/s",
        _cases.GPU_ATTENTION_SHAPES),
}


@dataclass(frozen=True)
class OptimizerSpec:
    """NAME_step's hyperparameters (lr included; NAME_init takes the others) and the
    torch.optim class (by name) that takes the same step with `torch_hyper`; `fused`:
    torch has a fused CPU kernel for it; `arrays`: how many parameter-sized arrays one step
    reads and writes in all (its work model, _work.optimizer_step)."""

    hyper: dict
    torch: str
    arrays: int
    torch_hyper: dict = field(default_factory=dict)
    fused: bool = True


OPTIMIZERS = {
    "sgd": OptimizerSpec({"lr": 0.01}, "SGD", 3, {"lr": 0.01}),
    # torch's SGD with momentum β at lr·(1-β) takes the same step as v ← βv + (1-β)g.
    "momentum_average": OptimizerSpec({"lr": 0.01, "beta": 0.9}, "SGD", 5,
                                      {"lr": 0.01 * (1 - 0.9), "momentum": 0.9}),
    "adagrad": OptimizerSpec({"lr": 0.01}, "Adagrad", 5, {"lr": 0.01}),
    "rmsprop": OptimizerSpec({"lr": 0.01}, "RMSprop", 5, {"lr": 0.01}, fused=False),
    "adam": OptimizerSpec({"lr": 1e-3}, "Adam", 7, {"lr": 1e-3}),
    "adamw": OptimizerSpec({"lr": 1e-3, "weight_decay": 0.01}, "AdamW", 7,
                           {"lr": 1e-3, "weight_decay": 0.01}),
}


@functools.lru_cache(maxsize=2)
def arguments(op: str, shape: tuple[int, ...], dtype: str) -> tuple[tuple, dict]:
    """(arrays, hyper): the op's arguments, built once per process (an optimizer's are
    (param, grad) and NAME_step's hyperparameters)."""
    rng = np.random.default_rng(0)
    if op in OPTIMIZERS:
        arrays, _ = _cases.optim_case(shape, rng, dtype)
        return arrays, OPTIMIZERS[op].hyper
    return LAYERS[op].case(shape, rng, dtype)


@functools.lru_cache(maxsize=2)
def upstream(shapes: tuple[tuple[int, ...], ...], dtype: str) -> tuple:
    """One random upstream gradient per differentiable output, the same for every backend."""
    rng = np.random.default_rng(1)
    return tuple(rng.standard_normal(shape, dtype=dtype) for shape in shapes)


def _shapes(outputs) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(y.shape) for y in outputs)


def _require(backend: str, shape=None, cpu_shapes=()) -> None:
    """NotImplementedError unless the backend can run here (cheapest checks first), and
    on a CPU backend, unless `shape` is one of the op's CPU shapes."""
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    if backend not in GPU_BACKENDS and shape is not None and tuple(shape) not in cpu_shapes:
        raise NotImplementedError(f"{backend}: {label(shape)} is timed on the GPU backends "
                                  f"only")
    if backend == "numpy":
        return
    if backend == "triton" and importlib.util.find_spec("nnconform.impl.gpu") is None:
        raise NotImplementedError("triton: nnconform.impl.gpu (our GPU kernels) does not exist yet")
    try:
        import torch
    except ImportError as error:
        raise NotImplementedError(f"{backend}: PyTorch is not installed") from error
    if backend in GPU_BACKENDS and not torch.cuda.is_available():
        raise NotImplementedError(f"{backend}: no CUDA device")
    if backend == "triton" and importlib.util.find_spec("triton") is None:
        raise NotImplementedError("triton: Triton is not installed")


def _gpu_module():
    try:
        return importlib.import_module("nnconform.impl.gpu")
    except ImportError as error:
        raise NotImplementedError(f"triton: nnconform.impl.gpu does not import: {error}") from error


def _gpu_function(name: str):
    function = getattr(_gpu_module(), name, None)
    if function is None:
        raise NotImplementedError(f"triton: nnconform.impl.gpu has no {name}")
    return function


def synchronized(function: Callable, backend: str) -> Callable:
    """function, then a wait for the GPU's queue to drain, so a timer sees the kernels end
    (function itself on a CPU backend)."""
    if backend not in GPU_BACKENDS:
        return function
    import torch

    def run():
        function()
        torch.cuda.synchronize()

    return run


def _device(backend: str) -> str:
    return "cuda" if backend in GPU_BACKENDS else "cpu"


def _tensors(arrays, backend: str, copied: tuple[int, ...] = ()) -> list:
    """The arrays as tensors on the backend's device: on the CPU the same memory, except
    copies of arrays[i] for i in `copied` (those torch updates in place)."""
    import torch

    tensors = [torch.from_numpy(a) for a in arrays]
    if backend in GPU_BACKENDS:
        return [t.to(_device(backend)) for t in tensors]
    return [t.clone() if i in copied else t for i, t in enumerate(tensors)]


@functools.lru_cache(maxsize=2)
def layer(op: str, shape: tuple[int, ...], dtype: str, backend: str):
    """(forward, forward_backward) of one op on one backend, built once per process."""
    _require(backend, shape, LAYERS[op].shapes)
    arrays, hyper = arguments(op, shape, dtype)
    if backend == "numpy":
        (forward, backward), arrays = _own(op, ("forward", "backward"), arrays, hyper, dtype)
    elif backend == "triton":
        forward, backward = (_gpu_function(f"{op}_{part}") for part in ("forward", "backward"))
        arrays = _tensors(arrays, backend)
    else:
        return _torch_layer(op, arrays, hyper, dtype, backend)
    dys = upstream(_shapes(LAYERS[op].outputs(forward(*arrays, **hyper)[0])), dtype)
    if backend == "triton":
        dys = _tensors(dys, backend)
    else:
        dys = _native(dys)

    def run_forward():
        forward(*arrays, **hyper)

    def run_forward_backward():
        _, ctx = forward(*arrays, **hyper)
        backward(*dys, ctx)

    return run_forward, run_forward_backward


def _as_tuple(outputs) -> tuple:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def _torch_layer(op: str, arrays, hyper, dtype: str, backend: str):
    import torch

    spec, function = LAYERS[op], torch_functions()[op]
    tensors = _tensors(arrays, backend, spec.updated_in_place)
    count = len(tensors) if spec.grads is None else spec.grads
    leaves = [t.requires_grad_() for t in tensors[:count]]
    inputs = [*leaves, *tensors[count:]]
    with torch.no_grad():
        dys = _tensors(upstream(_shapes(_as_tuple(function(*inputs, **hyper))), dtype), backend)

    def run_forward():
        with torch.no_grad():
            function(*inputs, **hyper)

    def run_forward_backward():
        for leaf in leaves:
            leaf.grad = None
        torch.autograd.backward(_as_tuple(function(*inputs, **hyper)), dys)

    return run_forward, run_forward_backward


@functools.cache
def torch_functions() -> dict:
    """impl's op name -> torch's function of the same arrays, in impl's order, with impl's
    hyperparameters; the differentiable outputs it returns are those LAYERS picks."""
    import torch
    import torch.nn.functional as F
    from torch.func import functional_call

    @functools.cache
    def lstm_module(input_size: int, hidden: int, device: str) -> torch.nn.LSTM:
        # Only its structure: the weights are passed to functional_call.
        return torch.nn.LSTM(input_size, hidden, device=device)

    def lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        module = lstm_module(x.shape[2], h0.shape[1], str(x.device))
        weights = dict(zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                           (w_ih, w_hh, b_ih, b_hh), strict=True))
        y, (h_n, c_n) = functional_call(module, weights, (x, (h0[None], c0[None])))
        return y, h_n[0], c_n[0]

    def batch_norm(x, gamma, beta, running_mean, running_var, **hyper):
        return F.batch_norm(x, running_mean, running_var, gamma, beta, **hyper)

    rotary_tables = {}

    def rotary_embedding(x, positions, base):
        """Half-split pairs (x_i, x_{i+D/2}) turned by p·θ_i, as a torch user writes it
        (Hugging Face's Llama): cos and sin are the tables a model computes once and reuses
        in every layer, here once per positions tensor (kept, so its id is not reused),
        with the angles in float64 and rounded to x's dtype, as the contract's."""
        half = x.shape[-1] // 2
        key = (id(positions), half, base, x.dtype)
        if key not in rotary_tables:
            theta = base ** (-2 * torch.arange(half, dtype=torch.float64,
                                               device=x.device) / x.shape[-1])
            angle = positions.to(torch.float64)[:, None] * theta
            rotary_tables[key] = (positions, angle.cos().to(x.dtype), angle.sin().to(x.dtype))
        _, cos, sin = rotary_tables[key]
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)

    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": F.leaky_relu,
        "softmax": lambda x, axis: F.softmax(x, dim=axis),
        "log_softmax": lambda x, axis: F.log_softmax(x, dim=axis),
        "cross_entropy": F.cross_entropy,
        "linear": F.linear,
        "conv2d": F.conv2d,
        "max_pool2d": F.max_pool2d,
        "avg_pool2d": F.avg_pool2d,
        "batch_norm": batch_norm,
        "lstm": lstm,
        "gelu": lambda x, approximate: F.gelu(x, approximate=approximate),
        "silu": F.silu,
        "swiglu": lambda x, w1, w3: F.silu(F.linear(x, w1)) * F.linear(x, w3),
        "rms_norm": lambda x, weight, eps: F.rms_norm(x, weight.shape, weight, eps),
        "layer_norm": lambda x, gamma, beta, eps: F.layer_norm(x, gamma.shape, gamma, beta,
                                                               eps),
        "rotary_embedding": rotary_embedding,
        "scaled_dot_product_attention": lambda q, k, v, causal: F.scaled_dot_product_attention(
            q, k, v, is_causal=causal, enable_gqa=True),
    }


@functools.lru_cache(maxsize=2)
def optimizer_step(name: str, shape: tuple[int, ...], dtype: str, backend: str,
                   fused: bool = False):
    """step(): one step of optimizer `name` on the case's parameters, built once per
    process. Ours returns new arrays from the same state every time; torch's (made after
    one first step, which creates its state) updates its copies in place, with
    foreach=True, or with fused=True (its fused kernel, where OptimizerSpec.fused says
    torch has one)."""
    _require(backend, shape, _cases.OPTIM_SHAPES)
    if fused and (backend not in ("torch", "torch_cuda") or not OPTIMIZERS[name].fused):
        raise NotImplementedError(f"{backend}: no fused {name} step")
    arrays, _ = arguments(name, shape, dtype)
    optimizer = OPTIMIZERS[name]
    init_hyper = {key: value for key, value in optimizer.hyper.items() if key != "lr"}
    if backend == "numpy":
        (init, step), (param, grad) = _own(name, ("init", "step"), arrays, optimizer.hyper,
                                           dtype)
        state = init(param, **init_hyper)
        return lambda: step(param, grad, state, **optimizer.hyper)
    if backend == "triton":
        module = _gpu_module()
        init, step = (getattr(module, f"{name}_{part}", None) for part in ("init", "step"))
        if init is None or step is None:
            raise NotImplementedError(f"{backend}: no {name}_init / {name}_step")
        param, grad = _tensors(arrays, backend)
        state = init(param, **init_hyper)
        return lambda: step(param, grad, state, **optimizer.hyper)
    import torch

    param, grad = _tensors(arrays, backend, copied=(0,))
    param.requires_grad_()
    param.grad = grad
    kernel = {"fused": True} if fused else {"foreach": True}
    torch_step = getattr(torch.optim, optimizer.torch)(
        [param], **optimizer.torch_hyper, **kernel).step
    torch_step()
    return torch_step
