"""The convention followers of tests/mutants/ (those with a CONVENTION) in one module that
declares the conventions it follows: every op passes (tests/test_conventions.py)."""

from mutants import lstm_gates_ifog
from mutants.adagrad_eps_inside_sqrt import adagrad_init, adagrad_step  # noqa: F401
from mutants.adam_eps_hat import adam_init, adam_step  # noqa: F401
from mutants.batch_norm_biased_running_variance import (  # noqa: F401
    batch_norm_backward,
    batch_norm_forward,
)
from mutants.dropout_p_is_drop_probability import dropout_backward, dropout_forward  # noqa: F401
from mutants.leaky_relu_gradient_one_at_zero import (  # noqa: F401
    leaky_relu_backward,
    leaky_relu_forward,
)
from mutants.linear_weight_stored_in_out import linear_backward, linear_forward  # noqa: F401
from mutants.lstm_batch_major import batch_major
from mutants.max_pool_gradient_to_every_tied_maximum import (  # noqa: F401
    max_pool2d_backward,
    max_pool2d_forward,
)
from mutants.maxout_ties_to_every_maximum import maxout_backward, maxout_forward  # noqa: F401
from mutants.prelu_gradient_one_at_zero import prelu_backward, prelu_forward  # noqa: F401
from mutants.relu_gradient_one_at_zero import relu_backward, relu_forward  # noqa: F401
from mutants.rmsprop_eps_inside_sqrt import rmsprop_init, rmsprop_step  # noqa: F401
from mutants.rnn_batch_major import rnn_backward, rnn_forward  # noqa: F401
from mutants.rotary_embedding_pairs_interleaved import (  # noqa: F401
    rotary_embedding_backward,
    rotary_embedding_forward,
)
from mutants.step_fires_at_zero import step_backward, step_forward  # noqa: F401

from nnconform import impl

# both of the LSTM's: batch-major sequences and gates i, f, o, g
lstm_forward, lstm_backward = batch_major(lstm_gates_ifog.lstm_forward,
                                          lstm_gates_ifog.lstm_backward)


def __getattr__(name):  # every other op: the built-in one
    return getattr(impl, name)


CONVENTIONS = {
    "adagrad": "eps_inside_sqrt", "adam": "eps_hat", "batch_norm": "biased_running_var",
    "dropout": "p_is_drop", "leaky_relu": "grad_one_at_zero", "linear": "weight_in_out",
    "lstm": ["batch_major", "gates_ifog"], "max_pool2d": "ties_all", "maxout": "ties_all",
    "prelu": "grad_one_at_zero", "relu": "grad_one_at_zero", "rmsprop": "eps_inside_sqrt",
    "rnn": "batch_major", "rotary_embedding": "interleaved", "step": "fires_at_zero",
}
