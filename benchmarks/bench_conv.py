"""asv benchmarks for convolution and pooling, forward and forward+backward, float32, on
the shapes of the convolution issue (benchmarks/vs_torch.py prints the ratios to
PyTorch)."""

import numpy as np

import impl

# (N, C, H, W, K, F, S, P)
CONV_SHAPES = ["32-64-32-32-64-3-1-1", "64-128-16-16-128-3-1-1", "8-3-224-224-64-7-2-3",
               "32-256-8-8-256-1-1-0"]
# (N, C, H, W, kernel, stride, padding)
POOL_SHAPES = ["32-64-112-112-3-2-1", "32-64-32-32-2-2-0"]


def _numbers(shape: str) -> list[int]:
    return [int(part) for part in shape.split("-")]


class Conv2d:
    params = [CONV_SHAPES]
    param_names = ["N-C-H-W-K-F-S-P"]

    def setup(self, shape):
        n, c, h, w, k, f, s, p = _numbers(shape)
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((n, c, h, w), dtype=np.float32)
        self.w = rng.standard_normal((k, c, f, f), dtype=np.float32)
        self.b = rng.standard_normal(k, dtype=np.float32)
        self.hyper = {"stride": s, "padding": p}
        y, _ = impl.conv2d_forward(self.x, self.w, self.b, **self.hyper)
        self.dy = rng.standard_normal(y.shape, dtype=np.float32)

    def time_forward(self, shape):
        impl.conv2d_forward(self.x, self.w, self.b, **self.hyper)

    def time_forward_backward(self, shape):
        _, ctx = impl.conv2d_forward(self.x, self.w, self.b, **self.hyper)
        impl.conv2d_backward(self.dy, ctx)

    def peakmem_forward_backward(self, shape):
        _, ctx = impl.conv2d_forward(self.x, self.w, self.b, **self.hyper)
        impl.conv2d_backward(self.dy, ctx)


class Pool2d:
    params = [["max_pool2d", "avg_pool2d"], POOL_SHAPES]
    param_names = ["op", "N-C-H-W-k-s-p"]

    def setup(self, op, shape):
        n, c, h, w, kernel, s, p = _numbers(shape)
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((n, c, h, w), dtype=np.float32)
        self.hyper = {"kernel_size": kernel, "stride": s, "padding": p}
        self.forward = getattr(impl, f"{op}_forward")
        self.backward = getattr(impl, f"{op}_backward")
        y, _ = self.forward(self.x, **self.hyper)
        self.dy = rng.standard_normal(y.shape, dtype=np.float32)

    def time_forward(self, op, shape):
        self.forward(self.x, **self.hyper)

    def time_forward_backward(self, op, shape):
        _, ctx = self.forward(self.x, **self.hyper)
        self.backward(self.dy, ctx)
