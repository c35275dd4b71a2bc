"""Recurrent layers (catalog §2, docs/notes.md): the tanh RNN and the LSTM over whole sequences,
and the per-step affine map and masked softmax loss around them (CS231n's rnn_layers),
their table entries and their invariants. Layout and parameters are torch's one-layer
nn.RNN / nn.LSTM: x (T, N, I), states (N, H), gate blocks i, f, g, o."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nnconform.oracles import torch as torch_oracle
from nnconform.properties.cases import Case, normal, seeds
from nnconform.properties.optable import Convention, Op, invariant
from nnconform.properties.tolerances import assert_close


def _recurrent_cases(gates, states):
    @st.composite
    def cases(draw, dtype, variant=None):
        """x (T, N, I), the initial state(s) (N, H), and weights and biases with G·H rows
        (G = 1 for the RNN, 4 for the LSTM); T from 1, so every length is drawn. The
        variant {"c0": "zero"} starts the LSTM's cell at 0, as code with no c0 argument
        does (CS231n's lstm_forward)."""
        t, n = draw(st.integers(1, 5), label="T"), draw(st.integers(1, 3), label="N")
        i, h = draw(st.integers(1, 4), label="I"), draw(st.integers(1, 4), label="H")
        seed = draw(seeds, label="seed")
        rng = np.random.default_rng(seed)
        arrays = [normal(rng, (t, n, i), dtype)]
        arrays += [normal(rng, (n, h), dtype) for _ in range(states)]
        if (variant or {}).get("c0") == "zero":
            arrays[2] = np.zeros_like(arrays[2])
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


# --- conventions ----------------------------------------------------------------------


def _batch_major_call(arrays, hyper):
    return (np.swapaxes(arrays[0], 0, 1), *arrays[1:]), hyper


def _batch_major_outputs(outputs):
    return (np.swapaxes(outputs[0], 0, 1), *outputs[1:])


def _batch_major_grads(grads):
    return (None if grads[0] is None else np.swapaxes(grads[0], 0, 1), *grads[1:])


BATCH_MAJOR = Convention(
    "sequences batch-major, x and y (N, T, ·) (CS231n, Keras, torch's batch_first=True); "
    "torch's default is time-major (T, N, ·)", call=_batch_major_call,
    outputs=_batch_major_outputs, upstream=_batch_major_outputs, grads=_batch_major_grads)


def _swap_g_and_o(block_rows):
    """Rows in gate blocks i, f, g, o reordered i, f, o, g (its own inverse)."""
    if block_rows is None:
        return None
    i, f, g, o = np.split(block_rows, 4, axis=0)
    return np.concatenate([i, f, o, g], axis=0)


def _ifog(arrays):
    """The LSTM's arrays (or gradients) with the weights' and biases' gate blocks, the
    last four, in the other order."""
    return (*arrays[:3], *(_swap_g_and_o(a) for a in arrays[3:]))


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


RECURRENT = [
    Op("rnn", family="recurrent",
       formula="h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh); x (T, N, I) [001]",
       inputs=("x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"),
       grads=("x", "h0", "w_ih", "w_hh", "b_ih", "b_hh"), cases=rnn_cases,
       outputs=("y", "h_n"), oracles=("torch", "numeric"), reduction=recurrent_reduction,
       invariants=(rnn_gradients_at_every_time_step,),
       conventions={"batch_major": BATCH_MAJOR}),
    Op("lstm", family="recurrent",
       formula="gates i, f, g, o; c_t = f c_{t-1} + i g, h_t = o tanh(c_t); x (T, N, I) [001]",
       inputs=("x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh"),
       grads=("x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh"), cases=lstm_cases,
       outputs=("y", "h_n", "c_n"), oracles=("torch", "numeric"),
       variants={"given_c0": {}, "zero_c0": {"c0": "zero"}}, reduction=recurrent_reduction,
       invariants=(lstm_gradients_at_every_time_step,
                   lstm_open_forget_gate_and_shut_input_gate_keep_the_cell),
       conventions={"batch_major": BATCH_MAJOR, "gates_ifog": Convention(
           "gate blocks in the order i, f, o, g (CS231n); torch's is i, f, g, o",
           call=lambda arrays, hyper: (_ifog(arrays), hyper),
           grads=_ifog)}),
]


# --- the layers around a recurrent core ----------------------------------------------------

MASK_KINDS = ("all ones", "lengths", "random")


@st.composite
def temporal_affine_cases(draw, dtype, variant=None):
    """x (T, N, D), w (M, D) and b (M,)."""
    t, n = draw(st.integers(1, 5), label="T"), draw(st.integers(1, 3), label="N")
    d, m = draw(st.integers(1, 4), label="D"), draw(st.integers(1, 4), label="M")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    return Case((normal(rng, (t, n, d), dtype), normal(rng, (m, d), dtype, 1 / np.sqrt(d)),
                 normal(rng, (m,), dtype, 0.5)), {}, seed)


def temporal_affine_reduction(case: Case) -> int:
    """y sums D terms, dx M, dW and db T·N."""
    x, w, _ = case.arrays
    return max(w.shape[1], w.shape[0], x.shape[0] * x.shape[1])


def _mask(kind, rng, t, n):
    if kind == "all ones":
        return np.ones((t, n), bool)
    if kind == "lengths":  # ragged captions: sequence k is on for its first lengths[k] steps
        return np.arange(t)[:, None] < rng.integers(1, t + 1, n)
    return rng.random((t, n)) < 0.6


@st.composite
def temporal_softmax_cases(draw, dtype, variant=None, scale=3.0, masks=MASK_KINDS):
    """Scores x (T, N, V), class indices (T, N) and a bool mask (T, N): all ones, a prefix
    of each sequence (ragged lengths), or random, so masks with zeros are drawn."""
    variant = variant or {"reduction": "mean"}
    t, n = draw(st.integers(1, 4), label="T"), draw(st.integers(1, 3), label="N")
    vocabulary = draw(st.integers(1, 5), label="V")
    kind = draw(st.sampled_from(masks), label="mask")
    seed = draw(seeds, label="seed")
    rng = np.random.default_rng(seed)
    x = normal(rng, (t, n, vocabulary), dtype, scale)
    target, mask = rng.integers(0, vocabulary, (t, n)), _mask(kind, rng, t, n)
    return Case((x, target, mask), {"reduction": variant["reduction"]}, seed)


@st.composite
def _with_a_masked_position(draw, dtype):
    case = draw(temporal_softmax_cases(dtype, masks=("lengths", "random")))
    x, target, mask = case.arrays
    mask = mask.copy()
    mask[-1, -1] = False  # at least one masked position
    return case.with_arrays(x, target, mask)


@invariant(uses=("linear",))
def temporal_affine_is_linear_at_every_step(impl, case):
    """y_t = linear(x_t, W, b) for each t: the same W and b at every time step."""
    x, w, b = case.arrays
    y = impl("temporal_affine", *case.arrays)
    for step in range(x.shape[0]):
        assert_close(y[step], impl("linear", x[step], w, b).astype(np.float64),
                     what=f"y at t={step} vs linear(x_t)", dtype=x.dtype,
                     reduction_length=temporal_affine_reduction(case))


@invariant()
def temporal_affine_steps_do_not_mix(impl, case):
    """With an upstream gradient on y_t alone, dx is 0 at every other step, and dW, db are
    that step's linear gradients dy_tᵀ x_t and Σ_n dy_t."""
    x, w, b = case.arrays
    y = impl("temporal_affine", *case.arrays)
    step = int(case.rng(3).integers(0, x.shape[0]))
    dy = np.zeros_like(y)
    dy[step] = case.rng(4).standard_normal(y.shape[1:])
    dx, dw, db = impl.grads("temporal_affine", case.arrays, {}, dy, 3)
    others = np.delete(np.asarray(dx), step, axis=0)
    assert np.array_equal(others, np.zeros_like(others)), "dx at other steps is not 0"
    x64, dy64 = x[step].astype(np.float64), dy[step].astype(np.float64)
    length = temporal_affine_reduction(case)
    assert_close(dw, dy64.T @ x64, what="dW vs dy_tᵀ x_t", dtype=x.dtype,
                 reduction_length=length)
    assert_close(db, dy64.sum(axis=0), what="db vs Σ_n dy_t", dtype=x.dtype,
                 reduction_length=length)


@invariant(cases=_with_a_masked_position)
def temporal_softmax_loss_ignores_masked_positions(impl, case):
    """A masked position contributes nothing: new scores there change neither the loss nor
    dx elsewhere, and dx there is 0."""
    x, target, mask = case.arrays
    moved = np.where(mask[..., None], x, case.rng(3).normal(0, 5, x.shape)).astype(x.dtype)
    dy = np.asarray(case.rng(4).standard_normal(), x.dtype)
    loss = impl("temporal_softmax_loss", *case.arrays, **case.hyper)
    length = x.size
    assert_close(impl("temporal_softmax_loss", moved, target, mask, **case.hyper), loss,
                 what="loss with other scores at masked positions", dtype=x.dtype,
                 reduction_length=length)
    (dx,) = impl.grads("temporal_softmax_loss", case.arrays, case.hyper, dy, 1)
    (moved_dx,) = impl.grads("temporal_softmax_loss", (moved, target, mask), case.hyper, dy, 1)
    assert_close(moved_dx, np.asarray(dx, np.float64), what="dx with other scores at masked "
                 "positions", dtype=x.dtype, reduction_length=length)
    masked = np.asarray(dx)[~mask]
    assert np.array_equal(masked, np.zeros_like(masked)), "dx at masked positions is not 0"


@invariant(cases=lambda dtype: temporal_softmax_cases(dtype, masks=("all ones",)),
           uses=("cross_entropy",))
def temporal_softmax_loss_unmasked_is_cross_entropy(impl, case):
    """With nothing masked it is cross-entropy over the T·N positions: the "sum" forms
    agree, and "mean" divides by N where cross-entropy's divides by T·N (so ×T)."""
    x, target, _ = case.arrays
    t, n, vocabulary = x.shape
    rows = (x.reshape(t * n, vocabulary), target.reshape(t * n))
    factor = t if case.hyper["reduction"] == "mean" else 1
    assert_close(impl("temporal_softmax_loss", *case.arrays, **case.hyper),
                 factor * impl("cross_entropy", *rows, **case.hyper).astype(np.float64),
                 what="temporal_softmax_loss vs cross_entropy of the T·N rows", dtype=x.dtype,
                 reduction_length=x.size)


OPS = [
    *RECURRENT,
    Op("temporal_affine", family="recurrent",
       formula="y_t = x_t Wᵀ + b at every step; x (T, N, D), W (M, D) (CS231n's rnn_layers)",
       inputs=("x", "w", "b"), grads=("x", "w", "b"), cases=temporal_affine_cases,
       oracles=("torch", "numeric"), reduction=temporal_affine_reduction,
       invariants=(temporal_affine_is_linear_at_every_step, temporal_affine_steps_do_not_mix)),
    Op("temporal_softmax_loss", family="recurrent",
       formula="-1/N Σ_t Σ_n mask·ln softmax(x_tn)[y_tn]; Σ; x (T, N, V) (CS231n's rnn_layers)",
       inputs=("x", "target", "mask"), grads=("x",), outputs=("loss",),
       hyper={"reduction": "mean"}, cases=temporal_softmax_cases,
       variants={"mean": {"reduction": "mean"}, "sum": {"reduction": "sum"}},
       oracles=("torch", "numeric"), reduction=lambda case: case.arrays[0].size,
       invariants=(temporal_softmax_loss_ignores_masked_positions,
                   temporal_softmax_loss_unmasked_is_cross_entropy),
       edges=lambda dtype: temporal_softmax_cases(dtype, scale=1e4)),
]
