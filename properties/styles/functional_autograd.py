"""The boundary of the functional style (properties/styles/functional.py): NumPy arrays in
as tensors on the user's DEVICE, the user's function called under autograd, NumPy out,
and the backward as torch.autograd.grad of the outputs the harness gives gradients for."""

from __future__ import annotations

import numpy as np
import torch

from nnconform.properties.styles.base import needs


def device_of(user) -> torch.device:
    return torch.device(user.find("DEVICE") or "cpu")


def _tensor(array, device, requires_grad: bool = False):
    """A tensor holding a copy of `array` (same float dtype; indices as int64, as torch
    takes them), on `device`; None stays None."""
    if array is None:
        return None
    array = np.asarray(array)
    if array.dtype.kind in "iu":
        tensor = torch.from_numpy(array.astype(np.int64))
    else:
        tensor = torch.from_numpy(np.array(array))  # a contiguous, writable copy
    tensor = tensor.to(device)
    return tensor.requires_grad_(True) if requires_grad else tensor


def _numpy(tensor, what: str) -> np.ndarray:
    if not isinstance(tensor, torch.Tensor):
        raise AssertionError(f"{what} returned {type(tensor).__name__}; expected a "
                             f"torch.Tensor")
    return tensor.detach().cpu().numpy().copy()


def _write_back(arrays, tensors, what: str, owned=()) -> None:
    """Copy an in-place change of a tensor the user was given into the caller's array."""
    for index, (array, tensor) in enumerate(zip(arrays, tensors, strict=True)):
        if array is None or tensor is None or index in owned:
            continue
        array = np.asarray(array)
        now = tensor.detach().cpu().numpy()
        if now.shape == array.shape and np.array_equal(
                now, array, equal_nan=array.dtype.kind == "f"):
            continue
        if now.shape != array.shape or not array.flags.writeable:
            raise AssertionError(f"{what} changed its argument {index} in place")
        np.copyto(array, now, casting="unsafe")


class Graph:
    """ctx: the leaves the op differentiates (None for an omitted input) and the outputs
    that take an upstream gradient, with the autograd graph between them."""

    def __init__(self, what: str, leaves: list, outputs: tuple):
        self.what, self.leaves, self.outputs = what, leaves, outputs

    def grads(self, dys) -> tuple:
        for output in self.outputs:
            if not output.requires_grad:
                raise AssertionError(
                    f"{self.what}'s output does not require grad: no autograd graph leads "
                    f"back to the inputs (computed under no_grad, detached, or a kernel "
                    f"not wrapped in a torch.autograd.Function)")
        upstream = [_tensor(dy, output.device) for dy, output in
                    zip(dys, self.outputs, strict=True)]
        present = [leaf for leaf in self.leaves if leaf is not None]
        found = torch.autograd.grad(self.outputs, present, upstream, allow_unused=True,
                                    retain_graph=True)
        _write_back(dys, upstream, f"{self.what}'s backward")
        found = iter(found)
        grads = []
        for leaf in self.leaves:
            if leaf is None:
                grads.append(None)
                continue
            grad = next(found)
            grads.append(np.zeros(tuple(leaf.shape), _numpy(leaf, self.what).dtype)
                         if grad is None else _numpy(grad, f"{self.what}'s backward"))
        return tuple(grads)


def run(user, what: str, arrays: tuple, differentiated: tuple, call, upstream: int = 1,
         owned: tuple = ()):
    """(outputs as NumPy, Graph) of `call(*tensors)`, the user's function applied to the
    arrays as tensors; `differentiated` are the indices of the inputs with a gradient,
    `upstream` how many outputs (from the first) take an upstream gradient, `owned` the
    inputs the call may update in place (batch_norm's running statistics)."""
    device = device_of(user)
    tensors = [_tensor(a, device, i in differentiated) for i, a in enumerate(arrays)]
    with torch.enable_grad():
        result = call(*tensors)
    outputs = result if isinstance(result, tuple) else (result,)
    values = tuple(_numpy(output, what) for output in outputs)
    _write_back(arrays, tensors, what, owned)
    graph = Graph(what, [tensors[i] for i in differentiated], outputs[:upstream])
    return (values if isinstance(result, tuple) else values[0]), graph


def backward_of(forward):
    """NAME_backward for NAME_forward: autograd on the graph its ctx keeps."""

    @needs(*forward.needs)
    def backward(user, *upstream_and_ctx):
        *dys, graph = upstream_and_ctx
        return graph.grads(tuple(dys))

    return backward
