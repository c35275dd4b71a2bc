"""A correct implementation in the class style of "Deep Learning from Scratch" and many
course assignments: each layer keeps what its backward needs on `self`, and the layers
with parameters keep their gradients (dW, db, dgamma, dbeta) after backward. It knows
nothing of nnconform; `nnconform check --style layers --impl tests/adapter_example/layers.py`
checks it with no adapter of its own.
"""

import numpy as np


def im2col(x, fh, fw, stride=1, pad=0):
    """(N, C, H, W) as rows (N·out_h·out_w, C·fh·fw), one per window, zero padded."""
    n, c, h, w = x.shape
    out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, fh, fw, out_h, out_w), x.dtype)
    for i in range(fh):
        for j in range(fw):
            col[:, :, i, j] = img[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(col, shape, fh, fw, stride=1, pad=0):
    """im2col's adjoint: each window's row added back where it came from."""
    n, c, h, w = shape
    out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, out_h, out_w, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), col.dtype)
    for i in range(fh):
        for j in range(fw):
            img[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride] += col[:, :, i, j]
    return img[:, :, pad:h + pad, pad:w + pad]


class Sigmoid:
    def forward(self, x):
        self.out = np.exp(-np.logaddexp(0, -x)).astype(x.dtype)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out * self.out)


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0  # in place, as the book does
        return dout


class LeakyRelu:
    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, self.alpha * x).astype(x.dtype)

    def backward(self, dout):
        return np.where(self.mask, dout, self.alpha * dout).astype(dout.dtype)


class Affine:
    """y = x W + b with W stored (in, out), the transpose of the contract's layout."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.original_x_shape)


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


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        out_h = (h + 2 * self.pad - fh) // self.stride + 1
        out_w = (w + 2 * self.pad - fw) // self.stride + 1
        self.x_shape = x.shape
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(fn, c, fh, fw)
        return col2im(dout @ self.col_W.T, self.x_shape, fh, fw, self.stride, self.pad)


class Pooling:
    """Max pooling; a tied window's gradient goes to its first maximum."""

    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        out_h = (h + 2 * self.pad - self.pool_h) // self.stride + 1
        out_w = (w + 2 * self.pad - self.pool_w) // self.stride + 1
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.x_shape, self.arg_max = x.shape, np.argmax(col, axis=1)
        return col.max(axis=1).reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, size), dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.ravel()
        dcol = dmax.reshape(-1, self.x_shape[1] * size)
        return col2im(dcol, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad)


class BatchNormalization:
    """The book's: momentum keeps the old statistics, the running variance is the batch's
    biased one, and ε is fixed."""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma, self.beta, self.momentum = gamma, beta, momentum
        self.running_mean, self.running_var = running_mean, running_var

    def forward(self, x, train_flg=True):
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1], x.dtype)
            self.running_var = np.zeros(x.shape[1], x.dtype)
        if train_flg:
            mu = x.mean(axis=0)
            self.xc = x - mu
            var = np.mean(self.xc ** 2, axis=0)
            self.std = np.sqrt(var + 10e-7)
            self.xn = self.xc / self.std
            self.batch_size = x.shape[0]
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            self.xn = (x - self.running_mean) / np.sqrt(self.running_var + 10e-7)
            self.std, self.batch_size = None, x.shape[0]
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        if self.std is None:  # eval mode: the statistics are constants
            return dxn / np.sqrt(self.running_var + 10e-7)
        dxc = dxn / self.std
        dstd = -np.sum(dxn * self.xc / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        return dxc - dxc.sum(axis=0) / self.batch_size


class Dropout:
    """Inverted dropout: dropout_ratio is the probability of dropping a unit, and the
    kept ones are scaled by 1/(1 - dropout_ratio), so test time is the identity."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio

    def forward(self, x, train_flg=True):
        if not train_flg:
            return x.copy()
        self.mask = np.random.rand(*x.shape) > self.dropout_ratio
        return x * self.mask / (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask / (1.0 - self.dropout_ratio)


class Embedding:
    """The second book's: rows of W looked up, their gradient kept in grads."""

    def __init__(self, W):
        self.params, self.grads = [W], [np.zeros_like(W)]

    def forward(self, idx):
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout):
        (dW,) = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)
