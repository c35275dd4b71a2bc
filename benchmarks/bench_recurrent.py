"""asv benchmarks for a one-layer LSTM over a whole sequence, forward and forward+backward
(backpropagation through time), float32 (benchmarks/vs_torch.py prints the ratios to
PyTorch)."""

import numpy as np

import impl

# (T, N, I, H): time-major x (T, N, I), hidden size H.
SHAPES = ["50-32-256-256", "100-64-128-512"]


class LSTM:
    params = [SHAPES]
    param_names = ["T-N-I-H"]

    def setup(self, shape):
        t, n, i, h = (int(part) for part in shape.split("-"))
        rng = np.random.default_rng(0)
        x = rng.standard_normal((t, n, i), dtype=np.float32)
        h0, c0 = (rng.standard_normal((n, h), dtype=np.float32) for _ in range(2))
        # Weights ~ 1/√H, so the gates are not saturated.
        weights = [rng.standard_normal(size, dtype=np.float32) / h**0.5
                   for size in ((4 * h, i), (4 * h, h), 4 * h, 4 * h)]
        self.arrays = (x, h0, c0, *weights)
        # Random upstream gradients for y, h_n and c_n.
        self.upstream = (rng.standard_normal((t, n, h), dtype=np.float32),
                         *(rng.standard_normal((n, h), dtype=np.float32) for _ in range(2)))

    def time_forward(self, shape):
        impl.lstm_forward(*self.arrays)

    def time_forward_backward(self, shape):
        _, ctx = impl.lstm_forward(*self.arrays)
        impl.lstm_backward(*self.upstream, ctx)
