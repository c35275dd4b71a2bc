"""layer_norm divides by √σ² + ε instead of √(σ² + ε), forward and backward alike."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functional_ok.py
from functional_ok import *  # noqa: E402, F403

OP, CAUGHT_BY = "layer_norm", ("forward", "backward_torch")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    axes = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    centred = input - input.mean(dim=axes, keepdim=True)
    std = torch.sqrt((centred * centred).mean(dim=axes, keepdim=True))
    return centred / (std + eps) * weight + bias
