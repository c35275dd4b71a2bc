"""Recurrent layers (catalog §2, docs/notes.md): the tanh RNN and the LSTM over whole sequences,
their table entries and their invariants. Layout and parameters are torch's one-layer
nn.RNN / nn.LSTM: x (T, N, I), states (N, H), gate blocks i, f, g, o."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import torch as torch_oracle
from nnconform.properties.cases import Case, normal, seeds
from nnconform.properties.optable import Op, invariant
from nnconform.properties.tolerances import assert_close


def _recurrent_cases(gates, states):
    @st.composite
    def cases(draw, dtype, variant=None):
        """x (T, N, I), the initial state(s) (N, H), and weights and biases with G·H rows
        (G = 1 for the RNN, 4 for the LSTM); T from 1, so every length is drawn."""
        t, n = draw(st.integers(1, 5), label="T"), draw(st.integers(1, 3), label="N")
        i, h = draw(st.integers(1, 4), label="I"), draw(st.integers(1, 4), label="H")
        seed = draw(seeds, label="seed")
        rng = np.random.default_rng(seed)
        arrays = [normal(rng, (t, n, i), dtype)]
        arrays += [normal(rng, (n, h), dtype) for _ in range(states)]
        arrays += [normal(rng, (gates * h, i), dtype, 1 / np.sqrt(i)),
                   normal(rng, (gates * h, h), dtype, 1 / np.sqrt(h)),
                   normal(rng, (gates * h,), dtype, 0.5), normal(rng, (gates * h,), dtype, 0.5)]
        return Case(tuple(arrays), {}, seed)

    return cases


rnn_cases = _recurrent_cases(gates=1, states=1)
lstm_cases = _recurrent_cases(gates=4, states=2)


def recurrent_reduction(case: Case) -> int:
    """A gradient sums over T·N steps and examples, through T steps of H-term products."""
    x, h0 = case.arrays[:2]
    t, n, i = x.shape
    return t * max(n, i, h0.shape[1]) * 4


# --- invariants ------------------------------------------------------------------------


def _each_time_step(name, impl, case):
    """For every t, an upstream gradient on y_t alone (none on the final states): the
    gradients match torch's, so the error of each step reaches back through every earlier
    step, and nothing else does."""
    arrays = case.arrays
    outputs = impl(name, *arrays)
    y = outputs[0]
    count = len(arrays)
    for step in range(y.shape[0]):
        dy = np.zeros_like(y)
        dy[step] = case.rng(10 + step).standard_normal(y.shape[1:])
        upstream = (dy, *(np.zeros_like(state) for state in outputs[1:]))
        got = impl.grads(name, arrays, {}, upstream, count)
        expected = torch_oracle.vjp(name, tuple(a.astype(np.float64) for a in arrays), {},
                                    tuple(u.astype(np.float64) for u in upstream),
                                    range(count))
        for index, (grad, truth) in enumerate(zip(got, expected, strict=True)):
            assert_close(grad, truth, what=f"gradient of input {index} for dy at t={step} "
                         f"only", dtype=y.dtype, reduction_length=recurrent_reduction(case))


@invariant()
def rnn_gradients_at_every_time_step(impl, case):
    """Backpropagation through time, one time step's loss at a time (_each_time_step)."""
    _each_time_step("rnn", impl, case)


@invariant()
def lstm_gradients_at_every_time_step(impl, case):
    """Backpropagation through time, one time step's loss at a time (_each_time_step)."""
    _each_time_step("lstm", impl, case)


SATURATED = 40.0  # σ(40) is 1 and σ(-40) is 0 to within 5e-18


@invariant()
def lstm_open_forget_gate_and_shut_input_gate_keep_the_cell(impl, case):
    """With the forget gate saturated open (f = 1) and the input gate shut (i = 0),
    c_t = f c_{t-1} + i g = c_{t-1}: the cell state is carried through unchanged [001]."""
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = case.arrays
    hidden = h0.shape[1]
    bias = b_ih.copy()
    bias[:hidden] = -SATURATED  # i
    bias[hidden:2 * hidden] = SATURATED  # f
    _, _, c_n = impl("lstm", x, h0, c0, w_ih, w_hh, bias, np.zeros_like(b_hh))
    assert_close(c_n, c0, what="c_T vs c_0 with f = 1, i = 0", dtype=x.dtype)


OPS = [
    Op("rnn", family="recurrent",
       formula="h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh); x (T, N, I) [001]",
       inputs=("x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"),
       grads=("x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"), cases=rnn_cases,
       outputs=("y", "h_n"), oracles=("torch", "numeric"), reduction=recurrent_reduction,
       invariants=(rnn_gradients_at_every_time_step,)),
    Op("lstm", family="recurrent",
       formula="gates i, f, g, o; c_t = f c_{t-1} + i g, h_t = o tanh(c_t); x (T, N, I) [001]",
       inputs=("x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh"),
       grads=("x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh"), cases=lstm_cases,
       outputs=("y", "h_n", "c_n"), oracles=("torch", "numeric"),
       reduction=recurrent_reduction,
       invariants=(lstm_gradients_at_every_time_step,
                   lstm_open_forget_gate_and_shut_input_gate_keep_the_cell)),
]
