"""impl's big-array paths (impl/_blocks.py) give exactly what the same formula gives on
the whole arrays. The property suite draws small arrays, which never reach them."""

import numpy as np
import pytest

import nnconform.impl as impl
from nnconform.impl import _blocks

WHOLE = 1 << 62  # a BLOCK no array exceeds: every rule runs on the whole arrays


def _layer(name, **hyper):
    def run(x, dy):
        y, ctx = getattr(impl, f"{name}_forward")(x, **hyper)
        return (y, *getattr(impl, f"{name}_backward")(dy, ctx))
    return run


def _optimizer(name, **hyper):
    def run(x, dy):
        param, grad = x, dy
        state = getattr(impl, f"{name}_init")(param)
        for _ in range(2):  # a second step, from a state the first one made
            param, state = getattr(impl, f"{name}_step")(param, grad, state, **hyper)
        return (param, *(v for k, v in sorted(state.items()) if k != "t"))
    return run


def _avg_pool(**hyper):
    def run(x, dy):  # (N, C, H, W): 7 examples of 43 channels, 11 × 94 (strided: 11 × 47)
        x = x.reshape(7, 43, 11, -1)
        y, ctx = impl.avg_pool2d_forward(x, **hyper)
        dy = dy.reshape(-1)[:y.size].reshape(y.shape)
        return (y, *impl.avg_pool2d_backward(dy, ctx))
    return run


def _layer_norm(axes):
    def run(x, dy):  # 301 rows of 1034 values (strided: 517), over 1 or 2 trailing axes
        shape = (x.shape[0], x.shape[1]) if axes == 1 else (x.shape[0], 11, -1)
        x, dy = x.reshape(shape), dy.reshape(shape)
        gamma = np.linspace(0.5, 1.5, x[0].size, dtype=x.dtype).reshape(x.shape[1:])
        y, ctx = impl.layer_norm_forward(x, gamma, gamma - 1)
        return (y, *impl.layer_norm_backward(dy, ctx))
    return run


OPS = {
    "layer_norm": _layer_norm(1), "layer_norm_two_axes": _layer_norm(2),
    "avg_pool2d": _avg_pool(kernel_size=3, stride=2, padding=1),
    "avg_pool2d_exclude_pad": _avg_pool(kernel_size=3, stride=2, padding=1,
                                        count_include_pad=False),
    "sigmoid": _layer("sigmoid"), "tanh": _layer("tanh"), "relu": _layer("relu"),
    "leaky_relu": _layer("leaky_relu", negative_slope=0.2),
    "sgd": _optimizer("sgd", lr=0.1, weight_decay=0.01),
    "momentum_velocity": _optimizer("momentum_velocity"),
    "momentum_step": _optimizer("momentum_step"),
    "momentum_average": _optimizer("momentum_average"),
    "nesterov": _optimizer("nesterov"), "sgd_momentum": _optimizer("sgd_momentum"),
    "adagrad": _optimizer("adagrad"), "adadelta": _optimizer("adadelta"),
    "rmsprop": _optimizer("rmsprop"), "adam": _optimizer("adam"),
    "adamw": _optimizer("adamw", weight_decay=0.1),
}


@pytest.mark.parametrize("threads", ["1", "3"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_blocks_give_the_whole_arrays_values(op, layout, dtype, threads, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", threads)  # 3: blocks shared unevenly
    rng = np.random.default_rng(0)
    x, dy = (3 * rng.standard_normal((301, 2 * 517)).astype(dtype) for _ in range(2))
    x[0, :3] = [np.nan, np.inf, -np.inf]  # specials stay where they are
    if layout == "strided":
        x, dy = x[:, ::2], dy[:, ::2]
    assert x.size > _blocks.BLOCK
    monkeypatch.setattr(_blocks, "CHANNEL_BLOCK", _blocks.BLOCK)  # channel groups too
    with np.errstate(all="ignore"):
        blocked = OPS[op](x, dy)
        monkeypatch.setattr(_blocks, "BLOCK", WHOLE)
        monkeypatch.setattr(_blocks, "CHANNEL_BLOCK", WHOLE)
        whole = OPS[op](x, dy)
    assert len(blocked) == len(whole)
    for got, expected in zip(blocked, whole, strict=True):
        assert got.dtype == expected.dtype == dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_an_error_in_a_block_on_a_thread_reaches_the_caller(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")

    def rule(x):
        if x[0] > 0:  # only the blocks of the second half
            raise ValueError("x: a block failed")
        return (x,)

    x = np.concatenate([-np.ones(4 * _blocks.BLOCK), np.ones(4 * _blocks.BLOCK)])
    with pytest.raises(ValueError, match="a block failed"):
        _blocks.in_blocks(rule, x)


def test_errstate_holds_on_the_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    x = np.zeros(8 * _blocks.BLOCK)
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        _blocks.in_blocks(lambda x: (1 / x,), x)


def test_a_forked_child_starts_pools_of_its_own(monkeypatch):
    """A child made by fork (asv's forkserver, a data loader) inherits the parent's pools
    but not their threads, so a threaded call there would wait for ever: it must find no
    pool and start its own."""
    import os

    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    _blocks.in_blocks(lambda x: (x + 1,), np.arange(8.0 * _blocks.BLOCK))
    assert _blocks._POOLS  # the parent's pool exists now
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        os._exit(0 if not _blocks._POOLS else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child inherited the parent's pools"
