"""Not a mutant: the attention mutants' common machinery. build() assembles
scaled_dot_product_attention's forward and backward as the reference
(nnconform/impl/attention.py) does, block of queries by block, from stages that a mutant
replaces, one each: build() with no arguments is the reference."""

import numpy as np

from nnconform.impl.attention import _blocks, _check, _heads, _keys, _scores


def _safe_softmax(s, axis):
    """The reference's softmax of the scores s along axis, before its division: E = exp(S - m)
    shifted by the maximum m, the sums l of E and the log-sum-exp; where no score is above
    -inf (every key hidden, or NaN) E = 0, m = 0, l = 1 and lse = inf (torch's "safe
    softmax")."""
    top = np.fmax.reduce(s, axis=axis, keepdims=True, initial=-np.inf)
    seen = top > -np.inf
    m = np.where(seen, top, 0)
    e = np.exp(s - m)
    if not seen.all():
        e = np.where(seen, e, 0)
    total = np.where(seen, e.sum(axis=axis, keepdims=True), 1)
    return e, m, total, np.where(seen, top + np.log(total), np.inf)


def _query_head_h_to_kv_head_h_over_g(hq, hkv):
    """Query head h reads kv head h // G, G = Hq / Hkv (torch's enable_gqa, _heads)."""
    return np.arange(hq) // (hq // hkv)


def _normalised(p, s, m):
    """The reference's: dV from the weights P = exp(S - lse) themselves."""
    return p


def _summed_over_the_group(grad, per_head, keys):
    """grad[:, :, keys] (B, Hkv, n, E) += the shares of the G query heads that read each kv
    head, per_head (B, Hkv, G, n, E), summed over G."""
    grad[:, :, keys] += per_head.sum(axis=2)


def build(scores=_scores, causal_offset=None, kv_head_of=_query_head_h_to_kv_head_h_over_g,
          softmax_axis=-1, delta=True, dv_weights=_normalised,
          accumulate_kv=_summed_over_the_group):
    """(forward, backward) of scaled_dot_product_attention, from these stages:

    scores(q5, k5, rows, keys, mask, causal, scale): a block's scores scale·q kᵀ + mask,
        -inf where causal hides a key (the reference's _scores).
    causal_offset(sq, sk): the causal diagonal's offset d: query i sees key j when
        j <= i + d, and a block forms scores only up to the last key its last query sees.
        None: the reference's d = 0, its _keys and _scores' own mask.
    kv_head_of(hq, hkv): the kv head each query head reads, an array of Hq (h // G).
    softmax_axis: the axis of the (..., queries, keys) scores that the safe softmax
        normalises, -1 (over the keys); -2 normalises each block's queries.
    delta: whether softmax's backward subtracts Σ_j P_ij dP_ij from dP (FlashAttention's
        D = rowsum(dO ⊙ O) over the keys; from each block's P and dP over the queries).
    dv_weights(p, s, m): the weights dV = weightsᵀ dO takes, given P, the scores S and
        their maxima m (0 where none is above -inf): P itself.
    accumulate_kv(grad, per_head, keys): adds a block's per-query-head shares of dk or dv
        into the kv heads' (summed over each group).
    """

    def order(hq, hkv):
        """The query heads in the order split groups them; None where that is their own."""
        heads = np.argsort(kv_head_of(hq, hkv), kind="stable")
        return None if (heads == np.arange(hq)).all() else heads

    def split(x, hkv):
        """x (B, Hq, S, E) as (B, Hkv, G, S, E), each kv head's query heads on axis 2."""
        heads = order(x.shape[1], hkv)
        return _heads(x if heads is None else x[:, heads], hkv)

    def merge(x5, hkv):
        """split undone: (B, Hkv, G, S, E) back to (B, Hq, S, E)."""
        b, _, g, s, e = x5.shape
        x, heads = x5.reshape(b, hkv * g, s, e), order(hkv * g, hkv)
        return x if heads is None else x[:, np.argsort(heads)]

    def block(q5, k5, rows, mask, causal, scale):
        """The keys a block of queries sees, and its scores for them."""
        sq, sk = q5.shape[-2], k5.shape[-2]
        if not causal or causal_offset is None:
            keys = _keys(rows, sk, causal)
            return keys, scores(q5, k5, rows, keys, mask, causal, scale)
        d = causal_offset(sq, sk)
        keys = slice(0, min(sk, max(0, rows.stop + d)))
        s = scores(q5, k5, rows, keys, mask, False, scale)
        s[..., np.arange(keys.stop) > np.arange(rows.start, rows.stop)[:, None] + d] = -np.inf
        return keys, s

    def forward(q, k, v, mask=None, causal=False, scale=None):
        scale = _check(q, k, v, mask, causal, scale)
        hkv = k.shape[1]
        q5, k5, v5 = split(q, hkv), k[:, :, None], v[:, :, None]
        out = np.empty(q5.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
        stats = []  # each block's log-sum-exp and maxima, along softmax_axis
        for rows in _blocks(q, k):
            keys, s = block(q5, k5, rows, mask, causal, scale)
            e, m, total, lse = _safe_softmax(s, softmax_axis)
            if softmax_axis == -1:  # as the reference: divide the rows of the output
                out[..., rows, :] = (e @ v5[..., keys, :]) / total
            else:
                out[..., rows, :] = (e / total) @ v5[..., keys, :]
            stats.append((lse, m))
        return merge(out, hkv), (q, k, v, mask, causal, scale, out, stats)

    def backward(dy, ctx):
        q, k, v, mask, causal, scale, out, stats = ctx
        hkv = k.shape[1]
        q5, k5, v5 = split(q, hkv), k[:, :, None], v[:, :, None]
        dy5 = split(dy, hkv)
        rowsum = (dy5 * out).sum(axis=-1, keepdims=True)  # rowsum(dO ⊙ O) = Σ_j P_ij dP_ij
        dq = np.empty_like(q5)
        dk, dv = np.zeros_like(k), np.zeros_like(v)
        for rows, (lse, m) in zip(_blocks(q, k), stats, strict=True):
            keys, s = block(q5, k5, rows, mask, causal, scale)
            if softmax_axis == -1:  # the reference: P from the saved log-sum-exp
                p = np.exp(s - lse)
            else:  # a block holds all the queries each key's weights are normalised over
                e, _, total, _ = _safe_softmax(s, softmax_axis)
                p = e / total
            accumulate_kv(dv, dv_weights(p, s, m).swapaxes(-1, -2) @ dy5[..., rows, :], keys)
            dp = dy5[..., rows, :] @ v5[..., keys, :].swapaxes(-1, -2)
            if delta:
                dp -= (rowsum[..., rows, :] if softmax_axis == -1
                       else (p * dp).sum(axis=softmax_axis, keepdims=True))
            ds = p * dp
            dq[..., rows, :] = (ds @ k5[..., keys, :]) * scale
            accumulate_kv(dk, (ds.swapaxes(-1, -2) @ q5[..., rows, :]) * scale, keys)
        return merge(dq, hkv), dk, dv

    return forward, backward
