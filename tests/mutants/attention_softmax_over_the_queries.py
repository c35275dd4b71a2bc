"""scaled_dot_product_attention normalises the weights with softmax over the queries
(axis -2 of the (..., Sq, Sk) scores) instead of over the keys: each key's column sums
to 1, not each query's row. Forward and backward agree (the backward is that softmax's),
so the numeric check passes; torch's outputs and gradients do not, the weights' rows do
not sum to 1, the long causal sequence differs, and in the special values a NaN score
spreads down its key's column to every other query. The causal output still ignores
later positions: a later key's column is hidden from the earlier queries."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl.attention import _blocks, _check, _heads, _scores

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "invariants", "robustness"))


def _softmax(s):
    """The weights of scores s (B, Hkv, G, m, Sk): the bug: softmax(s, axis=-2), each key's
    column normalised over the queries instead of each query's row over the keys."""
    top = np.fmax.reduce(s, axis=-2, keepdims=True, initial=-np.inf)
    seen = top > -np.inf
    p = np.exp(s - np.where(seen, top, 0))
    if not seen.all():
        p = np.where(seen, p, 0)
    return p / np.where(seen, p.sum(axis=-2, keepdims=True), 1)


def scaled_dot_product_attention_forward(q, k, v, mask=None, causal=False, scale=None):
    scale = _check(q, k, v, mask, causal, scale)
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    out = np.empty(q5.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
    for rows in _blocks(q, k):
        out[..., rows, :] = _softmax(_scores(q5, k5, rows, mask, causal, scale)) @ v5
    return out.reshape(q.shape[:-1] + (v.shape[-1],)), (q, k, v, mask, causal, scale)


def scaled_dot_product_attention_backward(dy, ctx):
    q, k, v, mask, causal, scale = ctx
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    dy5 = _heads(dy, hkv)
    dq = np.empty_like(q5)
    dk, dv = np.zeros_like(k), np.zeros_like(v)
    for rows in _blocks(q, k):
        p = _softmax(_scores(q5, k5, rows, mask, causal, scale))
        dv += (p.swapaxes(-1, -2) @ dy5[..., rows, :]).sum(axis=2)
        dp = dy5[..., rows, :] @ v5.swapaxes(-1, -2)
        ds = p * (dp - (p * dp).sum(axis=-2, keepdims=True))  # that softmax's backward
        dq[..., rows, :] = (ds @ k5) * scale
        dk += (ds.swapaxes(-1, -2) @ q5[..., rows, :]).sum(axis=2) * scale
    return dq.reshape(q.shape), dk, dv
