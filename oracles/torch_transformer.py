"""The torch oracle's transformer blocks (docs/transformer.md): each op as PyTorch computes
it, for oracles/torch.py's table. Where torch has the op (F.gelu, F.silu, F.rms_norm,
F.scaled_dot_product_attention) it is called as it is; SwiGLU is two F.linear and a
SiLU; torch has no rotary embedding, so it is written here as complex multiplication,
the rotation e^{ia}, not as the sin/cos pairs an implementation would use."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def swiglu(x, w1, w3):
    return F.silu(F.linear(x, w1)) * F.linear(x, w3)


def rms_norm(x, weight, eps=1e-6):
    return F.rms_norm(x, tuple(weight.shape), weight, eps)


def rotary_embedding(x, positions, base=10000.0):
    """Half-split pairs (x_i, x_{i+D/2}) as the complex numbers x_i + i·x_{i+D/2}, times
    e^{i·p·θ_i} with θ_i = base^(-2i/D)."""
    half = x.shape[-1] // 2
    theta = base ** (-2 * torch.arange(half, dtype=torch.float64) / x.shape[-1])
    turn = torch.polar(torch.ones(len(positions), half, dtype=torch.float64),
                       positions.to(torch.float64)[:, None] * theta)
    z = torch.complex(x[..., :half], x[..., half:])
    z = z * turn.to(z.dtype)  # the angles in float64, then x's precision (float32 stays)
    return torch.cat([z.real, z.imag], dim=-1)


def scaled_dot_product_attention(q, k, v, mask=None, causal=False, scale=None):
    """F.scaled_dot_product_attention with enable_gqa (query head h reads kv head
    h // (Hq/Hkv)). torch takes a mask of 2 to 4 dims and not both a mask and is_causal: a
    mask gets leading axes of 1, and with causal too the hidden keys join it as -inf."""
    if mask is not None:
        mask = mask.reshape((1,) * (4 - mask.ndim) + tuple(mask.shape))
        if causal:
            later = torch.ones(q.shape[2], k.shape[2], dtype=torch.bool).tril().logical_not()
            mask, causal = mask.masked_fill(later, float("-inf")), False
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal,
                                          scale=scale, enable_gqa=True)


OPS = {
    "gelu": lambda x, approximate="none": F.gelu(x, approximate=approximate),
    "silu": F.silu,
    "swiglu": swiglu,
    "rms_norm": rms_norm,
    "rotary_embedding": rotary_embedding,
    "scaled_dot_product_attention": scaled_dot_product_attention,
}
