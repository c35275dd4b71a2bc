"""scaled_dot_product_attention forgets the scale when it forms the scores: s = q kᵀ
instead of scale·q kᵀ (1/√D by default, or the scale given), while the backward still
multiplies dq and dk by the scale, as the chain rule through scale·q kᵀ asks. The
weights are those of the wrong scores, so torch's outputs and gradients disagree, in the
long causal sequence and the special values too, and the backward is not even the
derivative of this forward, so the numeric check fails as well. The weights still sum to
1 per row and ignore later keys. Only a scale of 1 (D = 1 with the default) hides it."""

import numpy as np

from nnconform.impl import *  # noqa: F403
from nnconform.impl.attention import _blocks, _check, _heads

OP, CAUGHT_BY = ("scaled_dot_product_attention",
                 ("forward", "backward_torch", "backward_numeric", "invariants", "robustness"))


def _scores(q5, k5, rows, mask, causal, scale):
    s = q5[..., rows, :] @ k5.swapaxes(-1, -2)  # the bug: scale·q kᵀ without the scale
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
    delta = (dy5 * out).sum(axis=-1)
    dq = np.empty_like(q5)
    dk, dv = np.zeros_like(k), np.zeros_like(v)
    for rows in _blocks(q, k):
        p = np.exp(_scores(q5, k5, rows, mask, causal, scale) - lse[..., rows, None])
        dv += (p.swapaxes(-1, -2) @ dy5[..., rows, :]).sum(axis=2)
        ds = p * (dy5[..., rows, :] @ v5.swapaxes(-1, -2) - delta[..., rows, None])
        dq[..., rows, :] = (ds @ k5) * scale
        dk += (ds.swapaxes(-1, -2) @ q5[..., rows, :]).sum(axis=2) * scale
    return dq.reshape(q.shape), dk, dv
