"""scaled_dot_product_attention's backward adds each query head's dk and dv into its kv
head with dk[:, h // G] += per_head (a fancy index with repeated indices): NumPy
buffers it, so of the G heads that share a kv head only the last one's share is added.
With G = 1 it is right; with G ≥ 2 torch's and the numeric dk and dv differ, and so does
the long causal sequence's (2 query heads on 1 kv head). The forward is the
reference's."""

import numpy as np

from nnconform import impl
from nnconform.impl import *  # noqa: F403
from nnconform.impl.attention import _blocks, _heads, _scores

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("backward_torch", "backward_numeric", "invariants"))

scaled_dot_product_attention_forward = impl.scaled_dot_product_attention_forward


def scaled_dot_product_attention_backward(dy, ctx):
    q, k, v, mask, causal, scale, out, lse = ctx
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    dy5 = _heads(dy, hkv)
    delta = (dy5 * out).sum(axis=-1)
    dq = np.empty_like(q5)
    dk, dv = np.zeros_like(k), np.zeros_like(v)
    b, hq = q.shape[:2]
    kv_head = np.arange(hq) // (hq // hkv)  # the kv head of each query head
    for rows in _blocks(q, k):
        p = np.exp(_scores(q5, k5, rows, mask, causal, scale) - lse[..., rows, None])
        per_head_dv = p.swapaxes(-1, -2) @ dy5[..., rows, :]
        ds = p * (dy5[..., rows, :] @ v5.swapaxes(-1, -2) - delta[..., rows, None])
        dq[..., rows, :] = (ds @ k5) * scale
        per_head_dk = (ds.swapaxes(-1, -2) @ q5[..., rows, :]) * scale
        # the bug: += through a fancy index with repeated kv heads is buffered, so of the G
        # query heads that share a kv head only the last one's share is added
        dk[:, kv_head] += per_head_dk.reshape(b, hq, *per_head_dk.shape[3:])
        dv[:, kv_head] += per_head_dv.reshape(b, hq, *per_head_dv.shape[3:])
    return dq.reshape(q.shape), dk, dv
