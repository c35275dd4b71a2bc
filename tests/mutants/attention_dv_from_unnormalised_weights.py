"""scaled_dot_product_attention's backward keeps FlashAttention-1's statistics apart (the
row maximum m and the row sum l) and forms dV from E = exp(S - m), the weights before
division by l, where dQ and dK use P = E / l: dV = Eᵀ dO instead of Pᵀ dO, too large by
each row's l. The forward is the reference's and passes; torch's and the numeric dv do
not, nor does the long causal sequence's. A row with one visible key (l = 1) hides it."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl.attention import _blocks, _check, _heads, _scores

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("backward_torch", "backward_numeric", "invariants"))


def scaled_dot_product_attention_forward(q, k, v, mask=None, causal=False, scale=None):
    scale = _check(q, k, v, mask, causal, scale)
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    out = np.empty(q5.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
    row_max = np.empty(q5.shape[:-1] + (1,), dtype=q.dtype)
    row_sum = np.empty(q5.shape[:-1] + (1,), dtype=q.dtype)
    for rows in _blocks(q, k):
        s = _scores(q5, k5, rows, mask, causal, scale)
        top = np.fmax.reduce(s, axis=-1, keepdims=True, initial=-np.inf)
        seen = top > -np.inf
        p = np.exp(s - np.where(seen, top, 0))
        if not seen.all():
            p = np.where(seen, p, 0)
        total = np.where(seen, p.sum(axis=-1, keepdims=True), 1)
        out[..., rows, :] = (p @ v5) / total
        # FlashAttention-1's statistics, kept apart: the row maximum m and the sum l
        row_max[..., rows, :], row_sum[..., rows, :] = np.where(seen, top, 0), total
    out = out.reshape(q.shape[:-1] + (v.shape[-1],))
    return out, (q, k, v, mask, causal, scale, out, row_max, row_sum)


def scaled_dot_product_attention_backward(dy, ctx):
    q, k, v, mask, causal, scale, out, row_max, row_sum = ctx
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    dy5 = _heads(dy, hkv)
    delta = (dy5 * _heads(out, hkv)).sum(axis=-1)
    dq = np.empty_like(q5)
    dk, dv = np.zeros_like(k), np.zeros_like(v)
    for rows in _blocks(q, k):
        e = np.exp(_scores(q5, k5, rows, mask, causal, scale) - row_max[..., rows, :])
        p = e / row_sum[..., rows, :]
        dv += (e.swapaxes(-1, -2) @ dy5[..., rows, :]).sum(axis=2)  # the bug: e, not p
        ds = p * (dy5[..., rows, :] @ v5.swapaxes(-1, -2) - delta[..., rows, None])
        dq[..., rows, :] = (ds @ k5) * scale
        dk += (ds.swapaxes(-1, -2) @ q5[..., rows, :]).sum(axis=2) * scale
    return dq.reshape(q.shape), dk, dv
