"""scaled_dot_product_attention's backward takes dS = P ⊙ dP, leaving out the
- rowsum(dO ⊙ O) of softmax's backward (FlashAttention's D term), so dq and dk miss the
part through the normalisation (dv is right). The forward is the reference's and
passes, special values included; torch's and the numeric gradients of q and k do not,
nor does the long causal sequence's dq."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl.attention import _blocks, _check, _heads

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("backward_torch", "backward_numeric", "invariants"))


def _scores(q5, k5, rows, mask, causal, scale):
    s = (q5[..., rows, :] * scale) @ k5.swapaxes(-1, -2)
    if mask is not None:
        m4 = mask.reshape((1,) * (4 - mask.ndim) + mask.shape)
        block = m4[..., rows, :] if m4.shape[2] > 1 else m4
        b, hkv, g, m, sk = s.shape
        s += np.broadcast_to(block, (b, hkv * g, m, sk)).reshape(s.shape)
    if causal:
        later = np.arange(s.shape[-1]) > np.arange(rows.start, rows.stop)[:, None]
        s[..., later] = -np.inf
    return s


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
    return out.reshape(q.shape[:-1] + (v.shape[-1],)), (q, k, v, mask, causal, scale, out, lse)


def scaled_dot_product_attention_backward(dy, ctx):
    q, k, v, mask, causal, scale, out, lse = ctx
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    dy5 = _heads(dy, hkv)
    dq = np.empty_like(q5)
    dk, dv = np.zeros_like(k), np.zeros_like(v)
    for rows in _blocks(q, k):
        p = np.exp(_scores(q5, k5, rows, mask, causal, scale) - lse[..., rows, None])
        dv += (p.swapaxes(-1, -2) @ dy5[..., rows, :]).sum(axis=2)
        ds = p * (dy5[..., rows, :] @ v5.swapaxes(-1, -2))  # the bug: no - rowsum(dO·O)
        dq[..., rows, :] = (ds @ k5) * scale
        dk += (ds.swapaxes(-1, -2) @ q5[..., rows, :]).sum(axis=2) * scale
    return dq.reshape(q.shape), dk, dv
