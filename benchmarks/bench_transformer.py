"""asv benchmarks for a transformer's blocks (docs/transformer.md), forward and
forward+backward, float32, on every backend (benchmarks/_backends.py), with our time over
PyTorch's on the same shape and device: GELU (exact, and its tanh form), SiLU, the SwiGLU
gate, RMSNorm, layer norm, the rotary embedding and scaled dot-product attention (causal
with grouped queries, and plain). The norms, SwiGLU (whose backward keeps four (N, H)
arrays) and attention (whose weights a direct implementation holds for every head) track
their peak memory too."""

from . import _asv


class Gelu(_asv.LayerBenchmark):
    op = "gelu"


class Silu(_asv.LayerBenchmark):
    op = "silu"


class SwiGLU(_asv.LayerMemoryBenchmark):
    op = "swiglu"


class RMSNorm(_asv.LayerMemoryBenchmark):
    op = "rms_norm"


class LayerNorm(_asv.LayerMemoryBenchmark):
    op = "layer_norm"


class RotaryEmbedding(_asv.LayerBenchmark):
    op = "rotary_embedding"


class ScaledDotProductAttention(_asv.LayerMemoryBenchmark):
    op = "scaled_dot_product_attention"
    timeout = 120
