"""A correct implementation in the class style of many course assignments: each layer
keeps what its backward needs on `self`. It knows nothing of nnconform."""

import numpy as np


class Sigmoid:
    def forward(self, x):
        self.out = np.exp(-np.logaddexp(0, -x)).astype(x.dtype)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Relu:
    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, 0).astype(x.dtype)

    def backward(self, dout):
        return np.where(self.mask, dout, 0).astype(dout.dtype)


class Affine:
    """y = x W + b with W stored (in, out), the transpose of the contract's layout."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class SoftmaxWithLoss:
    """Softmax and cross-entropy over one-hot or index labels, mean over the batch."""

    def forward(self, x, t):
        shifted = x - x.max(axis=1, keepdims=True)
        self.y = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        self.t = np.eye(x.shape[1], dtype=x.dtype)[t] if t.ndim == 1 else t
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return np.asarray(-(self.t * log_y).sum() / x.shape[0], dtype=x.dtype)

    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.y.shape[0]
