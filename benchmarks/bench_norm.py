"""asv benchmarks for batch norm in train mode, forward and forward+backward, float32
(benchmarks/vs_torch.py prints the ratios to PyTorch)."""

import numpy as np

import impl

# (N, C, H, W) after a ResNet stage, and (N, F) after a wide linear layer.
SHAPES = ["32-64-56-56", "64-256-14-14", "256-4096"]


def _numbers(shape: str) -> tuple[int, ...]:
    return tuple(int(part) for part in shape.split("-"))


class BatchNorm:
    params = [SHAPES]
    param_names = ["N-C-H-W or N-F"]

    def setup(self, shape):
        shape = _numbers(shape)
        channels = shape[1]
        rng = np.random.default_rng(0)
        x = rng.standard_normal(shape, dtype=np.float32)
        self.arrays = (x, 1 + 0.1 * rng.standard_normal(channels, dtype=np.float32),
                       0.1 * rng.standard_normal(channels, dtype=np.float32),
                       np.zeros(channels, dtype=np.float32), np.ones(channels, dtype=np.float32))
        self.hyper = {"training": True, "momentum": 0.1, "eps": 1e-5}
        self.dy = rng.standard_normal(shape, dtype=np.float32)

    def time_forward(self, shape):
        impl.batch_norm_forward(*self.arrays, **self.hyper)

    def time_forward_backward(self, shape):
        _, ctx = impl.batch_norm_forward(*self.arrays, **self.hyper)
        impl.batch_norm_backward(self.dy, ctx)
