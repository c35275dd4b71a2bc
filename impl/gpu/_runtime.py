"""Where the kernels run, the array hook, and what every launch needs.

On a machine with CUDA the kernels are compiled for the GPU and the native arrays are
CUDA tensors. Under TRITON_INTERPRET=1 Triton runs the same kernels in its interpreter,
on CPU tensors, so CI checks every kernel's logic without a GPU. Triton reads the variable
when a kernel is defined, so it must be set before nnconform.impl.gpu is imported.
"""

from __future__ import annotations

import os

import numpy as np

try:
    import torch
    import triton
except ImportError as error:  # one line for `--impl nnconform.impl.gpu`, not a traceback
    raise ImportError(f"nnconform.impl.gpu needs PyTorch and Triton (pip install -e '.[gpu]'): "
                      f"{error}") from error

INTERPRET = os.environ.get("TRITON_INTERPRET", "0").lower() in ("1", "true", "on", "yes")
if not INTERPRET and not torch.cuda.is_available():
    raise ImportError("nnconform.impl.gpu: no CUDA device; set TRITON_INTERPRET=1 to run the "
                      "Triton kernels on the CPU under Triton's interpreter")
DEVICE = torch.device("cpu" if INTERPRET else "cuda")
if not INTERPRET:
    # Float32 means float32: no TF32 in PyTorch's own products either (none are used for
    # results, but a caller comparing with torch should get IEEE products on both sides).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

FLOAT_DTYPES = (torch.float32, torch.float64)


def to_native(array) -> torch.Tensor:
    """A NumPy array as a tensor on DEVICE: a copy, so the caller's array is never aliased."""
    return torch.from_numpy(np.array(array, order="C")).to(DEVICE)


def to_numpy(tensor) -> np.ndarray:
    """A tensor (or None) back as a NumPy array of its own."""
    if not isinstance(tensor, torch.Tensor):
        return tensor
    return tensor.detach().cpu().numpy().copy()


def require_tensor(name: str, x, dtypes=FLOAT_DTYPES, what="float32 or float64"
                   ) -> torch.Tensor:
    """x, contiguous, if it is a tensor on DEVICE of one of `dtypes` (float32 or float64,
    unless an integer input says otherwise); TypeError or ValueError naming `name`."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor on {DEVICE}, got "
                        f"{type(x).__name__} (nnconform.impl.gpu.to_native converts NumPy arrays)")
    if x.dtype not in dtypes:
        raise TypeError(f"{name}: expected {what}, got {x.dtype}")
    if x.device.type != DEVICE.type:
        raise ValueError(f"{name}: expected a tensor on {DEVICE}, got one on {x.device}")
    return x.contiguous()


def require_like(name: str, x, like: torch.Tensor, like_name: str, shape=None) -> torch.Tensor:
    """x as require_tensor gives it, of like's dtype and (when given) of `shape`."""
    x = require_tensor(name, x)
    if x.dtype != like.dtype:
        raise TypeError(f"{name}: dtype {x.dtype} does not match {like_name}'s {like.dtype}")
    if shape is not None and tuple(x.shape) != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}, got {tuple(x.shape)}")
    return x


def scalars(like: torch.Tensor, *values: float) -> torch.Tensor:
    """Hyperparameters as a tensor of like's dtype on its device, for a kernel to load:
    Triton passes a Python float as float32, which would round a float64 op's settings."""
    return torch.tensor(values, dtype=like.dtype, device=like.device)


def block(n: int, least: int = 16, most: int = 1024) -> int:
    """A power-of-two block size covering n elements, within [least, most]."""
    return max(least, min(most, triton.next_power_of_2(max(int(n), 1))))


def grid(n: int, size: int) -> tuple[int]:
    """One program per `size` elements of n."""
    return (triton.cdiv(max(int(n), 1), size),)
