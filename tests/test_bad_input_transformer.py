"""Bad arguments to the transformer blocks and attention fail at the call, with the error
type and the name of the argument the contract promises."""

import numpy as np
import pytest
from conftest import assert_rejected_by_name

from nnconform import impl

X = np.zeros((2, 3, 4, 6))  # (B, H, S, D)
POSITIONS = np.arange(4)
W = np.zeros((5, 6))  # (hidden, D)
Q, K, V = np.zeros((2, 4, 3, 6)), np.zeros((2, 2, 5, 6)), np.zeros((2, 2, 5, 7))


def _attention(q=Q, k=K, v=V, mask=None, **hyper):
    return impl.scaled_dot_product_attention_forward(q, k, v, mask, **hyper)


BAD = {
    "gelu of a list": (lambda: impl.gelu_forward([1.0]), TypeError, "x"),
    "gelu approximate 'erf'": (lambda: impl.gelu_forward(X, approximate="erf"), ValueError,
                               "approximate"),
    "silu of integers": (lambda: impl.silu_forward(np.arange(3)), TypeError, "x"),
    "swiglu w1 of the wrong width": (lambda: impl.swiglu_forward(X, W[:, :5], W), ValueError,
                                     "w1"),
    "swiglu w3 of another shape than w1": (lambda: impl.swiglu_forward(X, W, W[:4]),
                                           ValueError, "w3"),
    "swiglu w3 of another dtype": (
        lambda: impl.swiglu_forward(X, W, W.astype(np.float32)), TypeError, "w3"),
    "rms_norm weight not x's trailing shape": (
        lambda: impl.rms_norm_forward(X, np.ones(4)), ValueError, "weight"),
    "rms_norm eps 0": (lambda: impl.rms_norm_forward(X, np.ones(6), eps=0.0), ValueError,
                       "eps"),
    "rotary of a 3-d x": (lambda: impl.rotary_embedding_forward(X[0], POSITIONS), ValueError,
                          "x"),
    "rotary of an odd head_dim": (
        lambda: impl.rotary_embedding_forward(X[..., :5], POSITIONS), ValueError, "x"),
    "rotary positions as floats": (
        lambda: impl.rotary_embedding_forward(X, POSITIONS.astype(float)), TypeError,
        "positions"),
    "rotary positions for another length": (
        lambda: impl.rotary_embedding_forward(X, np.arange(5)), ValueError, "positions"),
    "rotary base 1": (lambda: impl.rotary_embedding_forward(X, POSITIONS, base=1.0),
                      ValueError, "base"),
    "attention q of 3 dims": (lambda: _attention(q=Q[0]), ValueError, "q"),
    "attention heads that do not divide q's": (lambda: _attention(k=np.zeros((2, 3, 5, 6))),
                                               ValueError, "k, v"),
    "attention k of another head_dim": (lambda: _attention(k=K[..., :5]), ValueError, "k"),
    "attention v of another length": (lambda: _attention(v=V[:, :, :4]), ValueError, "v"),
    "attention v of another dtype": (lambda: _attention(v=V.astype(np.float32)), TypeError,
                                     "v"),
    "attention mask that does not broadcast": (lambda: _attention(mask=np.zeros((3, 4))),
                                               ValueError, "mask"),
    "attention causal as text": (lambda: _attention(causal="yes"), TypeError, "causal"),
    "attention scale as text": (lambda: _attention(scale="0.5"), TypeError, "scale"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_argument_is_named(name):
    assert_rejected_by_name(*BAD[name])
