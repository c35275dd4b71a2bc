"""What conv and pooling share: drawing a valid 2-D window configuration.

A configuration is drawn per axis (kernel, stride, padding, dilation) and the input size
is drawn last, from the sizes that give at least one output, so every example is valid and
a failure shrinks to the smallest kernel, stride and image.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from nnconform.oracles.closed_form_conv import output_size


def spelled(values: tuple[int, int]):
    """An (h, w) pair as a caller would write it: one int when h = w, so the suite passes
    both forms."""
    return values[0] if values[0] == values[1] else values


@dataclass(frozen=True)
class Window:
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    size: tuple[int, int]  # the input's (H, W)

    @property
    def out(self) -> tuple[int, int]:
        return tuple(output_size(*axis) for axis in zip(self.size, self.kernel, self.stride,
                                                        self.padding, self.dilation,
                                                        strict=True))


@st.composite
def windows(draw, max_kernel=3, max_stride=3, max_dilation=1, max_out=4, pad=True,
            min_kernel=1):
    """A Window with 1..max_out outputs per axis. Padding is at most half the kernel, as
    PyTorch requires of pooling and as "same" padding needs; none when `pad` is False."""
    axes = []
    for axis in ("h", "w"):
        kernel = draw(st.integers(min_kernel, max_kernel), label=f"kernel_{axis}")
        stride = draw(st.integers(1, max_stride), label=f"stride_{axis}")
        dilation = draw(st.integers(1, max_dilation), label=f"dilation_{axis}")
        padding = draw(st.integers(0, kernel // 2), label=f"padding_{axis}") if pad else 0
        span = dilation * (kernel - 1) + 1
        outputs = draw(st.integers(1, max_out), label=f"outputs_{axis}")
        # the smallest input giving `outputs` outputs, plus up to stride - 1 left over
        size = max(1, span - 2 * padding + (outputs - 1) * stride)
        size += draw(st.integers(0, stride - 1), label=f"leftover_{axis}")
        axes.append((kernel, stride, padding, dilation, size))
    kernel, stride, padding, dilation, size = (tuple(values) for values in zip(*axes,
                                                                               strict=True))
    return Window(kernel, stride, padding, dilation, size)
