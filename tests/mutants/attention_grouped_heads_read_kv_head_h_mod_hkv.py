"""scaled_dot_product_attention pairs query head h with kv head h % Hkv (k and v tiled, as
k.repeat(1, G, 1, 1) would lay them out) instead of h // G (repeat_interleave, torch's
enable_gqa and Llama's repeat_kv). The same with one kv head or G = 1; with Hkv = 2 and
G ≥ 2 heads read the wrong keys. Forward and backward agree, so the numeric check
passes; torch's outputs and gradients do not, grouped attention differs from attention
on the repeated kv heads, and the special values are compared with torch too. The long
sequence has one kv head, so it passes."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl.attention import _blocks, _check, _scores

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "invariants", "robustness"))


def _heads(x, kv_heads):
    """(B, H, S, E) seen as (B, Hkv, G, S, E): the bug: query head h is taken as G·g + j and
    put with kv head j = h % Hkv (k.repeat(1, G, 1, 1), tiled), not with h // G."""
    b, h, s, e = x.shape
    return x.reshape(b, h // kv_heads, kv_heads, s, e).swapaxes(1, 2)


def _merge(x5):
    """_heads undone: (B, Hkv, G, S, E) back to (B, H, S, E)."""
    b, hkv, g, s, e = x5.shape
    return x5.swapaxes(1, 2).reshape(b, hkv * g, s, e)


def scaled_dot_product_attention_forward(q, k, v, mask=None, causal=False, scale=None):
    scale = _check(q, k, v, mask, causal, scale)
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    out = np.empty(q5.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
    lse = np.empty(q5.shape[:-1], dtype=q.dtype)
    for rows in _blocks(q, k):
        s = _scores(q5, k5, rows, mask, causal, scale)
        top = np.fmax.reduce(s, axis=-1, keepdims=True, initial=-np.inf)
        seen = top > -np.inf
        p = np.exp(s - np.where(seen, top, 0))
        if not seen.all():
            p = np.where(seen, p, 0)
        total = np.where(seen, p.sum(axis=-1, keepdims=True), 1)
        out[..., rows, :] = (p @ v5) / total
        lse[..., rows] = np.where(seen, top + np.log(total), np.inf)[..., 0]
    return _merge(out), (q, k, v, mask, causal, scale, out, lse)


def scaled_dot_product_attention_backward(dy, ctx):
    q, k, v, mask, causal, scale, out, lse = ctx
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    dy5 = _heads(dy, hkv)
    delta = (dy5 * out).sum(axis=-1)
    dq = np.empty_like(q5)
    dk, dv = np.zeros_like(k), np.zeros_like(v)
    for rows in _blocks(q, k):
        p = np.exp(_scores(q5, k5, rows, mask, causal, scale) - lse[..., rows, None])
        dv += (p.swapaxes(-1, -2) @ dy5[..., rows, :]).sum(axis=2)
        ds = p * (dy5[..., rows, :] @ v5.swapaxes(-1, -2) - delta[..., rows, None])
        dq[..., rows, :] = (ds @ k5) * scale
        dk += (ds.swapaxes(-1, -2) @ q5[..., rows, :]).sum(axis=2) * scale
    return _merge(dq), dk, dv
