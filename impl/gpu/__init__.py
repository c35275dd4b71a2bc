"""nnconform's GPU implementation of the contract: Triton kernels, checked by the same suite
as the NumPy one (`nnconform check --impl nnconform.impl.gpu`).

The native arrays are torch tensors on the GPU; `to_native` and `to_numpy` are the
harness's conversion hook. Without CUDA, set TRITON_INTERPRET=1 before importing this
package and the same kernels run in Triton's interpreter on CPU tensors (slowly: it is for
checking the kernels' logic, as CI does). Each op keeps the contract of impl/: the input's
float dtype (float32 or float64) is kept, inputs are never written, and products are IEEE
(no TF32). torch is used only to allocate, reshape and move tensors; every result is
computed by a kernel of this package.
"""

from ._runtime import DEVICE, INTERPRET, to_native, to_numpy
from .activations import (
    identity_backward,
    identity_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from .attention import (
    scaled_dot_product_attention_backward,
    scaled_dot_product_attention_forward,
)
from .conv import (
    conv2d_backward,
    conv2d_forward,
)
from .linear import (
    linear_backward,
    linear_forward,
)
from .losses import (
    cross_entropy_backward,
    cross_entropy_forward,
    l2_penalty_backward,
    l2_penalty_forward,
)
from .norm import (
    batch_norm_backward,
    batch_norm_forward,
    layer_norm_backward,
    layer_norm_forward,
)
from .optim import (
    adam_init,
    adam_step,
    adamw_init,
    adamw_step,
    momentum_average_init,
    momentum_average_step,
    momentum_step_init,
    momentum_step_step,
    momentum_velocity_init,
    momentum_velocity_step,
    nesterov_init,
    nesterov_step,
    sgd_init,
    sgd_step,
)
from .pool import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from .softmax import (
    log_softmax_backward,
    log_softmax_forward,
    softmax_backward,
    softmax_forward,
)
from .transformer import (
    gelu_backward,
    gelu_forward,
    rms_norm_backward,
    rms_norm_forward,
    rotary_embedding_backward,
    rotary_embedding_forward,
    silu_backward,
    silu_forward,
    swiglu_backward,
    swiglu_forward,
)

__all__ = [
    # the array hook
    "DEVICE", "INTERPRET", "to_native", "to_numpy",
    # activations
    "sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward", "relu_forward",
    "relu_backward", "leaky_relu_forward", "leaky_relu_backward", "identity_forward",
    "identity_backward",
    # conv
    "conv2d_forward", "conv2d_backward",
    # linear
    "linear_forward", "linear_backward",
    # batch norm, layer norm
    "batch_norm_forward", "batch_norm_backward", "layer_norm_forward", "layer_norm_backward",
    # pooling
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
    # softmax
    "softmax_forward", "softmax_backward", "log_softmax_forward", "log_softmax_backward",
    # losses
    "cross_entropy_forward", "cross_entropy_backward", "l2_penalty_forward",
    "l2_penalty_backward",
    # optimizers
    "sgd_init", "sgd_step", "momentum_velocity_init", "momentum_velocity_step",
    "momentum_step_init", "momentum_step_step", "momentum_average_init",
    "momentum_average_step", "nesterov_init", "nesterov_step", "adam_init", "adam_step",
    "adamw_init", "adamw_step",
    # transformer blocks
    "gelu_forward", "gelu_backward", "silu_forward", "silu_backward", "swiglu_forward",
    "swiglu_backward", "rms_norm_forward", "rms_norm_backward", "rotary_embedding_forward",
    "rotary_embedding_backward", "scaled_dot_product_attention_forward",
    "scaled_dot_product_attention_backward",
]
