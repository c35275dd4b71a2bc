"""asv benchmarks for the first kernels: softmax and linear, forward and forward+backward.

Shapes are small enough for a 2-core machine; the asv issue grows these into the full grid.
"""

import numpy as np

import impl


class Softmax:
    params = [[(256, 1000), (4096, 128)], ["float32", "float64"]]
    param_names = ["shape", "dtype"]

    def setup(self, shape, dtype):
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal(shape).astype(dtype)
        self.dy = rng.standard_normal(shape).astype(dtype)

    def time_forward(self, shape, dtype):
        impl.softmax_forward(self.x)

    def time_forward_backward(self, shape, dtype):
        _, ctx = impl.softmax_forward(self.x)
        impl.softmax_backward(self.dy, ctx)


class Linear:
    params = [[(256, 512, 512), (64, 1024, 256)], ["float32", "float64"]]
    param_names = ["batch_in_out", "dtype"]

    def setup(self, batch_in_out, dtype):
        n, n_in, n_out = batch_in_out
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((n, n_in)).astype(dtype)
        self.w = rng.standard_normal((n_out, n_in)).astype(dtype)
        self.b = rng.standard_normal(n_out).astype(dtype)
        self.dy = rng.standard_normal((n, n_out)).astype(dtype)

    def time_forward(self, batch_in_out, dtype):
        impl.linear_forward(self.x, self.w, self.b)

    def time_forward_backward(self, batch_in_out, dtype):
        _, ctx = impl.linear_forward(self.x, self.w, self.b)
        impl.linear_backward(self.dy, ctx)
