"""Scaled dot-product attention (Vaswani et al. 2017; beyond the notes, docs/transformer.md)
in NumPy, forward and hand-written backward, with grouped-query heads, a causal mask and
an additive mask.

It never holds the (Sq, Sk) weights of every head at once: queries go through in blocks
of about BLOCK scores, and the forward keeps only q, k, v, the output and each row's
log-sum-exp, from which the backward rebuilds the weights block by block, as
FlashAttention does (Dao et al. 2022). Grouped-query heads are a broadcast over an axis of
size G, never a copy of k and v.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import positive, require_float, require_same_dtype

BLOCK = 1 << 20  # scores per block of queries (4 MB in float32)


def _heads(x, kv_heads):
    """(B, H, S, E) seen as (B, Hkv, G, S, E): query head h is group h // G of its kv head."""
    b, h, s, e = x.shape
    return x.reshape(b, kv_heads, h // kv_heads, s, e)


def _check(q, k, v, mask, causal, scale):
    for name, a in (("q", q), ("k", k), ("v", v)):
        require_float(name, a)
        if name != "q":
            require_same_dtype(name, a, q, "q")
        if a.ndim != 4:
            raise ValueError(f"{name}: expected shape (B, heads, S, head_dim), got {a.shape}")
    (b, hq, _, d), (bk, hkv, sk, dk) = q.shape, k.shape
    if bk != b or v.shape[0] != b:
        raise ValueError(f"k, v: expected q's batch size {b}, got {bk} and {v.shape[0]}")
    if hkv < 1 or hq % hkv or v.shape[1] != hkv:
        raise ValueError(f"k, v: expected a number of heads that divides q's {hq} (grouped "
                         f"queries), the same in both; got {hkv} and {v.shape[1]}")
    if dk != d:
        raise ValueError(f"k: expected q's head_dim {d}, got shape {k.shape}")
    if v.shape[2] != sk:
        raise ValueError(f"v: expected k's sequence length {sk}, got shape {v.shape}")
    if mask is not None:
        require_float("mask", mask)
        require_same_dtype("mask", mask, q, "q")
        target = (b, hq, q.shape[2], sk)
        if mask.ndim > 4 or any(m not in (1, t) for m, t in zip(
                mask.shape[::-1], target[::-1], strict=False)):
            raise ValueError(f"mask: expected an additive mask broadcastable to (B, Hq, Sq, "
                             f"Sk) = {target}, got shape {mask.shape}")
    if not isinstance(causal, bool | np.bool_):
        raise TypeError(f"causal: expected a bool, got {type(causal).__name__}")
    if scale is None:
        return 1 / math.sqrt(d)
    return positive("scale", scale)


def _blocks(q, k):
    """Slices of q's rows holding about BLOCK scores each (at least one row)."""
    b, hq, sq, _ = q.shape
    rows = max(1, BLOCK // max(1, b * hq * k.shape[2]))
    return [slice(start, min(start + rows, sq)) for start in range(0, sq, rows)]


def _keys(rows, sk, causal):
    """The keys a block of queries can see: under the causal mask none after its last
    query, so those scores are never formed (half the work of a long causal sequence)."""
    return slice(0, min(sk, rows.stop) if causal else sk)


def _scores(q5, k5, rows, keys, mask, causal, scale):
    """scale·q kᵀ (+ mask) for the queries in `rows` and the `keys`, -inf where causal
    hides a key."""
    s = (q5[..., rows, :] * scale) @ k5[..., keys, :].swapaxes(-1, -2)  # (B, Hkv, G, m, n)
    if mask is not None:
        m4 = mask.reshape((1,) * (4 - mask.ndim) + mask.shape)
        block = (m4[..., rows, :] if m4.shape[2] > 1 else m4)[..., keys]
        b, hkv, g, m, n = s.shape
        s += np.broadcast_to(block, (b, hkv * g, m, n)).reshape(s.shape)
    if causal:
        later = np.arange(s.shape[-1]) > np.arange(rows.start, rows.stop)[:, None]
        s[..., later] = -np.inf  # key j > query i (top-left aligned, torch's is_causal)
    return s


def scaled_dot_product_attention_forward(q, k, v, mask=None, causal=False, scale=None):
    """out = softmax(scale·q kᵀ + mask) v over the keys, scale = 1/√head_dim by default:
    q (B, Hq, Sq, D), k (B, Hkv, Sk, D), v (B, Hkv, Sk, Dv), Hkv dividing Hq (query head h
    attends with kv head h // (Hq/Hkv)); causal hides key j from query i when j > i; mask
    is added to the scores, broadcast to (B, Hq, Sq, Sk). out (B, Hq, Sq, Dv). A query
    that sees no key (all hidden) gets out = 0 and no gradient, as in torch."""
    scale = _check(q, k, v, mask, causal, scale)
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    out = np.empty(q5.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
    lse = np.empty(q5.shape[:-1], dtype=q.dtype)
    for rows in _blocks(q, k):
        keys = _keys(rows, k.shape[2], causal)
        s = _scores(q5, k5, rows, keys, mask, causal, scale)
        # the softmax shifted by its row maximum (no overflow); a row with no score above
        # -inf (every key hidden, or NaN) has weights 0, torch's "safe softmax"
        top = np.fmax.reduce(s, axis=-1, keepdims=True, initial=-np.inf)
        seen = top > -np.inf
        p = np.exp(s - np.where(seen, top, 0))
        if not seen.all():
            p = np.where(seen, p, 0)
        total = np.where(seen, p.sum(axis=-1, keepdims=True), 1)
        out[..., rows, :] = (p @ v5[..., keys, :]) / total
        lse[..., rows] = np.where(seen, top + np.log(total), np.inf)[..., 0]
    return out.reshape(q.shape[:-1] + (v.shape[-1],)), (q, k, v, mask, causal, scale, out, lse)


def scaled_dot_product_attention_backward(dy, ctx):
    """With P = softmax(S) rebuilt from the saved log-sum-exp, block by block: dV = Pᵀ dO,
    dP = dO Vᵀ, dS = P ⊙ (dP - rowsum(dO ⊙ O)) (softmax's backward), dQ = scale·dS K and
    dK = scale·dSᵀ Q; dK and dV add up over the G query heads that share a kv head."""
    q, k, v, mask, causal, scale, out, lse = ctx
    hkv = k.shape[1]
    q5, k5, v5 = _heads(q, hkv), k[:, :, None], v[:, :, None]
    dy5 = _heads(dy, hkv)
    delta = (dy5 * out).sum(axis=-1)  # rowsum(dO ⊙ O) = Σ_j P_ij dP_ij
    dq = np.empty_like(q5)
    dk, dv = np.zeros_like(k), np.zeros_like(v)
    for rows in _blocks(q, k):
        keys = _keys(rows, k.shape[2], causal)
        p = np.exp(_scores(q5, k5, rows, keys, mask, causal, scale) - lse[..., rows, None])
        dv[:, :, keys] += (p.swapaxes(-1, -2) @ dy5[..., rows, :]).sum(axis=2)
        ds = p * (dy5[..., rows, :] @ v5[..., keys, :].swapaxes(-1, -2)
                  - delta[..., rows, None])
        dq[..., rows, :] = (ds @ k5[..., keys, :]) * scale
        dk[:, :, keys] += (ds.swapaxes(-1, -2) @ q5[..., rows, :]).sum(axis=2) * scale
    return dq.reshape(q.shape), dk, dv
