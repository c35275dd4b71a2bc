"""nnconform's reference implementation of the contract, in NumPy only.

Every differentiable op NAME is a pair `y, ctx = NAME_forward(*arrays, **hyper)` and
`grads = NAME_backward(dy, ctx)`, with one gradient per differentiable input (a loss's
target is data: its backward returns `(d_pred,)`); the input's float dtype is kept,
inputs are never mutated, and the ops stay finite, without NumPy warnings, at the extreme
inputs the contract names. Each op is written to read like the formula of the study note
it cites ([000]..[004]), or of the paper docs/transformer.md names for the blocks beyond
the notes; it is what the property suite checks by default, against oracles that do not
depend on it. SciPy is used where NumPy lacks a function: Φ, the normal CDF of GELU.
"""

from .activations import (
    identity_backward,
    identity_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    log_softmax_backward,
    log_softmax_forward,
    maxout_backward,
    maxout_forward,
    prelu_backward,
    prelu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    sign_backward,
    sign_forward,
    softmax_backward,
    softmax_forward,
    step_backward,
    step_forward,
    tanh_backward,
    tanh_forward,
)
from .attention import (
    scaled_dot_product_attention_backward,
    scaled_dot_product_attention_forward,
)
from .classic import (
    delta_rule_forward,
    hot_cold_step_forward,
    logistic_regression_step_forward,
    mp_neuron_forward,
    perceptron_step_forward,
)
from .conv import (
    conv2d_backward,
    conv2d_forward,
    flatten_backward,
    flatten_forward,
    residual_block_backward,
    residual_block_forward,
)
from .data import (
    normalize_forward,
    one_hot_argmax_forward,
    one_hot_forward,
    precision_recall_f1_forward,
)
from .dropout import dropout_backward, dropout_forward
from .embedding import embedding_backward, embedding_forward, embedding_nearest_forward
from .gd import (
    least_squares_backward,
    least_squares_forward,
    linear_regression_backward,
    linear_regression_forward,
    mini_batches_forward,
)
from .init import (
    glorot_normal_forward,
    he_normal_forward,
    small_normal_forward,
    xavier_normal_forward,
)
from .linear import linear_backward, linear_forward
from .losses import (
    binary_cross_entropy_backward,
    binary_cross_entropy_forward,
    binary_cross_entropy_with_logits_backward,
    binary_cross_entropy_with_logits_forward,
    cross_entropy_backward,
    cross_entropy_forward,
    l1_penalty_backward,
    l1_penalty_forward,
    l2_penalty_backward,
    l2_penalty_forward,
    mse_backward,
    mse_forward,
    multiclass_hinge_backward,
    multiclass_hinge_forward,
)
from .networks import mlp_backward, mlp_forward
from .norm import (
    batch_norm_backward,
    batch_norm_forward,
    group_norm_backward,
    group_norm_forward,
    layer_norm_backward,
    layer_norm_forward,
)
from .optim import (
    adadelta_init,
    adadelta_step,
    adagrad_init,
    adagrad_step,
    adam_init,
    adam_step,
    adamw_init,
    adamw_step,
    ewa_forward,
    lr_decay_forward,
    momentum_average_init,
    momentum_average_step,
    momentum_step_init,
    momentum_step_step,
    momentum_velocity_init,
    momentum_velocity_step,
    nesterov_init,
    nesterov_step,
    rmsprop_init,
    rmsprop_step,
    sgd_init,
    sgd_momentum_init,
    sgd_momentum_step,
    sgd_step,
)
from .pool import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    lp_pool2d_backward,
    lp_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from .recurrent import (
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss_backward,
    temporal_softmax_loss_forward,
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
    # activations
    "step_forward", "step_backward",
    "sign_forward", "sign_backward",
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "relu_forward", "relu_backward",
    "leaky_relu_forward", "leaky_relu_backward",
    "prelu_forward", "prelu_backward",
    "identity_forward", "identity_backward",
    "softmax_forward", "softmax_backward",
    "log_softmax_forward", "log_softmax_backward",
    "maxout_forward", "maxout_backward",
    # losses
    "mse_forward", "mse_backward",
    "binary_cross_entropy_forward", "binary_cross_entropy_backward",
    "binary_cross_entropy_with_logits_forward", "binary_cross_entropy_with_logits_backward",
    "cross_entropy_forward", "cross_entropy_backward",
    "l2_penalty_forward", "l2_penalty_backward",
    "l1_penalty_forward", "l1_penalty_backward",
    "multiclass_hinge_forward", "multiclass_hinge_backward",
    # layers
    "linear_forward", "linear_backward",
    # convolution
    "conv2d_forward", "conv2d_backward",
    "flatten_forward", "flatten_backward",
    "residual_block_forward", "residual_block_backward",
    # pooling
    "max_pool2d_forward", "max_pool2d_backward",
    "avg_pool2d_forward", "avg_pool2d_backward",
    "lp_pool2d_forward", "lp_pool2d_backward",
    # normalization, dropout, embedding
    "batch_norm_forward", "batch_norm_backward",
    "layer_norm_forward", "layer_norm_backward",
    "group_norm_forward", "group_norm_backward",
    "normalize_forward",
    "one_hot_forward", "one_hot_argmax_forward", "precision_recall_f1_forward",
    "dropout_forward", "dropout_backward",
    "embedding_forward", "embedding_backward",
    "embedding_nearest_forward",
    # classic learning rules, gradient-descent flavours, whole networks
    "mp_neuron_forward", "perceptron_step_forward", "delta_rule_forward",
    "hot_cold_step_forward", "logistic_regression_step_forward",
    "mini_batches_forward",
    "linear_regression_forward", "linear_regression_backward",
    "least_squares_forward", "least_squares_backward",
    "mlp_forward", "mlp_backward",
    # recurrent
    "rnn_forward", "rnn_backward",
    "lstm_forward", "lstm_backward",
    "temporal_affine_forward", "temporal_affine_backward",
    "temporal_softmax_loss_forward", "temporal_softmax_loss_backward",
    # initialisers
    "small_normal_forward", "xavier_normal_forward", "glorot_normal_forward",
    "he_normal_forward",
    # optimizers
    "sgd_init", "sgd_step",
    "momentum_velocity_init", "momentum_velocity_step",
    "momentum_step_init", "momentum_step_step",
    "momentum_average_init", "momentum_average_step",
    "sgd_momentum_init", "sgd_momentum_step",
    "nesterov_init", "nesterov_step",
    "adagrad_init", "adagrad_step",
    "adadelta_init", "adadelta_step",
    "rmsprop_init", "rmsprop_step",
    "adam_init", "adam_step",
    "adamw_init", "adamw_step",
    "lr_decay_forward", "ewa_forward",
    # transformer blocks
    "gelu_forward", "gelu_backward",
    "silu_forward", "silu_backward",
    "swiglu_forward", "swiglu_backward",
    "rms_norm_forward", "rms_norm_backward",
    "rotary_embedding_forward", "rotary_embedding_backward",
    "scaled_dot_product_attention_forward", "scaled_dot_product_attention_backward",
]
